import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { tokenFromSeed } from '../auth/token-format.js'
import { DomainError } from '../errors/domain-error.js'
import { configFor, print } from './runtime.js'

/**
 * `octavo clock …` and `octavo snapshot …` (ADR 23). The clock and the snapshots belong to a running
 * server (they live in its process), so these commands call its admin API: `--url` (default
 * `OCTAVO_PUBLIC_URL`, else `http://<OCTAVO_HOST>:<OCTAVO_PORT>`) with the data directory's admin key
 * (`OCTAVO_ADMIN_KEY` or `admin.key`). Failures: the admin API's message, exit 1.
 */

interface Target {
  url?: string
}

async function admin(cmd: Command, method: string, path: string, body?: unknown): Promise<unknown> {
  const config = configFor(cmd)
  const base = ((cmd.optsWithGlobals() as Target).url ?? config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/$/, '')
  let res: Response
  try {
    res = await fetch(`${base}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${config.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  } catch (err) {
    throw new Error(
      `Cannot reach the Octavo server at ${base} (${(err as Error).message}); start it with \`octavo serve\` or pass --url.`,
      {
        cause: err,
      },
    )
  }
  const json = (await res.json().catch(() => ({}))) as { code?: string; message?: string }
  if (!res.ok) {
    const code = ['forbidden', 'not_found', 'invalid_input', 'conflict', 'unauthorized'].includes(json.code ?? '') ? json.code : 'conflict'
    throw new DomainError(code as 'conflict', json.message ?? `The server answered ${res.status}.`)
  }
  return json
}

interface ClockState {
  mode: string
  now: string
  offset_ms: number
}
const clockLine = (s: ClockState) => `${s.now} (${s.mode}${s.mode === 'system' ? '' : `, offset ${s.offset_ms} ms`})`

/** Registers `clock`, `snapshot` and `fixture`. */
export function emulatorCommands(program: Command): void {
  const fixture = program.command('fixture').description('declarative fixtures (docs/testing.md, docs/fixture.schema.json)')
  fixture
    .command('token <seed>')
    .description('print a well-formed fixed token derived from <seed> (for a fixture\'s "token" field)')
    .option('--kind <kind>', 'internal (ntn_1…, connections) or personal (ntn_2…, PATs)', 'internal')
    .action((seed: string, o: { kind: string }, cmd: Command) => {
      if (o.kind !== 'internal' && o.kind !== 'personal') throw new DomainError('invalid_input', '--kind must be internal or personal.')
      print(cmd, { token: tokenFromSeed(o.kind, seed) }, (r) => r.token)
    })
  fixture
    .command('load <file>')
    .description('load a JSON fixture into a running server (its admin API)')
    .option('--url <url>', 'the server (default $OCTAVO_PUBLIC_URL or http://$OCTAVO_HOST:$OCTAVO_PORT)')
    .option('--reset', 'empty the store first')
    .action(async (file: string, o: { reset?: boolean }, cmd: Command) => {
      let document: unknown
      try {
        document = JSON.parse(readFileSync(file, 'utf8')) as unknown
      } catch (err) {
        throw new DomainError('invalid_input', `Cannot read the fixture ${file}: ${(err as Error).message}`)
      }
      print(cmd, await admin(cmd, 'POST', '/fixtures', { fixture: document, reset: o.reset === true }), (r) =>
        (r as { workspaces: { name: string; id: string }[] }).workspaces.map((w) => `Loaded workspace "${w.name}": ${w.id}`).join('\n'),
      )
    })

  const clock = program
    .command('clock')
    .description("read or move a running server's clock (PAT expiry, OAuth codes, rate-limit windows follow it)")
    .option('--url <url>', 'the server (default $OCTAVO_PUBLIC_URL or http://$OCTAVO_HOST:$OCTAVO_PORT)')
  clock
    .command('show', { isDefault: true })
    .description('the server time and mode')
    .action(async (_o, cmd: Command) => print(cmd, (await admin(cmd, 'GET', '/clock')) as ClockState, clockLine))
  clock
    .command('freeze [time]')
    .description('stop time (at an ISO-8601 time, or now)')
    .action(async (time: string | undefined, _o, cmd: Command) =>
      print(cmd, (await admin(cmd, 'POST', '/clock', { action: 'freeze', ...(time ? { to: time } : {}) })) as ClockState, clockLine),
    )
  clock
    .command('set <time>')
    .description('jump to an ISO-8601 time')
    .action(async (time: string, _o, cmd: Command) =>
      print(cmd, (await admin(cmd, 'POST', '/clock', { action: 'set', to: time })) as ClockState, clockLine),
    )
  clock
    .command('advance <duration>')
    .description('move forward: 90d, 10m, 1h30m, 250ms')
    .action(async (by: string, _o, cmd: Command) =>
      print(cmd, (await admin(cmd, 'POST', '/clock', { action: 'advance', by })) as ClockState, clockLine),
    )
  clock
    .command('resume')
    .description('back to the wall clock')
    .action(async (_o, cmd: Command) => print(cmd, (await admin(cmd, 'POST', '/clock', { action: 'resume' })) as ClockState, clockLine))

  const snapshot = program
    .command('snapshot')
    .description("save and restore named snapshots of a running server's whole store")
    .option('--url <url>', 'the server (default $OCTAVO_PUBLIC_URL or http://$OCTAVO_HOST:$OCTAVO_PORT)')
  snapshot
    .command('list', { isDefault: true })
    .description('the snapshots held by the server')
    .action(async (_o, cmd: Command) =>
      print(
        cmd,
        (await admin(cmd, 'GET', '/snapshots')) as { snapshots: { name: string; created_time: string; size: number | string }[] },
        (r) => r.snapshots.map((s) => `${s.name}\t${s.created_time}\t${s.size}`).join('\n') || 'No snapshots.',
      ),
    )
  snapshot
    .command('save <name>')
    .description('take (or replace) snapshot <name>')
    .action(async (name: string, _o, cmd: Command) =>
      print(cmd, (await admin(cmd, 'POST', '/snapshots', { name })) as { name: string }, (s) => `Saved snapshot ${s.name}.`),
    )
  snapshot
    .command('restore <name>')
    .description('replace the whole store with snapshot <name>')
    .action(async (name: string, _o, cmd: Command) =>
      print(cmd, await admin(cmd, 'POST', `/snapshots/${encodeURIComponent(name)}/restore`), () => `Restored snapshot ${name}.`),
    )
  snapshot
    .command('delete <name>')
    .description('drop snapshot <name>')
    .action(async (name: string, _o, cmd: Command) =>
      print(cmd, await admin(cmd, 'DELETE', `/snapshots/${encodeURIComponent(name)}`), () => `Deleted snapshot ${name}.`),
    )
}
