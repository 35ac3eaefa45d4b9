import type { Hono } from 'hono'
import * as z from 'zod'
import type { AppEnv } from '../http/context.js'
import type { Deps } from '../services/deps.js'
import { installWorkspace, listOwnInstalls, listWorkspaceInstalls, removeInstall, setInstallPageShare } from '../services/oauth/installs.js'
import { resolveShareActor } from '../services/actors.js'
import {
  deletePublicConnection,
  getPublicConnection,
  listPublicConnections,
  loadPublicConnection,
  refreshClientSecret,
  registerPublicConnection,
  revealClientSecret,
  updatePublicConnection,
} from '../services/public-connections.service.js'
import type { AdminHelpers } from './pats.routes.js'
import { CapabilitiesInput, toCapabilities } from './capabilities.schema.js'

/**
 * Public connections and their installs on Octavo's admin API (`/_octavo/admin`), over
 * services/public-connections.service.ts and services/oauth/installs.ts (the portal and the CLI use the
 * same functions). Actions run as `as` (e-mail or id; default the workspace's first owner).
 *
 * | Method and path | Does |
 * |---|---|
 * | `POST /workspaces/{id}/public-connections` `{name, redirect_uris, icon?, capabilities?, template_page_id?, as?}` | register one (full members); returns `{connection, client_secret}` |
 * | `GET /workspaces/{id}/public-connections` `?as` | those registered in the workspace that `as` manages |
 * | `GET /public-connections/{id}` `?as` | one (its registrant or an owner of its workspace) |
 * | `GET /public-connections/{id}/client-secret` `?as` | reveal the secret |
 * | `POST /public-connections/{id}/client-secret/refresh` `{as?}` | new secret; the old one fails at once |
 * | `PATCH /public-connections/{id}` `{name?, icon?, redirect_uris?, capabilities?, template_page_id?, as?}` | change it |
 * | `DELETE /public-connections/{id}` `?as` | delete it and every install |
 * | `GET /workspaces/{id}/installs` `?as&scope=own` | every install of the workspace (owners), or `as`'s own |
 * | `DELETE /installs/{id}` `?as` | remove an install (its authorizer or an owner): tokens 401 at once |
 * | `PUT` / `DELETE /installs/{id}/pages/{page_id}` `{as?}` / `?as` | share one more page with the install's bot, or remove a share (full access needed) |
 */
export function registerOAuthAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: AdminHelpers): void {
  const Fields = z.strictObject({
    name: z.string(),
    icon: z.string().nullable(),
    redirect_uris: z.array(z.string()),
    capabilities: CapabilitiesInput,
    template_page_id: z.uuid().nullable(),
    as: z.string(),
  })
  const connActor = async (id: string, as: string | undefined) => h.actor((await loadPublicConnection(deps.store.db, id)).workspace_id, as)

  app.post('/workspaces/:workspace_id/public-connections', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(c, Fields.partial().required({ name: true, redirect_uris: true }))
    return c.json(
      await registerPublicConnection(deps, {
        workspaceId: ws,
        actorId: await h.actor(ws, b.as),
        name: b.name,
        icon: b.icon ?? null,
        redirectUris: b.redirect_uris,
        capabilities: toCapabilities(b.capabilities ?? {}),
        templatePageId: b.template_page_id ?? null,
      }),
    )
  })
  app.get('/workspaces/:workspace_id/public-connections', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const list = await listPublicConnections(deps, await h.actor(ws, c.req.query('as')))
    return c.json({ public_connections: list.filter((x) => x.workspace_id === ws) })
  })
  app.get('/public-connections/:id', async (c) => {
    const id = h.id(c, 'id')
    return c.json(await getPublicConnection(deps, id, await connActor(id, c.req.query('as'))))
  })
  app.get('/public-connections/:id/client-secret', async (c) => {
    const id = h.id(c, 'id')
    return c.json({ client_secret: await revealClientSecret(deps, id, await connActor(id, c.req.query('as'))) })
  })
  app.post('/public-connections/:id/client-secret/refresh', async (c) => {
    const id = h.id(c, 'id')
    const b = await h.body(c, z.strictObject({ as: z.string().optional() }))
    return c.json({ client_secret: await refreshClientSecret(deps, id, await connActor(id, b.as)) })
  })
  app.patch('/public-connections/:id', async (c) => {
    const id = h.id(c, 'id')
    const b = await h.body(c, Fields.partial())
    return c.json(
      await updatePublicConnection(deps, id, await connActor(id, b.as), {
        ...(b.name !== undefined && { name: b.name }),
        ...(b.icon !== undefined && { icon: b.icon }),
        ...(b.redirect_uris !== undefined && { redirectUris: b.redirect_uris }),
        ...(b.capabilities !== undefined && { capabilities: toCapabilities(b.capabilities) }),
        ...(b.template_page_id !== undefined && { templatePageId: b.template_page_id }),
      }),
    )
  })
  app.delete('/public-connections/:id', async (c) => {
    const id = h.id(c, 'id')
    await deletePublicConnection(deps, id, await connActor(id, c.req.query('as')))
    return c.json({ deleted: true, id })
  })
  app.get('/workspaces/:workspace_id/installs', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const actorId = await h.actor(ws, c.req.query('as'))
    const installs =
      c.req.query('scope') === 'own' ? await listOwnInstalls(deps, actorId, ws) : await listWorkspaceInstalls(deps, ws, actorId)
    return c.json({ installs })
  })
  // With `as`, that person's rule applies (decideConnectionShare); without it the operator acts.
  const shareActor = async (installId: string, as: string | undefined) =>
    resolveShareActor(deps.store.db, await installWorkspace(deps.store.db, installId), as)
  app.put('/installs/:id/pages/:page_id', async (c) => {
    const id = h.id(c, 'id')
    const b = await h.body(c, z.strictObject({ as: z.string().optional() }))
    return c.json(await setInstallPageShare(deps, id, h.id(c, 'page_id'), await shareActor(id, b.as), true))
  })
  app.delete('/installs/:id/pages/:page_id', async (c) => {
    const id = h.id(c, 'id')
    return c.json(await setInstallPageShare(deps, id, h.id(c, 'page_id'), await shareActor(id, c.req.query('as')), false))
  })
  app.delete('/installs/:id', async (c) => {
    const id = h.id(c, 'id')
    await removeInstall(deps, id, await h.actor(await installWorkspace(deps.store.db, id), c.req.query('as')))
    return c.json({ removed: true, id })
  })
}
