import type { SizeName } from './generate.js'

/**
 * The harness's plug-in contract (bench/run.ts): a suite is a name and a `run(ctx)` that returns
 * rows for the results table. Suites run in order; one failing is reported as a row and the rest go
 * on. Another process can be a suite too (`childProcessSuite` in suites/external.ts).
 */

/** One line of the results table (and of `bench/results/<date>.json`). */
export interface Row {
  suite: string
  /** What was measured, e.g. `GET /v1/pages/{id}, share 20 levels up`. */
  name: string
  /** Workspace size it ran on. */
  size?: string
  /** The store the server ran on: `sqlite` (the default when absent) or `postgres`. */
  store?: 'sqlite' | 'postgres'
  /** Throughput at saturation, responses per second. */
  rps?: number
  /** Server CPU time per response at saturation, ms: less sensitive to other load on the machine. */
  cpuMs?: number
  /** The reference's CPU per response divided by this row's (the CPU-time view of `ratio`). */
  cpuRatio?: number
  /** `rps` divided by the reference's (`ratioOf`): hello-world for workloads, the smallest case for scaling. */
  ratio?: number
  ratioOf?: string
  /** Latency percentiles (ms) at the fixed rate `rate` (half of the workload's own saturation). */
  p50?: number
  p95?: number
  p99?: number
  rate?: number
  /** Other measurements (memory, start-up), with their unit. */
  value?: number
  unit?: string
  /** Responses with an unexpected status, socket errors and timeouts (all runs of the row). */
  errors?: number
  /** The target for this row and whether it was met. */
  target?: string
  met?: boolean
  note?: string
  /** 1-minute load average of the machine when the row's suite started (other work shares the cores). */
  load?: number
}

export interface Timing {
  /** Seconds of warm-up before measuring a workload (0: none, quick runs). */
  warm: number
  /** Seconds at saturation. */
  saturate: number
  /** Seconds at the fixed rate. */
  fixed: number
  /** Concurrent connections at saturation. */
  connections: number
}

export interface BenchContext {
  quick: boolean
  /** Workspace size of the main workload suite. */
  size: SizeName
  seed: number
  timing: Timing
  /** Whether `--only` selects this workload or suite (true when `--only` is absent). */
  selected(name: string): boolean
  /** Extra Node flags for every server process (e.g. `--cpu-prof`). */
  nodeFlags: string[]
  /** A fresh scratch directory for this run (removed at the end). */
  tmp: string
  log(message: string): void
  /** Values suites share (e.g. the hello-world baseline, memory at size L). */
  shared: Map<string, unknown>
  /** PostgreSQL runs, when selected (`--stores`/`--store`): the server URL and the workspace size. */
  postgres?: { url: string; size: SizeName }
}

export interface Suite {
  name: string
  /** The store it measures: `sqlite` when absent (skipped by `--store postgres`). */
  store?: 'sqlite' | 'postgres'
  run(ctx: BenchContext): Promise<Row[]>
}
