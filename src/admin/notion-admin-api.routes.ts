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
import * as adminApi from '../services/admin-api.service.js'
import { isStoreConflict } from '../storage/store.js'

/**
 * The subset of Notion's Admin API (`https://api.notion.com/admin/v1`, OpenAPI `openapi-adminApi.json`;
 * docs/reference/notion-api-2026.md §8.1–8.2, docs/adr/0025-notion-admin-api.md) that Octavo serves,
 * mounted at `/admin/v1`. Every route is backed by the services the portal, the CLI and
 * `/_octavo/admin` use (pats.service.ts, people.service.ts, workspaces.service.ts), and
 * admin-api.service.ts for legal holds, exports and session revocation (ADR 29).
 *
 * | Method and path | Does | Notion source |
 * |---|---|---|
 * | `GET /spaces/{space_id}/users` `?start_cursor&page_size` | `{users, next_cursor}` | §8.2 Users |
 * | `GET /spaces/{space_id}/personal_access_tokens` `?start_cursor&page_size` | `{personal_access_tokens, next_cursor}` | §8.2 PATs (shape unverified) |
 * | `DELETE /spaces/{space_id}/personal_access_tokens/{bot_id}` | revoke (idempotent) → `{}` | §8.2 PATs |
 * | `GET·POST /spaces/{space_id}/groups` | list `{groups, next_cursor}` · create `{name}` → group (409 on an exact duplicate name) | list-, create-permission-group |
 * | `GET·PATCH·DELETE /spaces/{space_id}/groups/{group_id}` | get · rename `{name}` · delete → `{}` | delete-permission-group (get, rename shapes unverified) |
 * | `GET·POST /spaces/{space_id}/groups/{group_id}/members` | list `{members, next_cursor}` · add `{member:{type:"user", user_id}}` (or `{user_id}`) | add-permission-group-member |
 * | `DELETE /spaces/{space_id}/groups/{group_id}/members/users/{user_id}` (or `…/members/{user_id}`) | remove → `{}` | remove-permission-group-member |
 * | `GET /spaces` | `{spaces:[{id, name}], next_cursor}` | list-spaces (list key unverified) |
 * | `POST /managed_users/revoke_session` `{user:{type:"email"\|"id",…}}` | ends the person's portal sessions → `{status:"revoked"}` | revoke-user-session |
 * | `GET·POST /legal_holds`, `GET·PATCH /legal_holds/{id}`, `POST …/release` | LegalHold objects | legal holds (create/patch bodies unverified) |
 * | `GET·POST …/users`, `DELETE …/users/{user_id}`, `GET …/workspaces`, `GET …/spaces/{space_id}/pages` | custodians, their workspaces, the pages they touched | same |
 * | `POST /exports`, `GET /exports/{id}?space_id=` | `{status, task_id}`; the job's status with `download_urls` | enqueue-space-export, get-space-export-status |
 * | `GET /exports/{id}/download?expires&signature` | the ZIP (no bearer: the signed URL is the secret) | Octavo's `download_urls` |
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

  // An export's download URL works without a token or version (Notion's `download_urls` are signed
  // links); it is registered before the credential check, which therefore never runs for it.
  app.get('/exports/:export_job_id/download', async (c) => {
    const id = pathId(c, 'export_job_id')
    if (!adminApi.verifyExportUrl(deps, id, c.req.query('expires'), c.req.query('signature')))
      throw new AdminApiError('unauthorized', 'The download link is invalid or has expired.')
    const zip = await adminApi.exportZip(deps, id).catch(notFoundAs(`Could not find export with ID: ${id}.`))
    return new Response(ReadableStream.from(zip.body) as unknown as ReadableStream, {
      headers: {
        'content-type': 'application/zip',
        'content-length': String(zip.size),
        'content-disposition': `attachment; filename="export-${id}.zip"`,
      },
    })
  })

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
    // create-permission-group: 409 conflict_error when another group has the exact same name.
    const g = await createGroup(deps, { workspaceId: ws, actorId: await owner(ws), name: b.name, uniqueName: true })
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
    // add-permission-group-member documents `{member: {type: "user", user_id}}`; `{user_id}` is
    // Octavo's earlier form, still accepted.
    const b = await body(
      c,
      z.union([
        z.strictObject({ member: z.strictObject({ type: z.literal('user'), user_id: z.string() }) }),
        z.strictObject({ user_id: z.string() }),
      ]),
    )
    const [raw, at] = 'member' in b ? [b.member.user_id, 'body.member.user_id'] : [b.user_id, 'body.user_id']
    const userId = parseId(raw)
    if (!userId)
      throw new AdminApiError(
        'validation_error',
        `body failed validation: ${at} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`,
      )
    await addGroupMember(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id, userId })
    return c.json(presentGroup((await groupOf(c, ws)) as GroupRow))
  })
  const removeMember = async (c: Context<AppEnv>) => {
    const ws = await space(c)
    const g = await groupOf(c, ws)
    const userId = pathId(c, 'user_id')
    await removeGroupMember(deps, { workspaceId: ws, actorId: await owner(ws), groupId: g.id, userId })
    return c.json({})
  }
  // remove-permission-group-member's path; `…/members/{user_id}` is Octavo's earlier one, still served.
  app.delete('/spaces/:space_id/groups/:group_id/members/users/:user_id', removeMember)
  app.delete('/spaces/:space_id/groups/:group_id/members/:user_id', removeMember)

  // Workspaces (§8.2 `GET /v1/spaces`; the list key `spaces` is unverified).
  app.get('/spaces', async (c) => {
    const page = pageQuery(c)
    return c.json(paginate('spaces', await adminApi.listSpaces(deps), page))
  })

  // Managed users' sessions (§8.2; the `{type:"id", id}` form is unverified).
  app.post('/managed_users/revoke_session', async (c) => {
    const b = await body(
      c,
      z.strictObject({
        user: z.discriminatedUnion('type', [
          z.strictObject({ type: z.literal('email'), email: z.string().min(1).max(320) }),
          z.strictObject({ type: z.literal('id'), id: z.string() }),
        ]),
      }),
    )
    const who = b.user.type === 'email' ? { email: b.user.email } : { id: bodyId(b.user.id, 'body.user.id') }
    await adminApi.revokeManagedUserSessions(deps, who)
    return c.json({ status: 'revoked' })
  })

  // Legal holds (§8.2; create and update bodies unverified).
  const Millis = z.number().int().min(0).max(8.64e15)
  const Interactions = z.array(z.enum(adminApi.USER_INTERACTION_TYPES)).max(3)
  const Text = z.string().max(2000)
  const holdOf = async (c: Context<AppEnv>) => {
    const id = pathId(c, 'legal_hold_id')
    return adminApi.getLegalHold(deps, id)
  }
  app.get('/legal_holds', async (c) => {
    const page = pageQuery(c)
    const userId = c.req.query('user_id')
    const list = await adminApi.listLegalHolds(deps, userId === undefined ? undefined : queryId(userId, 'user_id'))
    return c.json(paginate('legal_holds', list.map(presentHold), page))
  })
  app.post('/legal_holds', async (c) => {
    const b = await body(
      c,
      z.strictObject({
        name: Text.optional(),
        description: Text.optional(),
        icon: Text.optional(),
        start_date: Millis.optional(),
        end_date: Millis.nullable().optional(),
        user_ids: z.array(z.string()).min(1).max(1000),
        user_interaction_type: Interactions.optional(),
      }),
    )
    const hold = await adminApi.createLegalHold(deps, {
      name: b.name,
      description: b.description,
      icon: b.icon,
      startMs: b.start_date,
      endMs: b.end_date,
      userIds: b.user_ids.map((u, i) => bodyId(u, `body.user_ids[${i}]`)),
      userInteractionType: b.user_interaction_type,
    })
    return c.json(presentHold(hold))
  })
  app.get('/legal_holds/:legal_hold_id', async (c) => c.json(presentHold(await holdOf(c))))
  app.patch('/legal_holds/:legal_hold_id', async (c) => {
    const id = pathId(c, 'legal_hold_id')
    const b = await body(
      c,
      z.strictObject({
        name: Text.nullable().optional(),
        description: Text.nullable().optional(),
        icon: Text.nullable().optional(),
        end_date: Millis.nullable().optional(),
        user_interaction_type: Interactions.optional(),
      }),
    )
    const hold = await adminApi.updateLegalHold(deps, id, {
      ...(b.name !== undefined ? { name: b.name } : {}),
      ...(b.description !== undefined ? { description: b.description } : {}),
      ...(b.icon !== undefined ? { icon: b.icon } : {}),
      ...(b.end_date !== undefined ? { endMs: b.end_date } : {}),
      ...(b.user_interaction_type !== undefined ? { userInteractionType: b.user_interaction_type } : {}),
    })
    return c.json(presentHold(hold))
  })
  app.post('/legal_holds/:legal_hold_id/release', async (c) =>
    c.json(presentHold(await adminApi.releaseLegalHold(deps, pathId(c, 'legal_hold_id')))),
  )
  app.get('/legal_holds/:legal_hold_id/users', async (c) => {
    const page = pageQuery(c)
    const hold = await holdOf(c)
    const users = (await adminApi.legalHoldPeople(deps, hold)).map((u) => ({
      object: 'user',
      id: u.id,
      type: 'person',
      name: u.name,
      avatar_url: u.avatar_url,
      person: { email: u.email },
    }))
    return c.json(paginate('users', users, page))
  })
  app.post('/legal_holds/:legal_hold_id/users', async (c) => {
    const id = pathId(c, 'legal_hold_id')
    const b = await body(c, z.strictObject({ user_ids: z.array(z.string()).min(1).max(1000) }))
    const hold = await adminApi.addLegalHoldUsers(
      deps,
      id,
      b.user_ids.map((u, i) => bodyId(u, `body.user_ids[${i}]`)),
    )
    return c.json(presentHold(hold))
  })
  app.delete('/legal_holds/:legal_hold_id/users/:user_id', async (c) =>
    c.json(presentHold(await adminApi.removeLegalHoldUser(deps, pathId(c, 'legal_hold_id'), pathId(c, 'user_id')))),
  )
  app.get('/legal_holds/:legal_hold_id/workspaces', async (c) => {
    const page = pageQuery(c)
    const hold = await holdOf(c)
    const names = new Map((await adminApi.listSpaces(deps)).map((w) => [w.id, w.name]))
    return c.json(
      paginate(
        'workspaces',
        hold.workspaceIds.map((id) => ({ id, name: names.get(id) ?? null })),
        page,
      ),
    )
  })
  app.get('/legal_holds/:legal_hold_id/spaces/:space_id/pages', async (c) => {
    const page = pageQuery(c)
    const pages = await adminApi.legalHoldPages(deps, pathId(c, 'legal_hold_id'), pathId(c, 'space_id'))
    return c.json(
      paginate(
        'pages',
        pages.map((p) => ({
          id: p.id,
          created_by: p.created_by,
          created_time: ms(p.created_time),
          last_edited_by: p.last_edited_by,
          last_edited_time: ms(p.last_edited_time),
          in_trash: p.in_trash === 1,
        })),
        page,
      ),
    )
  })

  // Workspace exports (§8.2 `POST /v1/exports`, `GET /v1/exports/{export_job_id}?space_id=`).
  app.post('/exports', async (c) => {
    const b = await body(
      c,
      z.strictObject({
        export_type: z.enum(['html', 'markdown', 'pdf']),
        on_behalf_of_user_email: z.string().min(1).max(320),
        space_id: z.string(),
        collection_view_export_type: z.enum(['all', 'currentView']).optional(),
        flatten_export_filetree: z.boolean().optional(),
        include_comments: z.boolean().optional(),
        include_contents: z.enum(['everything', 'no_files']).optional(),
        locale: z.string().max(35).optional(),
        pdf_format: z.string().max(35).optional(),
        teamspace_ids: z.array(z.string()).max(100).optional(),
        time_zone: z.string().max(64).optional(),
      }),
    )
    const spaceId = bodyId(b.space_id, 'body.space_id')
    const { export_type, on_behalf_of_user_email, space_id: _s, ...options } = b
    const job = await adminApi
      .enqueueWorkspaceExport(deps, { spaceId, exportType: export_type, onBehalfOfUserEmail: on_behalf_of_user_email, options })
      .catch(notFoundAs(`Could not find space with ID: ${spaceId}.`))
    exportsRunning.add(job.done)
    void job.done.finally(() => exportsRunning.delete(job.done))
    return c.json({ status: 'in_progress', task_id: job.id })
  })
  app.get('/exports/:export_job_id', async (c) => {
    const id = pathId(c, 'export_job_id')
    const rawSpace = c.req.query('space_id')
    if (rawSpace === undefined)
      throw new AdminApiError('validation_error', 'query failed validation: query.space_id should be defined, instead was `undefined`.')
    const row = await adminApi.getWorkspaceExport(deps, id, queryId(rawSpace, 'space_id'))
    return c.json(presentExport(row, row.status === 'completed' ? adminApi.signExportUrl(deps, row.id) : undefined))
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

/** A dashed UUID from a body field. @throws AdminApiError validation_error */
function bodyId(raw: string, where: string): string {
  const id = parseId(raw)
  if (!id)
    throw new AdminApiError(
      'validation_error',
      `body failed validation: ${where} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`,
    )
  return id
}

/** A dashed UUID from a query parameter. @throws AdminApiError validation_error */
function queryId(raw: string, name: string): string {
  const id = parseId(raw)
  if (!id)
    throw new AdminApiError(
      'validation_error',
      `query failed validation: query.${name} should be a valid uuid, instead was \`${JSON.stringify(raw)}\`.`,
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

/**
 * Export jobs still running in this process (so a test or a shutdown can wait for them:
 * `settleAdminExports`).
 */
const exportsRunning = new Set<Promise<void>>()

/** Resolves when every export job started so far has ended (completed or failed). */
export async function settleAdminExports(): Promise<void> {
  while (exportsRunning.size) await Promise.all([...exportsRunning])
}

/**
 * A legal hold as Notion's Admin API answers it (docs: list-legal-holds, add-legal-hold-users):
 * times in epoch ms; `description`, `end_date`, `icon`, `name` only when set.
 */
function presentHold(h: adminApi.LegalHold) {
  const r = h.row
  return {
    created_by: r.created_by,
    created_time: ms(r.created_time),
    id: r.id,
    start_date: ms(r.start_time),
    status: r.status,
    user_interaction_type: JSON.parse(r.user_interaction_type) as string[],
    users: { ids: h.userIds, total: h.userIds.length },
    workspaces: { ids: h.workspaceIds, total: h.workspaceIds.length },
    ...(r.description !== null ? { description: r.description } : {}),
    ...(r.end_time !== null ? { end_date: ms(r.end_time) } : {}),
    ...(r.icon !== null ? { icon: r.icon } : {}),
    ...(r.name !== null ? { name: r.name } : {}),
  }
}

/** An export job's status as Notion documents it (get-space-export-status); times in epoch ms. */
function presentExport(row: Awaited<ReturnType<typeof adminApi.getWorkspaceExport>>, url: { url: string; expires: number } | undefined) {
  return {
    created_at: ms(row.created_time),
    download_available: row.status === 'completed',
    export_format: row.export_format,
    export_job_id: row.id,
    export_type: 'space',
    pages_exported: row.pages_exported,
    status: row.status,
    updated_at: ms(row.updated_time),
    ...(url ? { download_urls: [url.url], url_expires_at: url.expires } : {}),
    ...(row.size_bytes !== null ? { final_zip_file_size_bytes: row.size_bytes } : {}),
    ...(row.error_type !== null ? { error_type: row.error_type } : {}),
    ...(row.error_message !== null ? { error_message: row.error_message } : {}),
  }
}
