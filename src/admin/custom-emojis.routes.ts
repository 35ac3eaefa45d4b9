import type { Hono } from 'hono'
import * as z from 'zod'
import { DomainError } from '../errors/domain-error.js'
import type { AppEnv } from '../http/context.js'
import { addCustomEmoji, listWorkspaceEmojis, removeCustomEmoji } from '../services/custom-emojis.service.js'
import type { Deps } from '../services/deps.js'
import type { AdminHelpers } from './pats.routes.js'

/**
 * Custom emojis on Octavo's admin API (`/_octavo/admin`), over services/custom-emojis.service.ts (the
 * CLI and the portal use the same functions; docs/custom-emojis-and-meeting-notes.md). Actions run as
 * `as` (e-mail or id; default the workspace's first owner): owners add and remove, members list.
 *
 * | Method and path | Does |
 * |---|---|
 * | `GET /workspaces/{id}/custom-emojis` `?as` | `{emojis: [{id, name, url}]}` by name |
 * | `POST /workspaces/{id}/custom-emojis` `{name, url}` or `{name, image_base64, content_type}`, `as?` | add one; 201 `{id, name, url}` |
 * | `DELETE /workspaces/{id}/custom-emojis/{id or name}` `?as` | remove it; `{removed: {id, name, url}}` |
 */
export function registerCustomEmojiAdminRoutes(app: Hono<AppEnv>, deps: Deps, h: AdminHelpers): void {
  const Add = z.strictObject({
    name: z.string().max(200),
    url: z.string().max(2000).optional(),
    image_base64: z.string().optional(),
    content_type: z.string().max(200).optional(),
    as: z.string().optional(),
  })
  app.get('/workspaces/:workspace_id/custom-emojis', async (c) => {
    const ws = h.id(c, 'workspace_id')
    return c.json({ emojis: await listWorkspaceEmojis(deps, ws, await h.actor(ws, c.req.query('as'))) })
  })
  app.post('/workspaces/:workspace_id/custom-emojis', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const b = await h.body(c, Add)
    if (b.image_base64 !== undefined && b.content_type === undefined) {
      throw new DomainError('invalid_input', 'content_type is required with image_base64.')
    }
    const emoji = await addCustomEmoji(deps, {
      workspaceId: ws,
      actorId: await h.actor(ws, b.as),
      name: b.name,
      ...(b.url !== undefined ? { url: b.url } : {}),
      ...(b.image_base64 !== undefined
        ? { image: { bytes: Buffer.from(b.image_base64, 'base64'), contentType: b.content_type as string } }
        : {}),
    })
    return c.json(emoji, 201)
  })
  app.delete('/workspaces/:workspace_id/custom-emojis/:ref', async (c) => {
    const ws = h.id(c, 'workspace_id')
    const removed = await removeCustomEmoji(deps, {
      workspaceId: ws,
      actorId: await h.actor(ws, c.req.query('as')),
      ref: c.req.param('ref'),
    })
    return c.json({ removed })
  })
}
