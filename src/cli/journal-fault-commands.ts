import type { Command } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import type { JournalEntry } from '../http/emulator/journal.js'
import { configFor, globalsOf, print } from './runtime.js'

/**
 * `octavo requests tail` and `octavo faults …` (ADR 22, docs/emulator.md). The journal and the fault
 * rules live in the memory of a running server, so these commands talk to its admin API
 * (`/_octavo/admin/requests`, `/_octavo/admin/faults`) rather than to the store: `--url` (else
 * `OCTAVO_URL`, else `OCTAVO_PUBLIC_URL`, else `http://<OCTAVO_HOST>:<OCTAVO_PORT>`) with the admin
 * key of the same configuration (`OCTAVO_ADMIN_KEY` or `<data dir>/admin.key`). `--follow` polls
 * every `--interval` ms with `after=<last id>`, so nothing is printed twice and nothing is missed
 * while fewer than the journal's size arrive between two polls.
 */

interface Target {
  url: string
  key: string
}

function targetOf(cmd: Command, url: string | undefined): Target {
  const config = configFor(cmd)
  const base = url ?? process.env.OCTAVO_URL ?? config.publicUrl ?? `http://${config.host}:${config.port}`
  return { url: base.replace(/\/$/, ''), key: config.adminKey }
}

/** One admin API call. @throws DomainError with the server's message, or when it cannot be reached. */
async function call(t: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response
  try {
    res = await fetch(`${t.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${t.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch (err) {
    throw new DomainError(
      'invalid_input',
      `Cannot reach the Octavo server at ${t.url} (${(err as Error).message}); start it with octavo serve or pass --url.`,
    )
  }
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string }
  if (!res.ok)
    throw new DomainError(
      res.status === 404 ? 'not_found' : res.status === 401 ? 'unauthorized' : 'invalid_input',
      json.message ?? `HTTP ${res.status}`,
    )
  return json
}

/** One line per entry, and the reason and fix under a refusal. */
export function formatEntry(e: JournalEntry): string {
  const who = e.caller ? e.caller.name : '-'
  const head = `${e.time}  ${e.status} ${e.method} ${e.path}  ${e.endpoint ?? '-'}  ${who}  ${e.duration_ms} ms${e.error_code ? `  ${e.error_code}` : ''}${e.fault ? `  [fault ${e.fault}]` : ''}`
  return e.explanation ? `${head}\n    why: ${e.explanation.reason}\n    fix: ${e.explanation.fix}` : head
}

interface TailOptions {
  url?: string
  follow?: boolean
  workspace?: string
  caller?: string
  endpoint?: string
  status?: string
  since?: string
  limit?: string
  interval?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function journalFaultCommands(program: Command): void {
  const requests = program.command('requests').description("the running server's request journal (admin API)")
  requests
    .command('tail')
    .description('print the latest requests (with why a refused one was refused); --follow keeps printing new ones')
    .option('--url <url>', 'server base URL (default $OCTAVO_URL, $OCTAVO_PUBLIC_URL or http://$OCTAVO_HOST:$OCTAVO_PORT)')
    .option('-f, --follow', 'keep polling for new requests until interrupted')
    .option('--workspace <id>', 'only this workspace')
    .option('--caller <name or id>', 'only this connection, PAT or install')
    .option('--endpoint <name>', 'only this SDK endpoint, e.g. pages.retrieve')
    .option('--status <status>', 'only this status (404) or class (4xx)')
    .option('--since <time>', 'only requests at or after this ISO time')
    .option('--limit <n>', 'how many of the latest to print first', '20')
    .option('--interval <ms>', 'polling interval with --follow', '1000')
    .action(async (opts: TailOptions, cmd: Command) => {
      const t = targetOf(cmd, opts.url)
      const json = globalsOf(cmd).json === true
      const params = new URLSearchParams()
      for (const k of ['workspace', 'caller', 'endpoint', 'status', 'since'] as const) if (opts[k]) params.set(k, opts[k])
      let after: number | undefined
      const fetchPage = async (limit: string) => {
        const q = new URLSearchParams(params)
        q.set('limit', limit)
        if (after !== undefined) q.set('after', String(after))
        const { requests: entries } = (await call(t, 'GET', `/requests?${q}`)) as { requests: JournalEntry[] }
        for (const e of entries) process.stdout.write(`${json ? JSON.stringify(e) : formatEntry(e)}\n`)
        const last = entries.at(-1)
        if (last) after = last.id
        return entries
      }
      const first = await fetchPage(opts.limit ?? '20')
      if (!opts.follow) {
        if (first.length === 0 && !json) process.stderr.write('no requests recorded\n')
        return
      }
      after ??= 0
      const interval = Math.max(50, Number(opts.interval ?? 1000) || 1000)
      let stop = false
      const onSignal = () => {
        stop = true
      }
      process.once('SIGINT', onSignal)
      try {
        while (!stop) {
          await sleep(interval)
          await fetchPage('1000')
        }
      } finally {
        process.off('SIGINT', onSignal)
      }
    })
  requests
    .command('clear')
    .description('empty the journal (of one workspace with --workspace)')
    .option('--url <url>', 'server base URL')
    .option('--workspace <id>', 'only this workspace')
    .action(async (opts: { url?: string; workspace?: string }, cmd: Command) => {
      const q = opts.workspace ? `?workspace=${encodeURIComponent(opts.workspace)}` : ''
      const res = (await call(targetOf(cmd, opts.url), 'DELETE', `/requests${q}`)) as { cleared: number }
      print(cmd, res, (r) => `cleared ${r.cleared} requests`)
    })

  const faults = program.command('faults').description("the running server's fault rules (admin API)")
  faults
    .command('add')
    .description(
      'add a fault rule: match (endpoint, method, path, caller, workspace) × fire (times, probability) × action (error, latency, drop)',
    )
    .option('--url <url>', 'server base URL')
    .option('--id <id>', 'rule id (default fault_<n>)')
    .option('--endpoint <name>', 'SDK endpoint, e.g. pages.retrieve')
    .option('--method <method>', 'GET, POST, PATCH or DELETE')
    .option('--path <pattern>', 'path pattern, e.g. /v1/pages/* or /v1/blocks/**')
    .option('--caller <name or id>', 'connection, PAT or public connection')
    .option('--workspace <id>', 'workspace id')
    .option('--times <n>', 'fire for the next n matches only')
    .option('--probability <p>', 'fire with probability p (0–1)')
    .option('--seed <n>', 'seed for --probability and latency ranges')
    .option('--error <code>', 'rate_limited, internal_server_error, bad_gateway, service_unavailable, gateway_timeout or conflict_error')
    .option('--retry-after <s>', 'Retry-After seconds for rate_limited (default 1)')
    .option('--latency <ms>', 'delay: a number of ms, or a range min-max')
    .option('--drop', 'drop the connection without an answer')
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const num = (v: unknown) => (v === undefined ? undefined : Number(v))
      const latency = typeof opts.latency === 'string' ? opts.latency.split('-').map(Number) : undefined
      const rule = Object.fromEntries(
        Object.entries({
          id: opts.id,
          endpoint: opts.endpoint,
          method: opts.method,
          path: opts.path,
          caller: opts.caller,
          workspace: opts.workspace,
          times: num(opts.times),
          probability: num(opts.probability),
          seed: num(opts.seed),
          error: opts.error,
          retry_after: num(opts.retryAfter),
          latency: latency ? (latency.length === 2 ? { min_ms: latency[0], max_ms: latency[1] } : { ms: latency[0] }) : undefined,
          drop: opts.drop ? true : undefined,
        }).filter(([, v]) => v !== undefined),
      )
      const res = (await call(targetOf(cmd, opts.url as string | undefined), 'POST', '/faults', rule)) as { id: string }
      print(cmd, res, (r) => `added fault rule ${r.id}`)
    })
  faults
    .command('list')
    .description('list the active fault rules')
    .option('--url <url>', 'server base URL')
    .action(async (opts: { url?: string }, cmd: Command) => {
      const res = (await call(targetOf(cmd, opts.url), 'GET', '/faults')) as { faults: { id: string; fired: number }[] }
      print(cmd, res, (r) =>
        r.faults.length ? r.faults.map((f) => `${f.id}  fired ${f.fired}  ${JSON.stringify(f)}`).join('\n') : 'no fault rules',
      )
    })
  faults
    .command('remove <id>')
    .description('remove one fault rule')
    .option('--url <url>', 'server base URL')
    .action(async (id: string, opts: { url?: string }, cmd: Command) => {
      const res = await call(targetOf(cmd, opts.url), 'DELETE', `/faults/${encodeURIComponent(id)}`)
      print(cmd, res, () => `removed fault rule ${id}`)
    })
  faults
    .command('clear')
    .description('remove every fault rule')
    .option('--url <url>', 'server base URL')
    .action(async (opts: { url?: string }, cmd: Command) => {
      const res = (await call(targetOf(cmd, opts.url), 'DELETE', '/faults')) as { cleared: number }
      print(cmd, res, (r) => `removed ${r.cleared} fault rules`)
    })
}
