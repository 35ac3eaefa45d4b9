/**
 * Benchmark of the 2026-12-01 title-only lists (issue 16; docs/views-and-versions.md). Not a test.
 *
 *   npx tsx bench/title-only.ts [--iterations N]
 *
 * Starts the real server in-process on a fresh SQLite store, builds through the official SDK a data
 * source of 100 rows, each with a number, a relation to 5 of 50 rows of a second data source, a
 * formula over its own number and a rollup (sum) over the relation, and a formula over the rollup.
 * Then, over loopback, it times `POST /v1/data_sources/{id}/query` (page_size 100) and `POST /v1/search`
 * (page_size 100, matching the 100 rows) under `Notion-Version: 2026-03-11` (every property,
 * computed) and `2026-12-01` (the title only, nothing computed); and the data-source query as the server
 * runs it, without HTTP and the SDK client (authentication, the service, serialization), which is the
 * part 2026-12-01 changes; and, for reference, `GET /v1/users/me` (the cost of a call through HTTP and the
 * SDK that no list shape changes). N iterations each (default 40)
 * after 5 warm-up calls; p50/p95 wall time in ms, the median CPU time of the process per call
 * (server and SDK client together, `process.cpuUsage`: robust on a loaded shared machine, where wall
 * time is mostly waiting for a core) and the ratios of the medians.
 * Goal (issue 16): the title-only path at least 3× faster.
 * `--rounds R` (default 1) times each scenario's two versions R times, alternating, each time N calls:
 * the figures are over all R × N calls, and each round's medians and ratio are listed too (robust to
 * a load that changes during the run).
 * `--only <text>` runs the scenarios whose name contains it (e.g. `--only 'server side'`).
 * `--profile <scenario>@<version>` (e.g. `data-source query@2026-12-01`) also writes a V8 CPU profile of
 * that one timed loop to `<tmp dir>/title-only.cpuprofile` (read it with bench/profile-top.ts; not committed).
 * Output: a table on stdout and `bench/results/title-only-<YYYY-MM-DD>.json`, or the file `--out <path>`
 * names (for alternating before/after runs); each row records the 1-minute load average after its loop.
 */
import { Client, LogLevel } from '@notionhq/client'
import { writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sharedWorkspace, startInProcessServer, timeCalls } from './lib/in-process.js'
import { queryDataSource } from '../src/api/data-sources/data-sources.service.js'
import { authenticateBearer } from '../src/services/auth.service.js'
import { signFileRefs } from '../src/services/file-urls.js'
import { JsonText } from '../src/http/json-text.js'
import { buildTitleOnlyStore } from './lib/title-only-store.js'
import type { NotionVersion } from '../src/domain/versions.js'

const args = process.argv.slice(2)
const iArg = args.indexOf('--iterations')
const ITERATIONS = iArg === -1 ? 40 : Number(args[iArg + 1])
const pArg = args.indexOf('--profile')
const PROFILE = pArg === -1 ? undefined : args[pArg + 1]
const oArg = args.indexOf('--out')
const OUT = oArg === -1 ? undefined : args[oArg + 1]
const rArg = args.indexOf('--rounds')
const ROUNDS = rArg === -1 ? 1 : Number(args[rArg + 1])
const onlyArg = args.indexOf('--only')
const ONLY = onlyArg === -1 ? undefined : args[onlyArg + 1]
const REQUEST_ID = '00000000-0000-4000-8000-000000000000'

const { server, close } = await startInProcessServer('octavo-bench-title-')
try {
  const deps = server.deps
  const { root, token } = await sharedWorkspace(deps)
  const client = (notionVersion: string) =>
    new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {}, notionVersion })
  const mainDs = await buildTitleOnlyStore(server.url, token, root.id)

  // The same query as the server runs it, without HTTP and the SDK client: authentication, the
  // service and the answer's serialization as api/router.ts does it (signFileRefs + JSON.stringify,
  // or the text a handler serialized itself, http/json-text.ts). Returns the answer's text.
  const serverSide = async (version: string) => {
    const ctx = { caller: await authenticateBearer(deps, `Bearer ${token}`), version: version as NotionVersion }
    const body = await queryDataSource(deps, ctx, mainDs, { page_size: 100 })
    return body instanceof JsonText
      ? body.withRequestId(REQUEST_ID).toString()
      : JSON.stringify({ ...signFileRefs(body, deps), request_id: REQUEST_ID })
  }
  const scenarios: Record<string, (n: Client, version: string) => Promise<unknown>> = {
    'data-source query': (n: Client) => n.dataSources.query({ data_source_id: mainDs, page_size: 100 }),
    search: (n: Client) => n.search({ query: 'Order', filter: { property: 'object', value: 'page' }, page_size: 100 }),
    // The cost of one call through HTTP and the SDK that no list changes: the same under both versions.
    'floor: GET /v1/users/me': (n: Client) => n.users.me({}),
    // Last: a long stretch without HTTP lets the server close the SDK's idle keep-alive socket.
    'data-source query, server side': (_n: Client, version: string) => serverSide(version),
  }
  const out: Record<string, unknown>[] = []
  const VERSIONS = ['2026-03-11', '2026-12-01'] as const
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b)
  const at = (v: number[], q: number) => Number((v[Math.min(v.length - 1, Math.floor(q * v.length))] as number).toFixed(2))
  const median = (v: number[]) => at(sorted(v), 0.5)
  for (const [name, run] of Object.entries(scenarios)) {
    if (ONLY !== undefined && !name.includes(ONLY)) continue
    const runs = Object.fromEntries(
      VERSIONS.map((v) => [
        v,
        { times: [] as number[], cpu: [] as number[], roundP50: [] as number[], roundCpu: [] as number[], props: 0, bytes: 0 },
      ]),
    )
    const clients = Object.fromEntries(VERSIONS.map((v) => [v, client(v)]))
    for (const version of VERSIONS) {
      const n = clients[version] as Client
      const r = runs[version] as (typeof runs)[string]
      const answer = await run(n, version)
      const first = (typeof answer === 'string' ? JSON.parse(answer) : answer) as { results?: { properties?: Record<string, unknown> }[] }
      r.bytes = typeof answer === 'string' ? answer.length : JSON.stringify(first).length
      r.props = Object.keys(first.results?.[0]?.properties ?? {}).length
      if (first.results && first.results.length !== 100) throw new Error(`${name}: expected 100 results, got ${first.results.length}`)
      for (let i = 0; i < 5; i++) await run(n, version)
    }
    // Rounds alternate the two versions, so that both see the same load (--rounds; 1 by default).
    for (let round = 0; round < ROUNDS; round++) {
      for (const version of VERSIONS) {
        const n = clients[version] as Client
        const r = runs[version] as (typeof runs)[string]
        const profile = round === 0 && PROFILE === `${name}@${version}` ? join(tmpdir(), 'title-only.cpuprofile') : undefined
        const { cpu, times } = await timeCalls(() => run(n, version), ITERATIONS, profile)
        r.times.push(...times)
        r.cpu.push(...cpu)
        r.roundP50.push(median(times))
        r.roundCpu.push(median(cpu))
      }
    }
    const med: Record<string, number> = {}
    for (const version of VERSIONS) {
      const r = runs[version] as (typeof runs)[string]
      const times = sorted(r.times)
      const cpu = sorted(r.cpu)
      med[version] = at(times, 0.5)
      med[`${version} cpu`] = at(cpu, 0.5)
      out.push({
        scenario: name,
        version,
        properties_per_page: r.props,
        answer_bytes: r.bytes,
        iterations: ITERATIONS,
        ...(ROUNDS > 1 ? { rounds: ROUNDS, round_p50_ms: r.roundP50, round_cpu_p50_ms: r.roundCpu } : {}),
        p50_ms: at(times, 0.5),
        p95_ms: at(times, 0.95),
        cpu_p50_ms: at(cpu, 0.5),
        load_1m: Number((loadavg()[0] as number).toFixed(2)),
      })
    }
    const ratio = Number(((med['2026-03-11'] as number) / (med['2026-12-01'] as number)).toFixed(2))
    const cpuRatio = Number(((med['2026-03-11 cpu'] as number) / (med['2026-12-01 cpu'] as number)).toFixed(2))
    const [full, title] = VERSIONS.map((v) => runs[v] as (typeof runs)[string])
    const roundRatios = full?.roundP50.map((x, i) => Number((x / (title?.roundP50[i] as number)).toFixed(2))) ?? []
    const roundCpuRatios = full?.roundCpu.map((x, i) => Number((x / (title?.roundCpu[i] as number)).toFixed(2))) ?? []
    out.push({
      scenario: name,
      speedup_p50: ratio,
      speedup_cpu_p50: cpuRatio,
      ...(ROUNDS > 1
        ? { round_speedup_p50: roundRatios, round_speedup_cpu_p50: roundCpuRatios, median_round_speedup_p50: median(roundRatios) }
        : {}),
      ...(name.startsWith('floor') ? {} : { goal: 3, met: ratio >= 3 }),
    })
  }
  console.table(out)
  const day = new Date().toISOString().slice(0, 10)
  const file = OUT ?? join('bench', 'results', `title-only-${day}.json`)
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, rows: 100, results: out }, null, 2)}\n`,
  )
  console.log(`wrote ${file}`)
} finally {
  await close()
}
