import type { Hono } from 'hono'
import * as z from 'zod'
import { isAdjustable, parseDuration, type AdjustableClock } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import type { Deps } from '../services/deps.js'
import { loadFixture } from '../services/fixtures.service.js'
import { deleteSnapshot, listSnapshots, restoreSnapshot, saveSnapshot } from '../services/snapshots.service.js'
import type { AdminHelpers } from './pats.routes.js'

/**
 * The emulator kit's admin routes (ADR 23) on Octavo's admin API (`/_octavo/admin`, admin key):
 *
 * | Method and path | Does |
 * |---|---|
 * | `GET /clock` | the server clock: `{mode: "system"|"frozen"|"shifted", now, offset_ms}` |
 * | `POST /clock` `{action: "freeze", to?}` | stop time (at `to`, ISO-8601, or now) |
 * | `POST /clock` `{action: "set", to}` | jump to `to` (stays frozen when frozen) |
 * | `POST /clock` `{action: "advance", by}` | move forward by `by`: milliseconds, or `"90d"`, `"10m"`, `"1h30m"`, `"250ms"` |
 * | `POST /clock` `{action: "resume"}` | back to the wall clock |
 * | `GET /snapshots` | `{snapshots: [{name, created_time, size}]}` |
 * | `POST /snapshots` `{name}` | take (or replace) snapshot `name` of the whole store → 201 |
 * | `POST /snapshots/{name}/restore` | replace the whole store with it |
 * | `DELETE /snapshots/{name}` | drop it |
 * | `POST /fixtures` `{fixture, reset?}` | load a fixture (docs/fixture.schema.json) through the services; `reset: true` empties the store first → 201 with the ids, tokens and client secrets made |
 *
 * Errors: the admin API's `{object:"error", status, code, message}`: `invalid_input` (bad action, time or
 * duration, bad snapshot name), `not_found` (no such snapshot), `conflict` (the server's clock or store
 * cannot do it).
 */
export function registerEmulatorAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: Pick<AdminHelpers, 'body'>): void {
  const clock = (): AdjustableClock => {
    if (!isAdjustable(deps.clock)) throw new DomainError('conflict', 'This server runs on a clock that cannot be moved.')
    return deps.clock
  }
  const time = (iso: string): number => {
    const ms = Date.parse(iso)
    if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(ms))
      throw new DomainError('invalid_input', `to: "${iso}" is not an ISO-8601 date-time (e.g. 2026-01-31T09:00:00Z).`)
    return ms
  }
  const ClockMove = z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('freeze'), to: z.string().optional() }),
    z.strictObject({ action: z.literal('set'), to: z.string() }),
    z.strictObject({ action: z.literal('advance'), by: z.union([z.number().int().nonnegative(), z.string()]) }),
    z.strictObject({ action: z.literal('resume') }),
  ])
  app.get('/clock', (c) => c.json(clock().state()))
  app.post('/clock', async (c) => {
    const b = await h.body(c, ClockMove)
    const k = clock()
    switch (b.action) {
      case 'freeze':
        return c.json(k.freeze(b.to === undefined ? undefined : time(b.to)))
      case 'set':
        return c.json(k.set(time(b.to)))
      case 'advance': {
        const ms = typeof b.by === 'number' ? b.by : parseDuration(b.by)
        if (ms === undefined)
          throw new DomainError('invalid_input', `by: "${String(b.by)}" is not a duration (e.g. 90d, 10m, 1h30m, 250ms).`)
        return c.json(k.advance(ms))
      }
      case 'resume':
        return c.json(k.resume())
    }
  })

  app.post('/fixtures', async (c) => {
    const b = await h.body(c, z.strictObject({ fixture: z.unknown(), reset: z.boolean().optional() }))
    return c.json(await loadFixture(deps, b.fixture, { reset: b.reset ?? false }), 201)
  })

  app.get('/snapshots', (c) => c.json({ snapshots: listSnapshots(deps) }))
  app.post('/snapshots', async (c) => {
    const b = await h.body(c, z.strictObject({ name: z.string() }))
    return c.json(await saveSnapshot(deps, b.name), 201)
  })
  app.post('/snapshots/:name/restore', async (c) => c.json({ restored: await restoreSnapshot(deps, c.req.param('name')) }))
  app.delete('/snapshots/:name', async (c) => {
    await deleteSnapshot(deps, c.req.param('name'))
    return c.json({ deleted: true })
  })
}
