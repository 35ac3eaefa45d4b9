/**
 * File-upload benchmark (issue 14; docs/file-uploads.md): a 100 MB multi-part upload (10 parts of
 * 10 MiB, sent one after the other through the official SDK) and 10 such uploads at once, against a
 * real Octavo child process on loopback (SQLite store, local blob directory unless
 * OCTAVO_BLOB_STORE / OCTAVO_DATABASE_URL say otherwise). Reports throughput (MB/s of file bytes)
 * and the server's resident memory: before, peak (VmHWM) and growth, and the server's CPU time per MB
 * (user + system, from /proc: steadier than MB/s on a shared, loaded machine). Goal: ≥ 100 MB/s, growth
 * < 50 MB. Usage: `npm run bench:file-uploads [-- --out bench/results/<name>.json] [--cpu-prof <dir>]`
 * (`--cpu-prof`: the server child writes a V8 CPU profile into `<dir>` when it stops).
 */
import { Client, LogLevel } from '@notionhq/client'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const MiB = 1024 * 1024
const PART = 10 * MiB
const PARTS = 10
const CONCURRENT = 10

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

/** CPU seconds (user + system) the process has used so far (Linux /proc/<pid>/stat, 100 ticks/s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const dataDir = mkdtempSync(join(tmpdir(), 'octavo-bench-files-'))
const profIndex = process.argv.indexOf('--cpu-prof')
const profDir = profIndex > 0 ? process.argv[profIndex + 1] : undefined
const child = spawn(
  process.execPath,
  [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), '--import', 'tsx', 'bench/file-uploads-child.ts'],
  {
    env: { ...process.env, OCTAVO_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
const { url, token } = JSON.parse(first) as { url: string; token: string }
const pid = child.pid as number
const notion = new Client({ auth: token, baseUrl: url, retry: false, logLevel: LogLevel.ERROR, timeoutMs: 600_000 })
const part = new Blob([randomBytes(PART)], { type: 'video/mp4' })

async function upload(): Promise<void> {
  const { id } = await notion.fileUploads.create({
    mode: 'multi_part',
    filename: 'bench.mp4',
    content_type: 'video/mp4',
    number_of_parts: PARTS,
  })
  for (let n = 1; n <= PARTS; n++)
    await notion.fileUploads.send({ file_upload_id: id, part_number: String(n), file: { filename: 'bench.mp4', data: part } })
  const done = await notion.fileUploads.complete({ file_upload_id: id })
  if (done.status !== 'uploaded' || done.content_length !== PART * PARTS) throw new Error(`unexpected ${JSON.stringify(done)}`)
}

try {
  await upload() // warm-up (JIT, first files)
  // Reset the peak (VmHWM) to the current RSS (Linux clear_refs "5"), so the peak is this run's.
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
  } catch {
    // not Linux, or not allowed: the peak then includes the warm-up
  }
  const rssBefore = status(pid, 'VmRSS')
  const hwmBefore = status(pid, 'VmHWM')
  let t = performance.now()
  let cpu = cpuSeconds(pid)
  await upload()
  const singleSec = (performance.now() - t) / 1000
  const singleCpu = cpuSeconds(pid) - cpu
  t = performance.now()
  cpu = cpuSeconds(pid)
  await Promise.all(Array.from({ length: CONCURRENT }, () => upload()))
  const concurrentSec = (performance.now() - t) / 1000
  const concurrentCpu = cpuSeconds(pid) - cpu
  const peak = status(pid, 'VmHWM')
  const mb = (PART * PARTS) / 1e6
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    store: process.env.OCTAVO_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite',
    blobStore: process.env.OCTAVO_BLOB_STORE ?? 'auto',
    fileMB: mb,
    parts: PARTS,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    single: {
      seconds: +singleSec.toFixed(2),
      mbPerSecond: +(mb / singleSec).toFixed(1),
      serverCpuMsPerMB: +((singleCpu * 1000) / mb).toFixed(2),
    },
    concurrent: {
      uploads: CONCURRENT,
      seconds: +concurrentSec.toFixed(2),
      mbPerSecond: +((mb * CONCURRENT) / concurrentSec).toFixed(1),
      serverCpuMsPerMB: +((concurrentCpu * 1000) / (mb * CONCURRENT)).toFixed(2),
    },
    rssMb: {
      before: +rssBefore.toFixed(1),
      peakBefore: +hwmBefore.toFixed(1),
      peak: +peak.toFixed(1),
      growth: +(peak - rssBefore).toFixed(1),
    },
  }
  console.log(JSON.stringify(result, null, 2))
  const out = process.argv.indexOf('--out')
  if (out > 0 && process.argv[out + 1]) writeFileSync(process.argv[out + 1] as string, `${JSON.stringify(result, null, 2)}\n`)
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}
