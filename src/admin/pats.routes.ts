import type { Context, Hono } from 'hono'
import * as z from 'zod'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import { parseId } from '../domain/ids.js'
import type { Deps } from '../services/deps.js'
import { PAT_POLICIES, getPatPolicy, setPatPolicy } from '../services/pat-policy.js'
import {
  PAT_STATUSES,
  createPat,
  getPat,
  listOwnPats,
  listWorkspacePats,
  patWorkspace,
  revealPat,
  revokePat,
  updatePatCapabilities,
  type PatStatus,
} from '../services/pats.service.js'

/** What admin.routes.ts shares with this module: body parsing, path ids and `as` resolution. */
export interface AdminHelpers {
  body<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>>
  id(c: Context<AppEnv>, name: string): string
  actor(workspaceId: string, as: string | undefined): Promise<string>
}

/**
 * Personal access tokens and the PAT creation policy on Octavo's admin API (`/_octavo/admin`), over
 * services/pats.service.ts and services/pat-policy.ts (the CLI uses the same functions). Actions run
 * as the person named by `as` (e-mail or id; default the workspace's first owner) and obey that
 * person's rules: only the creator reveals a PAT; owners see and revoke every PAT; owners set the policy.
 *
 * | Method and path | Does |
 * |---|---|
 * | `GET /workspaces/{id}/pat-policy` | the policy in force, its choices on this plan, selected groups |
 * | `PUT /workspaces/{id}/pat-policy` `{policy, group_ids?, as?}` | change it (owners; plan permitting) |
 * | `GET /workspaces/{id}/personal-access-tokens` `?q&creator&status&scope=own&as` | admin view (owners), or `scope=own`: the `as` person's own PATs |
 * | `POST /workspaces/{id}/personal-access-tokens` `{name, capabilities?, expires_in_days?, as?}` | create one for `as` (`expires_in_days` 7, 30, 90, 180 or 365); returns `{pat, token}` |
 * | `GET /personal-access-tokens/{id}` `?as` | one PAT (creator or owner) |
 * | `GET /personal-access-tokens/{id}/token` `?as` | reveal the secret (creator only) |
 * | `DELETE /personal-access-tokens/{id}` `?as` | revoke (creator or owner) |
 * | `PATCH /personal-access-tokens/{id}/capabilities` `{notion_api?, workers?, as?}` | change bundles (creator) |
 */
export function registerPatAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: AdminHelpers): void {
  const patActor = async (patId: string, as: string | undefined) => h.actor(await patWorkspace(deps.store.db, patId), as)
  const Caps = z.strictObject({ notion_api: z.boolean(), workers: z.boolean() }).partial()

  app.get('/workspaces/:workspace_id/pat-policy', async (c) => c.json(await getPatPolicy(deps, h.id(c, 'workspace_id'))))
  app.put('/workspaces/:workspace_id/pat-policy', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(
      c,
      z.strictObject({
        policy: z.enum(PAT_POLICIES as [string, ...string[]]),
        group_ids: z.array(z.string()).optional(),
        as: z.string().optional(),
      }),
    )
    const groupIds = b.group_ids?.map((g) => {
      const id = parseId(g)
      if (!id) throw new DomainError('invalid_input', `group_ids: ${JSON.stringify(g)} is not a UUID.`)
      return id
    })
    return c.json(
      await setPatPolicy(deps, {
        workspaceId: ws,
        actorId: await h.actor(ws, b.as),
        policy: b.policy as (typeof PAT_POLICIES)[number],
        ...(groupIds ? { groupIds } : {}),
      }),
    )
  })

  app.get('/workspaces/:workspace_id/personal-access-tokens', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const actorId = await h.actor(ws, c.req.query('as'))
    if (c.req.query('scope') === 'own') return c.json({ personal_access_tokens: await listOwnPats(deps, ws, actorId) })
    const status = c.req.query('status')
    if (status !== undefined && !PAT_STATUSES.includes(status as PatStatus))
      throw new DomainError('invalid_input', `status must be one of ${PAT_STATUSES.join(', ')}.`)
    const creator = c.req.query('creator')
    return c.json({
      personal_access_tokens: await listWorkspacePats(deps, {
        workspaceId: ws,
        actorId,
        ...(c.req.query('q') ? { query: c.req.query('q') } : {}),
        ...(creator ? { creatorId: await h.actor(ws, creator) } : {}),
        ...(status ? { status: status as PatStatus } : {}),
      }),
    })
  })
  app.post('/workspaces/:workspace_id/personal-access-tokens', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(
      c,
      z.strictObject({
        name: z.string(),
        capabilities: Caps.optional(),
        expires_in_days: z.number().int().optional(),
        as: z.string().optional(),
      }),
    )
    const res = await createPat(deps, {
      workspaceId: ws,
      actorId: await h.actor(ws, b.as),
      name: b.name,
      capabilities: {
        ...(b.capabilities?.notion_api !== undefined && { notionApi: b.capabilities.notion_api }),
        ...(b.capabilities?.workers !== undefined && { workers: b.capabilities.workers }),
      },
      ...(b.expires_in_days !== undefined ? { expiresInDays: b.expires_in_days } : {}),
    })
    return c.json(res, 201)
  })
  app.get('/personal-access-tokens/:pat_id', async (c) => {
    const pid = h.id(c, 'pat_id')
    return c.json(await getPat(deps, pid, await patActor(pid, c.req.query('as'))))
  })
  app.get('/personal-access-tokens/:pat_id/token', async (c) => {
    const pid = h.id(c, 'pat_id')
    return c.json({ token: await revealPat(deps, pid, await patActor(pid, c.req.query('as'))) })
  })
  app.delete('/personal-access-tokens/:pat_id', async (c) => {
    const pid = h.id(c, 'pat_id')
    const res = await revokePat(deps, pid, { type: 'user', userId: await patActor(pid, c.req.query('as')) })
    return c.json({ revoked: true, changed: res.changed, personal_access_token: res.pat })
  })
  app.patch('/personal-access-tokens/:pat_id/capabilities', async (c) => {
    const pid = h.id(c, 'pat_id')
    const b = await h.body(c, Caps.extend({ as: z.string().optional() }))
    const patch = { ...(b.notion_api !== undefined && { notionApi: b.notion_api }), ...(b.workers !== undefined && { workers: b.workers }) }
    return c.json(await updatePatCapabilities(deps, pid, await patActor(pid, b.as), patch))
  })
}
