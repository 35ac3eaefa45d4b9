import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type Context, type ErrorHandler } from 'hono'
import * as z from 'zod'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { NotionApiError } from '../errors/notion-error.js'
import type { AppEnv } from '../http/context.js'
import type { TooLarge } from '../http/middleware/body-limit.js'
import type { Logger } from '../logger.js'
import { resolveActor } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import { listWorkspacePats, revokePatByBotId, type PresentedPat } from '../services/pats.service.js'
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember, renameGroup } from '../services/people.service.js'
import { getWorkspace } from '../services/workspaces.service.js'
import { isStoreConflict } from '../storage/store.js'

/**
 * The subset of Notion's Admin API (`https://api.notion.com/admin/v1`, OpenAPI `openapi-adminApi.json`;
 * docs/reference/notion-api-2026.md §8.1–8.2, docs/adr/0025-notion-admin-api.md) that Octavo serves,
 * mounted at `/admin/v1`. Every route is backed by the services the portal, the CLI and
 * `/_octavo/admin` use (pats.service.ts, people.service.ts, workspaces.service.ts).
 *
 * | Method and path | Does | Notion source |
 * |---|---|---|
 * | `GET /spaces/{space_id}/users` `?start_cursor&page_size` | `{users, next_cursor}` | §8.2 Users |
 * | `GET /spaces/{space_id}/personal_access_tokens` `?start_cursor&page_size` | `{personal_access_tokens, next_cursor}` | §8.2 PATs (shape unverified) |
 * | `DELETE /spaces/{space_id}/personal_access_tokens/{bot_id}` | revoke (idempotent) → `{}` | §8.2 PATs |
 * | `GET·POST /spaces/{space_id}/groups` | list `{groups, next_cursor}` · create `{name}` → group | §8.2 Groups (paths unverified) |
 * | `GET·PATCH·DELETE /spaces/{space_id}/groups/{group_id}` | get · rename `{name}` · delete → `{}` | same |
 * | `GET·POST /spaces/{space_id}/groups/{group_id}/members` | list `{members, next_cursor}` · add `{user_id}` | same |
 * | `DELETE /spaces/{space_id}/groups/{group_id}/members/{user_id}` | remove → `{}` | same |
 *
 * Credential: `Authorization: Bearer <Octavo's admin key>`, which stands for Notion's organization bot
 * token (Octavo has no organizations). Group writes act as the space's first owner (the operator is
 * credited to the owner, as `/_octavo/admin` does without `as`), so their change events carry
 * `user:<owner id>`; the PAT revocation is credited to `admin_api`.
 *
 * Checks in order: credential (401 `unauthorized`), `Notion-Version` (400 `validation_error` unless it
 * is exactly `2026-06-01`, the only value Notion documents), then path ids, query and body (400
 * `validation_error`), then the store (404 `object_not_found`, 409 `conflict_error`). Every failure,
 * unknown paths included (400 `invalid_request_url`, unverified), uses the Admin API's own envelope
 * `{type:"error", code, status, message}` — exactly those four keys (§8.1). Timestamps are
 * milliseconds since the epoch, as in Notion's admin objects (§8.2 LegalHold). Pagination: an
 * opaque `start_cursor`, `page_size` 1–100 (default 100; Notion's default is unverified), answer
 * `{<items>, next_cursor}` with `next_cursor` null on the last page.
 */
export function notionAdminApiRoutes(deps: Deps, adminKey: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false })
  const expected = createHash('sha256').update(adminKey).digest()
  const db = deps.store.db
  app.onError(adminErrorHandler(deps.logger))

  app.use('*', async (c, next) => {
    const given = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (!given) throw new AdminApiError('unauthorized', 'Authorization header must use the format "Bearer <token>".')
    if (!timingSafeEqual(createHash('sha256').update(given).digest(), expected))
      throw new AdminApiError('unauthorized', 'API token is invalid.')
    const raw = c.req.header('notion-version')
    if (raw === undefined) {
      throw new AdminApiError(
        'validation_error',
        'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
      )
    }
    if (raw.replace(/^[ \t]+|[ \t]+$/g, '') !== ADMIN_API_VERSION) {
      throw new AdminApiError(
        'validation_error',
        `Notion-Version header failed validation: Notion-Version header should be \`"${ADMIN_API_VERSION}"\`, instead was \`${JSON.stringify(raw)}\`.`,
      )
    }
    await next()
  })

  /** The space (workspace) named in the path; 404 when there is none. */
  const space = async (c: Context<AppEnv>) => {
    const id = pathId(c, 'space_id')
    return (await getWorkspace(deps, id).catch(notFoundAs(`Could not find space with ID: ${id}.`))).workspace.id
  }
  const owner = (spaceId: string) => resolveActor(db, spaceId, undefined)

  app.get('/spaces/:space_id/users', async (c) => {
    const page = pageQuery(c)
    const { members } = await getWorkspace(deps, await space(c))
    return c.json(paginate('users', members.map(presentUser), page))
  })

  app.get('/spaces/:space_id/personal_access_tokens', async (c) => {
    const page = pageQuery(c)
    const ws = await space(c)
    const pats = await listWorkspacePats(deps, { workspaceId: ws, actorId: await owner(ws) })
    return c.json(paginate('personal_access_tokens', pats.map(presentPat), page, (p) => p.bot_id))
  })

  app.delete('/spaces/:space_id/personal_access_tokens/:bot_id', async (c) => {
    const spaceId = pathId(c, 'space_id')
    const botId = pathId(c, 'bot_id')
    await revokePatByBotId(deps, spaceId, botId, { type: 'admin_api' }).catch(
      notFoundAs(`Could not find personal access token with bot ID: ${botId}.`),
    )
    return c.json({})
  })

  // Groups ("permission groups", §8.2; exact paths and shapes unverified).
  const groupOf = async (c: Context<AppEnv>, ws: string) => {
    const id = pathId(c, 'group_id')
    const g = (await listGroups(deps, ws)).find((x) => x.id === id)
    if (!g) throw new AdminApiError('object_not_found', `Could not find group with ID: ${id}.`)
    return g
  }
  const GroupName = z.strictObject({ name: z.string() })

  app.get('/spaces/:space_id/groups', async (c) => {
    const page = pageQuery(c)
    return c.json(paginate('groups', (await listGroups(deps, await space(c))).map(presentGroup), page))
  })
  app.post('/spaces/:space_id/groups', async (c) => {
    const ws = await space(c)
    const b = await body(c, GroupName)
    const g = await createGroup(deps, { workspaceId: ws, actorId: await owner(ws), name: b.name })
    return c.json(presentGroup(g))
  })
  app.get('/spaces/:space_id/groups/:group_id', async (c) => c.json(presentGroup(await groupOf(c, await space(c)))))
  app.patch('/spaces/:space_id/groups/:group_id', async (c) => {
    const ws = await space(c)
    const g = await groupOf(c, ws)
    const b = await body(c, GroupName)
    await renameGroup(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id, name: b.name })
    return c.json(presentGroup({ ...g, name: b.name.trim() }))
  })
  app.delete('/spaces/:space_id/groups/:group_id', async (c) => {
    const ws = await space(c)
    const g = await groupOf(c, ws)
    await deleteGroup(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id })
    return c.json({})
  })
  app.get('/spaces/:space_id/groups/:group_id/members', async (c) => {
    const page = pageQuery(c)
    const g = await groupOf(c, await space(c))
    return c.json(paginate('members', g.members, page))
  })
  app.post('/spaces/:space_id/groups/:group_id/members', async (c) => {
    const ws = await space(c)
    const g = await groupOf(c, ws)
    const b = await body(c, z.strictObject({ user_id: z.string() }))
    const userId = parseId(b.user_id)
    if (!userId)
      throw new AdminApiError(
        'validation_error',
        `body failed validation: body.user_id should be a valid uuid, instead was \`${JSON.stringify(b.user_id)}\`.`,
      )
    await addGroupMember(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id, userId })
    return c.json(presentGroup((await groupOf(c, ws)) as GroupRow))
  })
  app.delete('/spaces/:space_id/groups/:group_id/members/:user_id', async (c) => {
    const ws = await space(c)
    const g = await groupOf(c, ws)
    const userId = pathId(c, 'user_id')
    await removeGroupMember(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id, userId })
    return c.json({})
  })

  app.all('*', () => {
    throw new AdminApiError('invalid_request_url', 'Invalid request URL.')
  })
  return app
}

/** The Admin API's only `Notion-Version` value (docs/reference/notion-api-2026.md §8.1). */
export const ADMIN_API_VERSION = '2026-06-01'

const ADMIN_STATUS = {
  validation_error: 400,
  invalid_request_url: 400,
  unauthorized: 401,
  restricted_resource: 403,
  object_not_found: 404,
  conflict_error: 409,
  rate_limited: 429,
  internal_server_error: 500,
} as const

/** A failure on `/admin/v1`, rendered as `{type:"error", code, status, message}`. */
export class AdminApiError extends Error {
  readonly status: number
  constructor(
    readonly code: keyof typeof ADMIN_STATUS,
    message: string,
  ) {
    super(message)
    this.name = 'AdminApiError'
    this.status = ADMIN_STATUS[code]
  }
}

/**
 * Renders every failure in the Admin API's envelope (docs/reference/notion-api-2026.md §8.1). Service
 * errors map as: not_found → 404 `object_not_found`, invalid_input → 400 `validation_error`,
 * conflict → 409 `conflict_error`, forbidden → 403 `restricted_resource` (unverified), unauthorized →
 * 401; `/v1` errors (ids, rate limits) keep their code when the Admin API has it, else
 * `validation_error`. Unknown errors are logged (request id only) and answered 500.
 */
function adminErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    let e: AdminApiError
    if (err instanceof AdminApiError) e = err
    else if (err instanceof DomainError) {
      const code = (
        {
          not_found: 'object_not_found',
          invalid_input: 'validation_error',
          conflict: 'conflict_error',
          forbidden: 'restricted_resource',
          unauthorized: 'unauthorized',
        } as const
      )[err.code]
      e = new AdminApiError(code, err.message)
    } else if (err instanceof NotionApiError) {
      e = new AdminApiError(err.code in ADMIN_STATUS ? (err.code as keyof typeof ADMIN_STATUS) : 'validation_error', err.message)
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
    } else if (isStoreConflict(err)) {
      e = new AdminApiError('conflict_error', 'Conflict occurred while saving. Please try again.')
    } else {
      logger.error({ requestId: c.get('requestId'), err: { name: err.name, message: err.message, stack: err.stack } }, 'unexpected error')
      e = new AdminApiError('internal_server_error', 'Unexpected error occurred.')
    }
    return c.json({ type: 'error', code: e.code, status: e.status, message: e.message }, e.status as 400)
  }
}

/**
 * `/admin/v1` bodies over the limit: 413 `validation_error` in the Admin API's envelope (as `/v1`'s
 * notionTooLarge, whose code Notion documents for size limits).
 */
export const adminApiTooLarge: TooLarge = (c, maxBytes) =>
  c.json(
    {
      type: 'error',
      code: 'validation_error',
      status: 413,
      message: `Request body too large. The limit is ${Math.round(maxBytes / 1024)}KB.`,
    },
    413,
  )

/** `/admin/v1` URLs holding `%00`: 400 `invalid_request_url` in the Admin API's envelope. */
export const adminApiBadAddress = (c: Context<AppEnv>) =>
  c.json({ type: 'error', code: 'invalid_request_url', status: 400, message: 'Invalid request URL.' }, 400)

/** A dashed UUID from a path parameter (dashes optional, as on `/v1`). @throws AdminApiError validation_error */
function pathId(c: Context<AppEnv>, name: string): string {
  const raw = c.req.param(name) ?? ''
  const id = parseId(raw)
  if (!id)
    throw new AdminApiError(
      'validation_error',
      `path failed validation: path.${name} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`,
    )
  return id
}

/** Turns a service's not_found into the Admin API's 404 with `message`. */
function notFoundAs(message: string) {
  return (err: unknown): never => {
    if (err instanceof DomainError && err.code === 'not_found') throw new AdminApiError('object_not_found', message)
    throw err
  }
}

/** A JSON body checked against `schema`. @throws AdminApiError validation_error */
async function body<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  let raw: unknown
  try {
    raw = JSON.parse(await c.req.text())
  } catch {
    throw new AdminApiError('validation_error', 'body failed validation: the body must be a JSON object.')
  }
  const r = schema.safeParse(raw)
  if (!r.success) {
    const issue = r.error.issues[0]
    const where = ['body', ...(issue?.path ?? []).map(String)].join('.')
    throw new AdminApiError('validation_error', `body failed validation: ${where}: ${issue?.message ?? 'invalid'}.`)
  }
  return r.data
}

interface PageQuery {
  cursor: string | undefined
  size: number
}

/** `start_cursor` and `page_size` from the query. @throws AdminApiError validation_error */
function pageQuery(c: Context<AppEnv>): PageQuery {
  const cursor = c.req.query('start_cursor')
  const rawSize = c.req.query('page_size')
  let size = 100
  if (rawSize !== undefined) {
    if (!/^\d{1,3}$/.test(rawSize) || Number(rawSize) < 1 || Number(rawSize) > 100)
      throw new AdminApiError(
        'validation_error',
        `query failed validation: query.page_size should be a number between 1 and 100, instead was \`${JSON.stringify(rawSize)}\`.`,
      )
    size = Number(rawSize)
  }
  if (cursor !== undefined && !parseId(cursor))
    throw new AdminApiError(
      'validation_error',
      `query failed validation: query.start_cursor should be a valid cursor, instead was \`${JSON.stringify(cursor)}\`.`,
    )
  return { cursor: cursor === undefined ? undefined : parseId(cursor), size }
}

/**
 * One page of `items` (already in their stable order) under `key`. The cursor is the id of the first
 * item of the next page. @throws AdminApiError validation_error (a cursor that names no item)
 */
function paginate<T>(key: string, items: T[], q: PageQuery, idOf: (t: T) => string = (t) => (t as { id: string }).id) {
  let start = 0
  if (q.cursor !== undefined) {
    start = items.findIndex((t) => idOf(t) === q.cursor)
    if (start < 0)
      throw new AdminApiError(
        'validation_error',
        `query failed validation: query.start_cursor \`"${q.cursor}"\` is not a cursor of this list.`,
      )
  }
  const page = items.slice(start, start + q.size)
  const next = items[start + q.size]
  return { [key]: page, next_cursor: next === undefined ? null : idOf(next) }
}

const ms = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null)

/** A space member as a Notion user object plus the workspace `role` (extra fields unverified). */
function presentUser(m: { id: string; name: string | null; avatar_url: string | null; email: string | null; role: string }) {
  return { object: 'user', id: m.id, type: 'person', name: m.name, avatar_url: m.avatar_url, person: { email: m.email }, role: m.role }
}

/** A PAT as the Admin API lists it (shape unverified): never the secret nor its hint. */
function presentPat(p: PresentedPat) {
  return {
    bot_id: p.bot_id,
    name: p.name,
    status: p.status,
    created_by: p.creator.id,
    created_time: ms(p.created_time),
    last_used_time: ms(p.last_used_time),
    expires_time: ms(p.expires_time),
    revoked_time: ms(p.revoked_time),
  }
}

type GroupRow = Awaited<ReturnType<typeof listGroups>>[number]

/** A group (shape unverified): id, name, creator, creation time (ms) and member count. */
function presentGroup(g: { id: string; name: string; created_by: string; created_time: string; members: unknown[] }) {
  return { id: g.id, name: g.name, created_by: g.created_by, created_time: ms(g.created_time), member_count: g.members.length }
}
