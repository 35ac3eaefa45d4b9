import { spawn } from 'node:child_process'
import { Session } from 'node:inspector/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startRepoServer } from './lib/repo-server.js'

/**
 * `npx tsx bench/request-alloc.ts [--repo <dir>] [--only page_read,users_me,not_found,bad_token,children]
 * [--seconds 5] [--top 25]`: where the server allocates per request. The real server (from `--repo`'s
 * `src/`, default this checkout) runs in this process on a copy of the generated size-S store; autocannon
 * (20 connections) loads it from its own process; V8's sampling heap profiler (one sample per 1 KiB
 * allocated, objects later collected by scavenges and full collections included) records the stacks.
 * Prints, per workload, the bytes allocated per request (sampled bytes / responses; an estimate) and the
 * frames that allocate most, by self and inclusive size. Issue 19 (session 10): every byte a request
 * allocates is young-generation garbage, and what survives a scavenge grows the old generation (RSS) and
 * the pauses (p99). Compare workloads and trees with each other; the load generator's share is not in it.
 */
const { values: args } = parseArgs({
  options: {
    repo: { type: 'string', default: process.cwd() },
    only: { type: 'string', default: 'page_read,users_me,not_found,bad_token' },
    seconds: { type: 'string', default: '5' },
    top: { type: 'string', default: '25' },
  },
})
const repo = resolve(args.repo)
const { server, manifest: m, close } = await startRepoServer(repo, 'octavo-request-alloc-')
const token = m.connections.bench.token
const workloads: Record<string, { path: string; token: string; method?: string; body?: string }> = {
  page_read: { path: `/v1/pages/${m.ids.spine[20]}`, token },
  users_me: { path: '/v1/users/me', token },
  not_found: { path: `/v1/pages/${m.ids.unsharedPage}`, token },
  bad_token: { path: '/v1/users/me', token: `ntn_${'1'.repeat(11)}${'a'.repeat(35)}` },
  children: { path: `/v1/blocks/${m.ids.contentPages[0]}/children?page_size=100`, token },
  page_update: {
    path: `/v1/pages/${m.ids.rows[0]}`,
    token,
    method: 'PATCH',
    body: JSON.stringify({ properties: { Priority: { number: 7 } } }),
  },
}

/** Runs autocannon (its own process) for `seconds` against `path`; resolves with the responses it counted. */
function load(w: (typeof workloads)[string], seconds: number): Promise<number> {
  return new Promise((done, fail) => {
    const bin = join(repo, 'node_modules/.bin/autocannon')
    const argv = [
      '-j',
      '-c',
      '20',
      '-d',
      String(seconds),
      '-H',
      `authorization=Bearer ${w.token}`,
      '-H',
      'notion-version=2025-09-03',
      server.url + w.path,
    ]
    const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', fail)
    child.on('exit', () => {
      try {
        done((JSON.parse(out) as { requests: { total: number } }).requests.total)
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)))
      }
    })
  })
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: ProfileNode[]
}

const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
const seconds = Number(args.seconds)
const top = Number(args.top)
for (const name of args.only.split(',')) {
  const w = workloads[name]
  if (!w) throw new Error(`unknown workload ${name}; known: ${Object.keys(workloads).join(', ')}`)
  await load(w, 1)
  // The CDP flags keep samples of objects a scavenge or a full collection freed (V8 ≥ 11).
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  } as unknown as import('node:inspector').HeapProfiler.StartSamplingParameterType)
  const responses = await load(w, seconds)
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } }
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let total = 0
  const walk = (n: ProfileNode, open: Set<string>): number => {
    const where = n.callFrame.url.replace(/^file:\/\//, '').replace(`${repo}/`, '')
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + n.selfSize)
    total += n.selfSize
    let sum = n.selfSize
    const outermost = !open.has(key)
    open.add(key)
    for (const c of n.children) sum += walk(c, open)
    if (outermost) {
      open.delete(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + sum)
    }
    return sum
  }
  walk(profile.head, new Set())
  const perRequest = (bytes: number) => `${(bytes / responses / 1024).toFixed(2).padStart(7)} KiB/req`
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${perRequest(v)} ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n')
  process.stdout.write(
    `\n${name}: ${responses} responses in ${seconds} s, ${perRequest(total)} allocated (sampled)\n-- self\n${list(self)}\n-- inclusive\n${list(inclusive)}\n`,
  )
}
session.disconnect()
await close()
