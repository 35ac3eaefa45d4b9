import { createServer, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Command, Option } from 'commander'
import { WEBHOOK_API_VERSIONS, WEBHOOK_EVENTS } from '../domain/webhooks.js'
import { resolveActor } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import {
  createSubscription,
  deleteSubscription,
  deliveryWorkspace,
  getSubscription,
  listDeliveryLog,
  listSubscriptions,
  redeliver,
  resendVerification,
  revealVerificationToken,
  sendTestEvent,
  setPaused,
  subscriptionWorkspace,
  updateSubscription,
  verifySubscription,
  webhookConnection,
  type PresentedDelivery,
  type PresentedSubscription,
} from '../services/webhooks/subscriptions.service.js'
import { columns, configFor, uuidArg, withStore } from './runtime.js'
import { createDeps } from '../server.js'
import { createLogger } from '../logger.js'

/**
 * `octavo webhooks …`: webhook subscriptions of internal and public connections, their delivery log,
 * redelivery, test events, and `listen` (a temporary subscription streamed to the terminal and
 * forwarded to a local URL, in the manner of `stripe listen`). Same service functions as the admin
 * API (src/admin/webhooks.routes.ts); actions run as `--as` (default: the first owner of the
 * connection's workspace). Deliveries are sent by a running `octavo serve` on the same store.
 */

const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)

function subText(s: PresentedSubscription): string {
  return [
    `Webhook ${s.id} (${s.status})`,
    `  connection: ${s.connection.id} (${s.connection.kind})`,
    `  url: ${s.url}`,
    `  events: ${s.event_types.join(', ')}`,
    `  api_version: ${s.api_version}`,
  ].join('\n')
}

function logText(deliveries: PresentedDelivery[]): string {
  if (deliveries.length === 0) return 'No deliveries.'
  return columns([
    ['ID', 'CREATED', 'TYPE', 'ENTITY', 'STATUS', 'ATTEMPTS', 'CODE', 'MS', 'ERROR'],
    ...deliveries.map((d) => [
      d.id,
      d.created_time,
      d.type,
      d.entity?.id ?? '-',
      d.status,
      String(d.attempts),
      String(d.last_attempt?.status_code ?? '-'),
      String(d.last_attempt?.duration_ms ?? '-'),
      d.last_attempt?.error ?? '',
    ]),
  ])
}

async function subActor(deps: Deps, id: string, as: string | undefined) {
  return resolveActor(deps.store.db, await subscriptionWorkspace(deps.store.db, id), as)
}

/** Registers `webhooks`. Errors: DomainError from the services (exit 1). */
export function webhookCommands(program: Command): void {
  const wh = program.command('webhooks').description('webhook subscriptions: create, verify, log, redeliver, listen')

  wh.command('create <connection-id>')
    .description('subscribe a connection (internal or public) to events at a URL')
    .requiredOption('--url <url>', 'endpoint URL (http or https; localhost allowed)')
    .option('--events <list>', 'event types, comma-separated (default: all)')
    .addOption(new Option('--api-version <date>', 'payload version').choices([...WEBHOOK_API_VERSIONS]).default('2026-03-11'))
    .option('--auto-verify', 'active at once, and print the verification token (tests and scripts)')
    .addOption(asOption())
    .action(
      async (ref: string, opts: { url: string; events?: string; apiVersion: string; autoVerify?: boolean; as?: string }, cmd: Command) => {
        const connectionId = uuidArg(ref, 'connection-id')
        await withStore(
          cmd,
          async (deps) => {
            const { workspaceId } = await webhookConnection(deps.store.db, connectionId)
            return createSubscription(deps, {
              connectionId,
              actorId: await resolveActor(deps.store.db, workspaceId, opts.as),
              url: opts.url,
              eventTypes: opts.events ? list(opts.events) : Object.keys(WEBHOOK_EVENTS),
              apiVersion: opts.apiVersion,
              autoVerify: opts.autoVerify ?? false,
            })
          },
          (r) =>
            [
              subText(r.subscription),
              r.verification_token
                ? `  verification token (signing secret): ${r.verification_token}`
                : 'The endpoint receives a verification_token; enter it with: octavo webhooks verify <id> <token>',
            ].join('\n'),
        )
      },
    )

  wh.command('list <connection-id>')
    .description("a connection's subscriptions")
    .addOption(asOption())
    .action(async (ref: string, opts: { as?: string }, cmd: Command) => {
      const connectionId = uuidArg(ref, 'connection-id')
      await withStore(
        cmd,
        async (deps) => {
          const { workspaceId } = await webhookConnection(deps.store.db, connectionId)
          return { webhooks: await listSubscriptions(deps, connectionId, await resolveActor(deps.store.db, workspaceId, opts.as)) }
        },
        (r) => (r.webhooks.length ? r.webhooks.map(subText).join('\n') : 'No webhook subscriptions.'),
      )
    })

  const byId = (
    name: string,
    description: string,
    run: (deps: Deps, id: string, actorId: string, ...rest: string[]) => Promise<unknown>,
    human: (r: any) => string,
    args = '',
  ) =>
    wh
      .command(`${name} <webhook-id>${args}`)
      .description(description)
      .addOption(asOption())
      .action(async (...a: unknown[]) => {
        const cmd = a.at(-1) as Command
        const opts = a.at(-2) as { as?: string }
        const [ref, ...rest] = a.slice(0, -2) as string[]
        const id = uuidArg(ref ?? '', 'webhook-id')
        await withStore(cmd, async (deps) => run(deps, id, await subActor(deps, id, opts.as), ...rest), human)
      })

  byId('show', 'one subscription', (deps, id, actor) => getSubscription(deps, id, actor), subText)
  byId(
    'verify',
    'enter the verification token the endpoint received',
    (deps, id, actor, token) => verifySubscription(deps, id, actor, token ?? ''),
    subText,
    ' <token>',
  )
  byId(
    'resend',
    'send the verification handshake again',
    (deps, id, actor) => resendVerification(deps, id, actor),
    () => 'Handshake queued.',
  )
  byId(
    'token',
    'print the signing token of a verified subscription',
    async (deps, id, actor) => ({ verification_token: await revealVerificationToken(deps, id, actor) }),
    (r) => r.verification_token,
  )
  byId('pause', 'pause deliveries', (deps, id, actor) => setPaused(deps, id, actor, true), subText)
  byId('resume', 'resume deliveries', (deps, id, actor) => setPaused(deps, id, actor, false), subText)
  byId(
    'test',
    'queue a test event',
    (deps, id, actor) => sendTestEvent(deps, id, actor),
    (d) => `Test event ${d.id} queued.`,
  )
  byId(
    'delete',
    'delete a subscription and its log',
    async (deps, id, actor) => (await deleteSubscription(deps, id, actor), { deleted: true }),
    () => 'Deleted.',
  )

  wh.command('update <webhook-id>')
    .description('change the event types, the api_version, or (before verification) the URL')
    .option('--url <url>', 'endpoint URL')
    .option('--events <list>', 'event types, comma-separated')
    .addOption(new Option('--api-version <date>', 'payload version').choices([...WEBHOOK_API_VERSIONS]))
    .addOption(asOption())
    .action(async (ref: string, opts: { url?: string; events?: string; apiVersion?: string; as?: string }, cmd: Command) => {
      const id = uuidArg(ref, 'webhook-id')
      await withStore(
        cmd,
        async (deps) =>
          updateSubscription(deps, id, await subActor(deps, id, opts.as), {
            ...(opts.url !== undefined ? { url: opts.url } : {}),
            ...(opts.events !== undefined ? { eventTypes: list(opts.events) } : {}),
            ...(opts.apiVersion !== undefined ? { apiVersion: opts.apiVersion } : {}),
          }),
        subText,
      )
    })

  wh.command('deliveries <webhook-id>')
    .description('the delivery log, newest first')
    .option('--limit <n>', 'entries (1–100)', '50')
    .option('--cursor <delivery-id>', 'continue after this entry')
    .addOption(asOption())
    .action(async (ref: string, opts: { limit: string; cursor?: string; as?: string }, cmd: Command) => {
      const id = uuidArg(ref, 'webhook-id')
      await withStore(
        cmd,
        async (deps) =>
          listDeliveryLog(deps, id, await subActor(deps, id, opts.as), {
            limit: Number(opts.limit),
            ...(opts.cursor ? { cursor: opts.cursor } : {}),
          }),
        (r) => logText(r.deliveries) + (r.next_cursor ? `\nMore: --cursor ${r.next_cursor}` : ''),
      )
    })

  wh.command('redeliver <delivery-id>')
    .description('send a finished delivery again')
    .addOption(asOption())
    .action(async (ref: string, opts: { as?: string }, cmd: Command) => {
      const id = uuidArg(ref, 'delivery-id')
      await withStore(
        cmd,
        async (deps) => redeliver(deps, id, await resolveActor(deps.store.db, await deliveryWorkspace(deps.store.db, id), opts.as)),
        (d) => `Delivery ${d.id} queued again.`,
      )
    })

  wh.command('listen <connection-id>')
    .description('temporary subscription: print each delivery and forward it to a local URL (needs a running octavo serve)')
    .option('--forward-to <url>', 'POST each delivery there too, with its headers')
    .option('--events <list>', 'event types, comma-separated (default: all)')
    .addOption(new Option('--api-version <date>', 'payload version').choices([...WEBHOOK_API_VERSIONS]).default('2026-03-11'))
    .addOption(asOption())
    .action(async (ref: string, opts: { forwardTo?: string; events?: string; apiVersion: string; as?: string }, cmd: Command) => {
      const connectionId = uuidArg(ref, 'connection-id')
      await listen(cmd, connectionId, opts)
    })
}

/** `webhooks listen`: see the command's description. Runs until SIGINT/SIGTERM, then deletes its subscription. */
async function listen(cmd: Command, connectionId: string, opts: { forwardTo?: string; events?: string; apiVersion: string; as?: string }) {
  const deps = await createDeps(configFor(cmd), { logger: createLogger('error', process.stderr) })
  const out = (line: string) => process.stdout.write(`${line}\n`)
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      let summary = ''
      try {
        const e = JSON.parse(body.toString('utf8')) as { type?: string; entity?: { id: string }; attempt_number?: number }
        summary = e.type ? `${e.type} ${e.entity?.id ?? ''} (attempt ${e.attempt_number})` : 'verification handshake'
      } catch {
        summary = '(not JSON)'
      }
      if (!opts.forwardTo) {
        out(`${new Date().toISOString()}  --> ${summary}`)
        res.writeHead(200).end()
        return
      }
      const target = new URL(opts.forwardTo)
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest
      const fwd = send(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-notion-signature': String(req.headers['x-notion-signature'] ?? ''),
            'content-length': String(body.length),
          },
        },
        (answer) => {
          answer.resume()
          out(`${new Date().toISOString()}  --> ${summary}  <-- [${answer.statusCode}] POST ${opts.forwardTo}`)
          res.writeHead(answer.statusCode ?? 502).end()
        },
      )
      fwd.on('error', (err) => {
        out(`${new Date().toISOString()}  --> ${summary}  <-- [ERR] ${err.message}`)
        res.writeHead(502).end()
      })
      fwd.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const { workspaceId } = await webhookConnection(deps.store.db, connectionId)
  const actorId = await resolveActor(deps.store.db, workspaceId, opts.as)
  const { subscription, verification_token } = await createSubscription(deps, {
    connectionId,
    actorId,
    url,
    eventTypes: opts.events ? list(opts.events) : Object.keys(WEBHOOK_EVENTS),
    apiVersion: opts.apiVersion,
    autoVerify: true,
  })
  out(`Ready! Webhook ${subscription.id} delivers to ${url}${opts.forwardTo ? ` → ${opts.forwardTo}` : ''}`)
  out(`Your webhook signing secret (verification token) is ${verification_token} (^C to quit)`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await deleteSubscription(deps, subscription.id, actorId).catch(() => {})
  server.close()
  await deps.store.close()
}
