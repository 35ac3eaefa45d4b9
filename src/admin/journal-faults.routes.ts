import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import * as z from 'zod'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import { MAX_JSON_DEPTH, jsonNestedDeeperThan, parseJsonText } from '../http/body.js'
import type { Emulator } from '../http/emulator/index.js'
import { FaultRuleInput } from '../http/emulator/faults.js'

const JournalQuery = z.strictObject({
  workspace: z.string().min(1).max(100).optional(),
  caller: z.string().min(1).max(200).optional(),
  endpoint: z.string().min(1).max(100).optional(),
  status: z
    .string()
    .regex(/^([1-5]\d\d|[1-5]xx)$/i, 'must be a status (404) or a class (4xx)')
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
})

/**
 * The emulator kit's admin routes (ADR 22, docs/emulator.md), under `/_octavo/admin` with the admin key
 * like the rest of the admin API and in its error shape (`invalid_input`, `not_found`, `unauthorized`):
 *
 * - `GET /requests?workspace=&caller=&endpoint=&status=&since=&until=&after=&limit=` → `{requests:[…]}`,
 *   oldest first, the newest `limit` (default 100) matching entries (http/emulator/journal.ts);
 * - `DELETE /requests[?workspace=]` → `{cleared: <count>}`;
 * - `GET /faults` → `{faults:[…]}`; `POST /faults` (a rule, http/emulator/faults.ts) → 201 the rule;
 *   `DELETE /faults/:id` → `{removed: true}` or 404; `DELETE /faults` → `{cleared: <count>}`.
 */
export function emulatorAdminRoutes(emulator: Emulator, adminKey: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false })
  const expected = createHash('sha256').update(adminKey).digest()
  const paths = ['/requests', '/faults', '/faults/*']
  for (const p of paths) {
    app.use(p, async (c, next) => {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
      if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected))
        throw new DomainError('unauthorized', 'The admin API needs "Authorization: Bearer <admin key>".')
      await next()
    })
  }
  const query = (raw: Record<string, string>) => {
    const parsed = JournalQuery.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new DomainError('invalid_input', `${issue?.path.join('.') || 'query'}: ${issue?.message}`)
    }
    return parsed.data
  }

  app.get('/requests', (c) => {
    const q = query(c.req.query())
    return c.json({
      journal: { size: emulator.journal.size, bodies: emulator.journal.bodies },
      requests: emulator.journal.list(q),
    })
  })
  app.delete('/requests', (c) => {
    const q = query(c.req.query())
    return c.json({ cleared: emulator.journal.clear(q.workspace) })
  })

  app.get('/faults', (c) => c.json({ faults: emulator.faults.list() }))
  app.post('/faults', async (c) => {
    const text = await c.req.text()
    let raw: unknown
    try {
      raw = parseJsonText(text || '{}')
    } catch {
      throw new DomainError('invalid_input', 'The request body is not valid JSON.')
    }
    if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH))
      throw new DomainError('invalid_input', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`)
    const parsed = FaultRuleInput.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new DomainError('invalid_input', `${issue?.path.join('.') || 'body'}: ${issue?.message}`)
    }
    return c.json(emulator.faults.add(parsed.data), 201)
  })
  app.delete('/faults/:id', (c) => {
    if (!emulator.faults.remove(c.req.param('id'))) throw new DomainError('not_found', `No fault rule ${c.req.param('id')}.`)
    return c.json({ removed: true })
  })
  app.delete('/faults', (c) => c.json({ cleared: emulator.faults.clear() }))
  return app
}
