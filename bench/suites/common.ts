import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateToken } from '../../src/auth/token-format.js'
import { DATA_SOURCE_QUERY, SIZES, type Manifest, type SizeName, type WorkspaceSpec } from '../lib/generate.js'
import { runLoad, type LoadResult, type Workload } from '../lib/load.js'
import { spawnServer, type ServerProcess } from '../lib/proc.js'
import { prepareStore } from '../lib/store-cache.js'
import type { BenchContext, Row } from '../lib/types.js'

/** Helpers shared by the suites: measuring a workload, the hello-world baseline, serving a workspace. */

export interface Measured {
  saturated: LoadResult
  fixed: LoadResult
  /** Server CPU time per response during the saturation run, ms (robust to other load on the machine). */
  cpuMsPerRequest: number
  /** Measured by request count (under 5 req/s): latencies come from sequential requests, not half load. */
  slow: boolean
}

/**
 * Waits until the server answers a trivial request again: requests still in flight when a run
 * stops (slow workloads queue up) must not be billed to the next run.
 */
async function drain(url: string): Promise<void> {
  const until = Date.now() + 120_000
  while (Date.now() < until) {
    const t = Date.now()
    try {
      const res = await fetch(`${url}/_octavo/health`)
      await res.arrayBuffer()
      if (Date.now() - t < 50) return
    } catch {
      /* the hello server has no such route; any answer will do */
      return
    }
  }
}

/**
 * Warm-up, then saturation (closed loop), then a fixed rate at half the measured saturation throughput,
 * evenly paced and timed from each request's scheduled time (`runPaced`, ADR 41).
 */
export async function measure(ctx: BenchContext, server: ServerProcess, w: Workload, onSample?: () => void): Promise<Measured> {
  const t = ctx.timing
  const url = server.url
  const timer = onSample ? setInterval(onSample, 200) : undefined
  try {
    // No warm-up when `t.warm` is 0 (quick runs: autocannon runs last whole seconds, and a quick run
    // is a smoke test of the harness, not a measurement).
    const warm = t.warm > 0 ? await runLoad(url, w, { seconds: t.warm, connections: 2 }) : undefined
    if (warm) await drain(url)
    // A slow workload (under 50 req/s in the warm-up) saturates the single-threaded server with two
    // connections; more would only queue requests that outlive the run.
    const connections = warm && warm.rps < 50 ? 2 : t.connections
    // Under 5 req/s (e.g. a data-source query over 100,000 rows), a few seconds hold too few
    // responses: count requests instead (6 at saturation, then 5 in sequence for the latencies).
    const slow = warm !== undefined && warm.rps < 5
    const cpu0 = server.cpuMs()
    const saturated = await runLoad(url, w, slow ? { seconds: 600, connections, amount: 6 } : { seconds: t.saturate, connections })
    const cpuMsPerRequest = saturated.requests > 0 ? (server.cpuMs() - cpu0) / saturated.requests : Number.NaN
    await drain(url)
    const fixed = await runLoad(
      url,
      w,
      slow ? { seconds: 600, connections: 1, amount: 5 } : { seconds: t.fixed, connections, rate: Math.max(1, saturated.rps / 2) },
    )
    await drain(url)
    ctx.log(
      `  ${w.name.padEnd(22)} ${saturated.rps.toFixed(0).padStart(7)} req/s  cpu ${cpuMsPerRequest.toFixed(3)} ms/req   p50 ${fixed.p50.toFixed(2)} p95 ${fixed.p95.toFixed(2)} p99 ${fixed.p99.toFixed(2)} ms ${fixed.offeredRate ? `at ${fixed.offeredRate}/s (late p99 ${fixed.lateP99?.toFixed(2)} ms)` : 'in sequence'}${saturated.errors + fixed.errors ? `   ${saturated.errors + fixed.errors} unexpected` : ''}`,
    )
    return { saturated, fixed, cpuMsPerRequest, slow }
  } finally {
    if (timer) clearInterval(timer)
  }
}

/** A row from a measurement, with throughput as a ratio to `reference` req/s. */
export function rowOf(
  suite: string,
  name: string,
  size: string,
  m: Measured,
  reference: number | undefined,
  ratioOf: string,
  referenceCpuMs?: number,
): Row {
  return {
    suite,
    name,
    size,
    rps: m.saturated.rps,
    cpuMs: m.cpuMsPerRequest,
    ...(referenceCpuMs ? { cpuRatio: referenceCpuMs / m.cpuMsPerRequest } : {}),
    ...(reference ? { ratio: m.saturated.rps / reference, ratioOf } : {}),
    p50: m.fixed.p50,
    p95: m.fixed.p95,
    p99: m.fixed.p99,
    rate: m.fixed.offeredRate ?? undefined,
    errors: m.saturated.errors + m.fixed.errors,
    ...(m.slow ? { note: 'under 5 req/s: 6 requests at saturation (2 connections); latencies of 5 sequential requests' } : {}),
  }
}

const HELLO: Workload = {
  name: 'hello',
  title: 'GET /hello (hello-world baseline)',
  method: 'GET',
  path: () => '/hello',
  expectStatus: 200,
}

/**
 * Measures the hello-world baseline in its own process (same Node flags as Octavo). Each call is a
 * fresh measurement; suites keep the one they use.
 */
export async function measureHello(ctx: BenchContext): Promise<Measured> {
  const hello = await spawnServer('hello', { nodeFlags: ctx.nodeFlags, cwd: ctx.tmp })
  try {
    return await measure(ctx, hello, HELLO)
  } finally {
    await hello.stop()
  }
}

const BARE: Workload = {
  name: 'bare',
  title: 'bare node:http server, same JSON body as the page read',
  method: 'GET',
  path: () => '/v1/pages/bare',
  expectStatus: 200,
}

/**
 * Measures the bare baseline of issue 19: a plain `node:http` server (bench/bare-server.mjs) in its
 * own process, answering every request with `body` (the page read's JSON, fetched from Octavo by the
 * caller), driven by the same autocannon in this process. Each call is a fresh measurement. `workUs`:
 * microseconds of CPU it spends before each answer (a busy wait; bench/ratio-floor.ts).
 */
export async function measureBare(ctx: BenchContext, body: string, workUs?: number): Promise<Measured> {
  const bodyFile = join(ctx.tmp, `bare-body-${Date.now()}.json`)
  writeFileSync(bodyFile, body)
  const bare = await spawnServer('bare', { nodeFlags: ctx.nodeFlags, cwd: ctx.tmp, bodyFile, workUs })
  try {
    return await measure(ctx, bare, BARE)
  } finally {
    await bare.stop()
  }
}

/**
 * The bare baseline's latencies at a given rate (req/s; a workload's half saturation), paced as `measure`
 * paces its fixed-rate run, after the same warm-up: what the harness and the machine themselves add to a
 * p99 at that rate, with a server doing next to nothing per request (issue 19's p99 goal). Own process.
 */
export async function measureBareAtRate(ctx: BenchContext, body: string, rate: number): Promise<LoadResult> {
  const bodyFile = join(ctx.tmp, `bare-body-${Date.now()}.json`)
  writeFileSync(bodyFile, body)
  const bare = await spawnServer('bare', { nodeFlags: ctx.nodeFlags, cwd: ctx.tmp, bodyFile })
  try {
    const t = ctx.timing
    if (t.warm > 0) await runLoad(bare.url, BARE, { seconds: t.warm, connections: 2 })
    return await runLoad(bare.url, BARE, { seconds: t.fixed, connections: t.connections, rate })
  } finally {
    await bare.stop()
  }
}

/** The workspace spec for a named store: a size, or a size with another number of shares. */
export function specOf(size: SizeName, shares?: number): WorkspaceSpec {
  return shares === undefined ? SIZES[size] : { ...SIZES[size], shares }
}

/** Prepares (from the cache, or generates) a store, copies it into the run's scratch dir and serves it. */
export async function serveWorkspace(
  ctx: BenchContext,
  label: string,
  spec: WorkspaceSpec,
): Promise<{ server: ServerProcess; manifest: Manifest; dataDir: string }> {
  const dataDir = join(ctx.tmp, `${label}-${Date.now()}`)
  const { manifest } = await prepareStore(label, spec, ctx.seed, { copyTo: dataDir, log: ctx.log })
  const server = await spawnServer('octavo', {
    dataDir,
    nodeFlags: ctx.nodeFlags,
    cwd: ctx.tmp,
    ready: { path: '/v1/users/me', token: manifest.connections.bench.token },
    timeoutMs: 120_000,
  })
  return { server, manifest, dataDir }
}

/** A page read as the bench connection, `depth` levels below the page shared with it. */
export function pageAtDepth(m: Manifest, depth: number): Workload {
  const id = m.ids.spine[depth]
  if (!id) throw new Error(`the spine has no page at depth ${depth}`)
  return {
    name: `page_depth${depth}`,
    title: `GET /v1/pages/{id}, share ${depth} level${depth === 1 ? '' : 's'} up`,
    method: 'GET',
    path: () => `/v1/pages/${id}`,
    token: m.connections.bench.token,
    expectStatus: 200,
  }
}

/**
 * A selective title query for the search workload: generated titles are two of ~20 words and a number,
 * so this pair matches about one title in 400 (the one-word `searchQuery` matches one in ten).
 */
const SELECTIVE_QUERY = 'roadmap budget'

/** Search by title as the connection that sees about 10% of the pages. */
export function searchWorkload(m: Manifest): Workload {
  return {
    name: 'search',
    title: `POST /v1/search, title query, sees ${Math.round((100 * m.counts.searchVisiblePages) / m.counts.pages)}% of pages`,
    method: 'POST',
    path: () => '/v1/search',
    body: () => ({ query: m.searchQuery }),
    token: m.connections.search.token,
    expectStatus: 200,
  }
}

function paragraphs(n: number, i: number) {
  return Array.from({ length: n }, (_, k) => ({
    object: 'block',
    type: 'paragraph',
    paragraph: { rich_text: [{ type: 'text', text: { content: `appended ${i}.${k}` } }] },
  }))
}

/** The issue's workload list, in order, over a generated workspace. */
export function workloadsOf(m: Manifest): Workload[] {
  const bench = m.connections.bench.token
  const rows = m.ids.rows
  return [
    { name: 'users_me', title: 'GET /v1/users/me', method: 'GET', path: () => '/v1/users/me', token: bench, expectStatus: 200 },
    { ...pageAtDepth(m, 20), name: 'page_read' },
    {
      name: 'children',
      title: 'GET /v1/blocks/{id}/children (100 per page)',
      method: 'GET',
      path: (i) => `/v1/blocks/${m.ids.contentPages[i % m.ids.contentPages.length]}/children?page_size=100`,
      token: bench,
      expectStatus: 200,
    },
    searchWorkload(m),
    {
      ...searchWorkload(m),
      name: 'search_selective',
      title: `POST /v1/search, two-word title query ("${SELECTIVE_QUERY}", ≈ 0.2% of titles), same connection`,
      body: () => ({ query: SELECTIVE_QUERY }),
    },
    {
      name: 'ds_query',
      title: `POST /v1/data_sources/{id}/query, filter + sort (${m.counts.rows.toLocaleString('en')} rows)`,
      method: 'POST',
      path: () => `/v1/data_sources/${m.ids.dataSourceId}/query`,
      body: () => DATA_SOURCE_QUERY,
      token: bench,
      expectStatus: 200,
    },
    {
      name: 'append',
      title: 'PATCH /v1/blocks/{id}/children, 100 blocks',
      method: 'PATCH',
      path: (i) => `/v1/blocks/${m.ids.appendPages[i % m.ids.appendPages.length]}/children`,
      body: (i) => ({ children: paragraphs(100, i) }),
      token: bench,
      expectStatus: 200,
    },
    {
      name: 'page_update',
      title: 'PATCH /v1/pages/{id}, one property',
      method: 'PATCH',
      path: (i) => `/v1/pages/${rows[i % rows.length]}`,
      body: (i) => ({ properties: { Priority: { number: i % 100 } } }),
      token: bench,
      expectStatus: 200,
    },
    {
      name: 'not_found',
      title: 'GET /v1/pages/{id}, not shared → 404',
      method: 'GET',
      path: () => `/v1/pages/${m.ids.unsharedPage}`,
      token: bench,
      expectStatus: 404,
    },
    {
      name: 'bad_token',
      title: 'GET /v1/users/me, unknown token → 401',
      method: 'GET',
      path: () => '/v1/users/me',
      token: generateToken('internal'),
      expectStatus: 401,
    },
  ]
}
