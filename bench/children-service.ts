/**
 * Benchmark of `GET /v1/blocks/{id}/children` (100 per page; issue 19). Not a test.
 *
 *   npx tsx bench/children-service.ts [--iterations N] [--profile server|http] [--out <path>]
 *
 * Starts the real server in-process on a fresh SQLite store and fills one shared page with 120 blocks
 * shaped like bench/lib/generate.ts's content blocks (70% paragraphs, then headings, to-dos and
 * bulleted items, one text run each), plus one child page. Then it times the first page of 100
 * children two ways: as the server runs it without HTTP (authentication, the service, the router's
 * `signFileRefs` and custom-emoji refresh, `JSON.stringify`), and through loopback HTTP with `fetch`
 * (server and client in this process). N iterations each (default 300) after 20 warm-up calls;
 * the median CPU time of the process per call (`process.cpuUsage`) and p50 wall time, with the
 * 1-minute load average. `--profile` writes a V8 CPU profile of that loop to
 * `<tmp dir>/children.cpuprofile` (read it with bench/profile-top.ts).
 */
import { Client, LogLevel } from '@notionhq/client'
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sharedWorkspace, startInProcessServer, timeCalls } from './lib/in-process.js'
import { listBlockChildren } from '../src/api/blocks/blocks.service.js'
import { authenticateBearer } from '../src/services/auth.service.js'
import { signFileRefs } from '../src/services/file-urls.js'
import { refreshCustomEmojis } from '../src/services/custom-emojis.service.js'

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const ITERATIONS = Number(arg('--iterations') ?? 300)
const PROFILE = arg('--profile')
const OUT = arg('--out')
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']

const { server, close } = await startInProcessServer('octavo-bench-children-')
try {
  const deps = server.deps
  const { root, token } = await sharedWorkspace(deps)
  const notion = new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const page = await notion.pages.create({
    parent: { page_id: root.id },
    properties: { title: { title: [{ text: { content: 'Content' } }] } },
  })
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const block = (k: number) => {
    const text = [
      { type: 'text' as const, text: { content: `${WORDS[Math.floor(next() * 8)]} ${WORDS[Math.floor(next() * 8)]} — line ${k}` } },
    ]
    const r = next()
    const type = r < 0.7 ? 'paragraph' : r < 0.8 ? 'heading_2' : r < 0.9 ? 'to_do' : 'bulleted_list_item'
    return { type, [type]: type === 'to_do' ? { rich_text: text, checked: next() < 0.5 } : { rich_text: text } }
  }
  for (const n of [60, 60]) {
    const start = n === 60 && seed === 7 ? 0 : 60
    await notion.blocks.children.append({ block_id: page.id, children: Array.from({ length: n }, (_, k) => block(start + k)) as never })
  }
  const version = '2026-03-11'
  const serverSide = async () => {
    const ctx = { caller: await authenticateBearer(deps, `Bearer ${token}`), version: version as never, betas: [] }
    const out = await listBlockChildren(deps, ctx, page.id, { page_size: 100 })
    const emojis: Array<{ id: string }> = []
    const body = signFileRefs(out, deps, (e) => emojis.push(e))
    await refreshCustomEmojis(deps, ctx.caller.workspaceId, emojis)
    return JSON.stringify({ ...body, request_id: 'x' })
  }
  const url = `${server.url}/v1/blocks/${page.id}/children?page_size=100`
  const headers = { authorization: `Bearer ${token}`, 'notion-version': version }
  const http = async () => {
    const res = await fetch(url, { headers })
    const text = await res.text()
    if (!res.ok) throw new Error(text)
    return text
  }
  const out: Record<string, unknown>[] = []
  for (const [name, run] of Object.entries({ 'server side': serverSide, http })) {
    const first = await run()
    const parsed = JSON.parse(first) as { results: unknown[] }
    if (parsed.results.length !== 100) throw new Error(`${name}: ${parsed.results.length} results`)
    for (let i = 0; i < 20; i++) await run()
    const profile = PROFILE === (name === 'http' ? 'http' : 'server') ? join(tmpdir(), 'children.cpuprofile') : undefined
    const { cpu, times } = await timeCalls(run, ITERATIONS, profile)
    out.push({
      scenario: name,
      answer_bytes: first.length,
      iterations: ITERATIONS,
      p50_ms: Number((times[Math.floor(times.length / 2)] as number).toFixed(3)),
      cpu_p50_ms: Number((cpu[Math.floor(cpu.length / 2)] as number).toFixed(3)),
      load_1m: Number((loadavg()[0] as number).toFixed(2)),
    })
  }
  console.table(out)
  if (OUT)
    writeFileSync(
      OUT,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, results: out }, null, 2)}\n`,
    )
} finally {
  await close()
}
