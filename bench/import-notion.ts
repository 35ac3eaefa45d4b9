/**
 * Benchmark of `octavo import-notion` (issue 18, ADR 31). Not a test.
 *
 *   npx tsx bench/import-notion.ts [--sections N]      (npm run bench:import)
 *
 * Both Octavos in this process on in-memory SQLite stores (`octavo/testing`): the source holds N sections
 * of 1 + 49 pages (a heading, a paragraph and a to-do each) and a 100-row database; its connection sees all
 * of it. The import (services/import-notion, as the CLI runs it) copies it into an empty store; then a second
 * run over the finished copy (what a resumed run costs when nothing is left). Reported: wall time, source
 * requests (counted at the SDK's fetch), objects per second.
 * Output: a table on stdout and bench/results/import-notion-<YYYY-MM-DD>.json.
 */
import { Client, LogLevel } from '@notionhq/client'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { importNotion } from '../src/services/import-notion/import-notion.service.js'
import { startOctavo } from '../src/testing.js'

const args = process.argv.slice(2)
const sectionsArg = args.indexOf('--sections')
const SECTIONS = sectionsArg >= 0 ? Number(args[sectionsArg + 1]) : 4

const para = (text: string) => ({ paragraph: { rich_text: [{ text: { content: text } }] } })
const page = (title: string) => ({
  title,
  content: [
    { heading_2: { rich_text: [{ text: { content: title } }] } },
    para(`Body of ${title}.`),
    { to_do: { rich_text: [{ text: { content: 'Check' } }] } },
  ],
})
const sections = Array.from({ length: SECTIONS }, (_, s) => ({
  ...page(`Section ${s}`),
  key: `s${s}`,
  children: Array.from({ length: 49 }, (_, p) => page(`Page ${s}.${p}`)),
}))
const fixture = {
  workspaces: [
    {
      name: 'Source',
      people: [{ name: 'Ada', email: 'ada@source.test', role: 'owner' as const }],
      pages: [
        ...sections,
        {
          type: 'database' as const,
          key: 'db',
          title: 'Tasks',
          properties: { Name: { title: {} }, Points: { number: {} } },
          rows: Array.from({ length: 100 }, (_, i) => ({
            properties: { Name: { title: [{ text: { content: `Task ${i}` } }] }, Points: { number: i } },
          })),
        },
      ],
      connections: [{ name: 'Reader', shared_with: [...sections.map((s) => s.key), 'db'] }],
    },
  ],
}

const source = await startOctavo({ fixture })
const target = await startOctavo({ fixture: 'empty' })
const stateDir = mkdtempSync(join(tmpdir(), 'octavo-import-bench-'))
let requests = 0
const counting: typeof fetch = (input, init) => {
  requests++
  return fetch(input, init)
}
const client = new Client({ auth: source.tokens.Reader!, baseUrl: source.url, fetch: counting, logLevel: LogLevel.ERROR, logger: () => {} })

const run = async (newWorkspace: boolean) => {
  requests = 0
  const t0 = performance.now()
  const result = await importNotion(target.server.deps, {
    source: client,
    sourceBaseUrl: source.url,
    stateDir,
    ...(newWorkspace ? { newWorkspace: { name: 'Copy', owner: { name: 'Ada', email: 'ada@source.test', role: 'owner' as const } } } : {}),
  })
  return { ms: Math.round(performance.now() - t0), requests, counts: result.counts, already_present: result.already_present }
}

const first = await run(true)
const second = await run(false)
const objects = first.counts.pages + first.counts.rows + first.counts.databases + first.counts.blocks
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadavg: loadavg().map((x) => Math.round(x * 10) / 10),
  source: { sections: SECTIONS, pages: SECTIONS * 50, blocks: SECTIONS * 50 * 3, rows: 100 },
  first_run: {
    ...first,
    objects_per_s: Math.round((objects / first.ms) * 1000),
    ms_per_request: Math.round((first.ms / first.requests) * 10) / 10,
  },
  rerun_nothing_left: second,
}
console.log(
  [
    `import-notion, ${SECTIONS * 50} pages × 3 blocks + 100 rows, load ${out.loadavg.join('/')}`,
    `first run:  ${first.ms} ms, ${first.requests} source requests, ${out.first_run.objects_per_s} objects/s (${objects} objects)`,
    `second run: ${second.ms} ms, ${second.requests} source requests, ${second.already_present} already present`,
  ].join('\n'),
)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL(`./results/import-notion-${out.date.slice(0, 10)}.json`, import.meta.url), `${JSON.stringify(out, null, 2)}\n`)
await source.close()
await target.close()
rmSync(stateDir, { recursive: true, force: true })
