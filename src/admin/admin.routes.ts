import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type Context } from 'hono'
import * as z from 'zod'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import { MAX_JSON_DEPTH, jsonNestedDeeperThan, parseJsonText } from '../http/body.js'
import type { TooLarge } from '../http/middleware/body-limit.js'
import { parseId } from '../domain/ids.js'
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnectionShares,
  listConnections,
  refreshToken,
  revealToken,
  shareWithConnection,
  unshareFromConnection,
  updateCapabilities,
} from '../services/connections.service.js'
import type { Deps } from '../services/deps.js'
import { addMember, createWorkspace, getWorkspace, listWorkspacePages, removeMember, resetStore } from '../services/workspaces.service.js'
import { createPageAsUser } from '../services/setup.service.js'
import { setPassword } from '../services/portal-auth.service.js'
import { createTemplate } from '../services/templates.service.js'
import { findDataSource } from '../storage/repositories/data-sources.repository.js'
import { listAudit } from '../storage/repositories/audit.repository.js'
import { findUser, findUserByEmail, listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import { connectionWorkspace as connectionWorkspaceOf, resolveActor, resolveShareActor } from '../services/actors.js'
import { registerPeopleAdminRoutes } from './people.routes.js'
import { registerPatAdminRoutes } from './pats.routes.js'
import { registerOAuthAdminRoutes } from './oauth.routes.js'
import { registerWebhookAdminRoutes } from './webhooks.routes.js'
import { registerCustomEmojiAdminRoutes } from './custom-emojis.routes.js'
import { registerEmulatorAdminRoutes } from './emulator.routes.js'
import { registerFileUploadAdminRoutes } from './file-uploads.routes.js'
import { CapabilitiesInput, toCapabilities } from './capabilities.schema.js'

/** Whether every `%` in `path` starts a valid UTF-8 percent-encoded sequence. */
function isWellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

/**
 * The admin API's answer to a body over its limit (`bodyLimiter`, run by the front door): 413 in the admin
 * API's error shape `{object:"error", status, code:"invalid_input", message, request_id}`.
 */
export const adminTooLarge: TooLarge = (c, maxBytes) =>
  c.json(
    {
      object: 'error',
      status: 413,
      code: 'invalid_input',
      message: `The request body is too large (the limit is ${Math.round(maxBytes / 1024)} KB).`,
      request_id: c.get('requestId') ?? '',
    },
    413,
  )

/**
 * Octavo's admin API, for test suites and scripts: `/_octavo/admin/*` (named like LocalStack's
 * `/_localstack` and moto's `/moto-api`, so it never collides with Notion's routes). Every call needs
 * `Authorization: Bearer <admin key>`. Actions that Notion reserves to a person (creating a
 * connection, sharing a page) run as the person named by `as` (user id or e-mail), by default the
 * workspace's first owner, and obey the same rules as in the portal. Adding or removing a connection on
 * a page without `as` is the operator's act (no person's rule applies; audited as `admin`). Errors:
 * `{object:"error", status, code, message}` with codes `unauthorized`, `forbidden`, `not_found`,
 * `invalid_input`. Bodies are strict: an unknown key is `invalid_input` naming it; a path that is not
 * valid percent-encoding is `invalid_input` too (parameters are decoded once, by the router).
 */
export function adminRoutes(deps: Deps, adminKey: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false })
  const expected = createHash('sha256').update(adminKey).digest()
  app.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? ''
    const digest = createHash('sha256').update(given).digest()
    if (!given || !timingSafeEqual(digest, expected))
      throw new DomainError('unauthorized', 'The admin API needs "Authorization: Bearer <admin key>".')
    // Path parameters are decoded once, by Hono (`c.req.param`); a segment that is not valid
    // percent-encoding (`/users/%ZZ/password`) is refused here rather than reaching a handler.
    if (!isWellEncoded(new URL(c.req.url).pathname))
      throw new DomainError('invalid_input', 'The request path is not valid percent-encoding.')
    await next()
  })

  const body = async <S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> => {
    let raw: unknown = {}
    const text = await c.req.text()
    if (text.trim()) {
      try {
        raw = parseJsonText(text)
      } catch {
        throw new DomainError('invalid_input', 'The request body is not valid JSON.')
      }
      if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH))
        throw new DomainError('invalid_input', `The request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep.`)
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      // Bodies are strict: an unknown key is named ("body: Unrecognized key: \"colour\"").
      throw new DomainError('invalid_input', `${issue?.path.join('.') || 'body'}: ${issue?.message}`)
    }
    return parsed.data
  }
  const id = (c: Context<AppEnv>, name: string): string => {
    const v = parseId(c.req.param(name) ?? '')
    if (!v) throw new DomainError('invalid_input', `${name} must be a UUID.`)
    return v
  }
  const actor = (workspaceId: string, as: string | undefined) => resolveActor(deps.store.db, workspaceId, as)
  // Adding or removing a connection on a page: with `as`, that person's rule applies (full access, not a
  // guest: decideConnectionShare); without it the operator acts.
  const shareActor = (workspaceId: string, as: string | undefined) => resolveShareActor(deps.store.db, workspaceId, as)
  const connectionWorkspace = (connectionId: string) => connectionWorkspaceOf(deps.store.db, connectionId)

  const Person = z.strictObject({
    name: z.string().min(1),
    email: z.email(),
    role: z.enum(['owner', 'membership_admin', 'member', 'restricted_member', 'guest']),
  })
  const As = z.strictObject({ as: z.string().optional() })

  app.post('/reset', async (c) => {
    await resetStore(deps, 'admin')
    return c.json({ reset: true })
  })
  app.get('/workspaces', async (c) => c.json({ workspaces: await listWorkspaces(deps.store.db) }))
  app.post('/workspaces', async (c) => {
    const b = await body(
      c,
      z.strictObject({
        name: z.string().min(1),
        plan: z.enum(['free', 'plus', 'business', 'enterprise']).optional(),
        members: z.array(Person).min(1),
        pages: z.array(z.string()).optional(),
      }),
    )
    return c.json(await createWorkspace(deps, b), 201)
  })
  app.get('/workspaces/:workspace_id', async (c) => c.json(await getWorkspace(deps, id(c, 'workspace_id'))))
  app.get('/workspaces/:workspace_id/pages', async (c) => c.json({ pages: await listWorkspacePages(deps, id(c, 'workspace_id')) }))
  app.post('/workspaces/:workspace_id/pages', async (c) => {
    const ws = id(c, 'workspace_id')
    const b = await body(
      c,
      z.strictObject({ title: z.string(), parent_id: z.string().optional(), private: z.boolean().optional(), as: z.string().optional() }),
    )
    const parentId = b.parent_id ? parseId(b.parent_id) : undefined
    if (b.parent_id && !parentId) throw new DomainError('invalid_input', 'parent_id must be a UUID.')
    return c.json(
      await createPageAsUser(deps, { workspaceId: ws, actorId: await actor(ws, b.as), title: b.title, parentId, private: b.private }),
      201,
    )
  })
  app.post('/workspaces/:workspace_id/members', async (c) => {
    // With `as`, that person's rules apply (owners; membership admins below admin level).
    const ws = id(c, 'workspace_id')
    const { as, ...person } = await body(c, Person.extend({ as: z.string().optional() }))
    return c.json(await addMember(deps, ws, person, as ? await actor(ws, as) : undefined), 201)
  })
  app.delete('/workspaces/:workspace_id/members/:user_id', async (c) => {
    // With `as`, that person's rules apply (owners, membership admins, or the person leaving).
    const ws = id(c, 'workspace_id')
    const as = c.req.query('as')
    await removeMember(deps, ws, id(c, 'user_id'), as ? await actor(ws, as) : undefined)
    return c.json({ removed: true })
  })
  app.get('/workspaces/:workspace_id/audit', async (c) => {
    // Filters: action (repeatable or comma-separated; `pat.*` = prefix), actor, target, since, until, limit.
    const ws = id(c, 'workspace_id')
    const actions = (c.req.queries('action') ?? [])
      .flatMap((a) => a.split(','))
      .map((a) => a.trim())
      .filter(Boolean)
    const limit = c.req.query('limit') === undefined ? 100 : Number(c.req.query('limit'))
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new DomainError('invalid_input', 'limit must be an integer from 1 to 1000.')
    const actorRaw = c.req.query('actor')
    const actorId =
      actorRaw && !actorRaw.includes(':') && actorRaw !== 'admin' && actorRaw !== 'admin_api'
        ? `user:${await actor(ws, actorRaw)}`
        : actorRaw
    const entries = await listAudit(deps.store.db, ws, {
      limit,
      ...(actions.length ? { actions } : {}),
      ...(actorId ? { actor: actorId } : {}),
      ...(c.req.query('target') ? { target: c.req.query('target') } : {}),
      ...(c.req.query('since') ? { since: c.req.query('since') } : {}),
      ...(c.req.query('until') ? { until: c.req.query('until') } : {}),
    })
    return c.json({ entries })
  })
  app.get('/workspaces/:workspace_id/connections', async (c) => {
    const ws = id(c, 'workspace_id')
    return c.json({ connections: await listConnections(deps, ws, await actor(ws, c.req.query('as'))) })
  })
  app.post('/workspaces/:workspace_id/connections', async (c) => {
    const ws = id(c, 'workspace_id')
    const b = await body(
      c,
      z.strictObject({
        name: z.string(),
        icon: z.string().nullable().optional(),
        capabilities: CapabilitiesInput.optional(),
        as: z.string().optional(),
      }),
    )
    const res = await createConnection(deps, {
      workspaceId: ws,
      actorId: await actor(ws, b.as),
      name: b.name,
      icon: b.icon ?? null,
      capabilities: toCapabilities(b.capabilities ?? {}),
    })
    return c.json(res, 201)
  })
  app.get('/connections/:connection_id', async (c) => {
    const cid = id(c, 'connection_id')
    return c.json(await getConnection(deps, cid, await actor(await connectionWorkspace(cid), c.req.query('as'))))
  })
  app.delete('/connections/:connection_id', async (c) => {
    const cid = id(c, 'connection_id')
    await deleteConnection(deps, cid, await actor(await connectionWorkspace(cid), c.req.query('as')))
    return c.json({ deleted: true })
  })
  app.get('/connections/:connection_id/token', async (c) => {
    const cid = id(c, 'connection_id')
    return c.json({ token: await revealToken(deps, cid, await actor(await connectionWorkspace(cid), c.req.query('as'))) })
  })
  app.post('/connections/:connection_id/token/refresh', async (c) => {
    const cid = id(c, 'connection_id')
    const b = await body(c, As)
    return c.json({ token: await refreshToken(deps, cid, await actor(await connectionWorkspace(cid), b.as)) })
  })
  app.patch('/connections/:connection_id/capabilities', async (c) => {
    const cid = id(c, 'connection_id')
    const b = await body(c, CapabilitiesInput.extend(As.shape))
    return c.json(await updateCapabilities(deps, cid, await actor(await connectionWorkspace(cid), b.as), toCapabilities(b)))
  })
  app.post('/data-sources/:data_source_id/templates', async (c) => {
    const dsId = id(c, 'data_source_id')
    const b = await body(
      c,
      z.strictObject({
        title: z.string(),
        is_default: z.boolean().optional(),
        paragraphs: z.array(z.string()).optional(),
        as: z.string().optional(),
      }),
    )
    const ds = await findDataSource(deps.store.db, dsId)
    if (!ds) throw new DomainError('not_found', `No data source with id ${dsId}.`)
    const input = {
      workspaceId: ds.workspace_id,
      actorId: await actor(ds.workspace_id, b.as),
      dataSourceId: dsId,
      title: b.title,
      isDefault: b.is_default ?? false,
    }
    return c.json(await createTemplate(deps, b.paragraphs ? { ...input, paragraphs: b.paragraphs } : input), 201)
  })
  app.get('/connections/:connection_id/pages', async (c) => {
    const cid = id(c, 'connection_id')
    return c.json({ pages: await listConnectionShares(deps, cid, await actor(await connectionWorkspace(cid), c.req.query('as'))) })
  })
  app.put('/connections/:connection_id/pages/:page_id', async (c) => {
    const cid = id(c, 'connection_id')
    const b = await body(c, As)
    return c.json(await shareWithConnection(deps, cid, id(c, 'page_id'), await shareActor(await connectionWorkspace(cid), b.as)))
  })
  app.delete('/connections/:connection_id/pages/:page_id', async (c) => {
    const cid = id(c, 'connection_id')
    return c.json(
      await unshareFromConnection(deps, cid, id(c, 'page_id'), await shareActor(await connectionWorkspace(cid), c.req.query('as'))),
    )
  })
  registerPatAdminRoutes(app, deps, { body, id, actor })
  registerPeopleAdminRoutes(app, deps, { body, id, actor })
  registerOAuthAdminRoutes(app, deps, { body, id, actor })
  registerWebhookAdminRoutes(app, deps, { body, id, actor })
  registerCustomEmojiAdminRoutes(app, deps, { body, id, actor })
  registerEmulatorAdminRoutes(app, deps, { body })
  registerFileUploadAdminRoutes(app, deps, { body, id })
  app.put('/users/:user/password', async (c) => {
    const ref = c.req.param('user')
    const uid = parseId(ref)
    const user = uid ? await findUser(deps.store.db, uid) : await findUserByEmail(deps.store.db, ref)
    if (!user) throw new DomainError('not_found', `No user ${ref}.`)
    const b = await body(c, z.strictObject({ password: z.string() }))
    return c.json(await setPassword(deps, user.id, b.password))
  })
  return app
}
