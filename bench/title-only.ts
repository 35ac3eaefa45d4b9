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
import type { NotionVersion } from '../src/domain/versions.js'

const args = process.argv.slice(2)
const iArg = args.indexOf('--iterations')
const ITERATIONS = iArg === -1 ? 40 : Number(args[iArg + 1])
const pArg = args.indexOf('--profile')
const PROFILE = pArg === -1 ? undefined : args[pArg + 1]
const oArg = args.indexOf('--out')
const OUT = oArg === -1 ? undefined : args[oArg + 1]
const onlyArg = args.indexOf('--only')
const ONLY = onlyArg === -1 ? undefined : args[onlyArg + 1]
const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

const { server, close } = await startInProcessServer('octavo-bench-title-')
try {
  const deps = server.deps
  const { root, token } = await sharedWorkspace(deps)
  const client = (notionVersion: string) =>
    new Client({ auth: token, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {}, notionVersion })
  const notion = client('2025-09-03')

  const target = (await notion.databases.create({
    parent: { type: 'page_id', page_id: root.id },
    title: rt('Items'),
    initial_data_source: { properties: { Name: { title: {} }, Amount: { number: {} } } },
  })) as unknown as { data_sources: { id: string }[] }
  const targetDs = (target.data_sources[0] as { id: string }).id
  const items: string[] = []
  for (let i = 0; i < 50; i++) {
    items.push(
      (
        await notion.pages.create({
          parent: { data_source_id: targetDs },
          properties: { Name: { title: rt(`Item ${i}`) }, Amount: { number: i } } as never,
        })
      ).id,
    )
  }
  const main = (await notion.databases.create({
    parent: { type: 'page_id', page_id: root.id },
    title: rt('Orders'),
    initial_data_source: {
      properties: {
        Name: { title: {} },
        Qty: { number: {} },
        Items: { relation: { data_source_id: targetDs, single_property: {} } },
        Double: { formula: { expression: 'prop("Qty") * 2 + length(prop("Name"))' } },
      } as never,
    },
  })) as unknown as { data_sources: { id: string }[] }
  const mainDs = (main.data_sources[0] as { id: string }).id
  await notion.dataSources.update({
    data_source_id: mainDs,
    properties: { Total: { rollup: { relation_property_name: 'Items', rollup_property_name: 'Amount', function: 'sum' } } } as never,
  })
  await notion.dataSources.update({
    data_source_id: mainDs,
    properties: { Score: { formula: { expression: 'prop("Total") / (prop("Qty") + 1)' } } } as never,
  })
  for (let i = 0; i < 100; i++) {
    await notion.pages.create({
      parent: { data_source_id: mainDs },
      properties: {
        Name: { title: rt(`Order ${i}`) },
        Qty: { number: i },
        Items: { relation: [0, 1, 2, 3, 4].map((k) => ({ id: items[(i + k * 7) % 50] as string })) },
      } as never,
    })
  }

  // The same query as the server runs it, without HTTP and the SDK client: authentication, the
  // service and the answer's serialization (signFileRefs + JSON.stringify, as api/router.ts does).
  const serverSide = async (version: string) => {
    const ctx = { caller: await authenticateBearer(deps, `Bearer ${token}`), version: version as NotionVersion }
    const body = await queryDataSource(deps, ctx, mainDs, { page_size: 100 })
    JSON.stringify(signFileRefs(body, deps))
    return body
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
  for (const [name, run] of Object.entries(scenarios)) {
    if (ONLY !== undefined && !name.includes(ONLY)) continue
    const med: Record<string, number> = {}
    for (const version of ['2026-03-11', '2026-12-01']) {
      const n = client(version)
      const first = (await run(n, version)) as { results?: { properties?: Record<string, unknown> }[] }
      const bytes = JSON.stringify(first).length
      const props = Object.keys(first.results?.[0]?.properties ?? {}).length
      if (first.results && first.results.length !== 100) throw new Error(`${name}: expected 100 results, got ${first.results.length}`)
      for (let i = 0; i < 5; i++) await run(n, version)
      const profile = PROFILE === `${name}@${version}` ? join(tmpdir(), 'title-only.cpuprofile') : undefined
      const { cpu, times } = await timeCalls(() => run(n, version), ITERATIONS, profile)
      const p = (q: number) => Number((times[Math.min(times.length - 1, Math.floor(q * times.length))] as number).toFixed(2))
      const cpuP50 = Number((cpu[Math.floor(cpu.length / 2)] as number).toFixed(2))
      med[version] = p(0.5)
      med[`${version} cpu`] = cpuP50
      out.push({
        scenario: name,
        version,
        properties_per_page: props,
        answer_bytes: bytes,
        iterations: ITERATIONS,
        p50_ms: p(0.5),
        p95_ms: p(0.95),
        cpu_p50_ms: cpuP50,
        load_1m: Number((loadavg()[0] as number).toFixed(2)),
      })
    }
    const ratio = Number(((med['2026-03-11'] as number) / (med['2026-12-01'] as number)).toFixed(2))
    const cpuRatio = Number(((med['2026-03-11 cpu'] as number) / (med['2026-12-01 cpu'] as number)).toFixed(2))
    out.push({
      scenario: name,
      speedup_p50: ratio,
      speedup_cpu_p50: cpuRatio,
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
