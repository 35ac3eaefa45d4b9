import type { Hono } from 'hono'
import { addCustomEmoji, listWorkspaceEmojis, removeCustomEmoji } from '../../services/custom-emojis.service.js'
import { one } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { Flash } from '../views/screens.js'
import { emojisView } from '../views/settings.js'
import type { SettingsFrame } from './workspace-settings.js'

/**
 * Settings & members → Emoji (`/settings/{ws}/emojis`): the workspace's custom emojis; owners add one
 * (name and image URL) and remove them, over custom-emojis.service.ts (`decideCustomEmoji`; a refusal
 * shows the service's message).
 */

/** Registers the Emoji tab: `GET|POST /settings/{ws}/emojis`, `POST …/emojis/{id}/remove`. */
export function settingsEmojis(app: Hono<PortalEnv>, h: PortalShell, frame: SettingsFrame): void {
  const { deps } = h
  const { show, act, people } = frame

  const emojisTab = (c: PortalContext, status: number, f: Flash | null) =>
    show(
      c,
      status,
      'emojis',
      'Emoji',
      async (head) => {
        const emojis = await listWorkspaceEmojis(deps, head.workspaceId, h.user(c).id)
        const role = (await people(head.workspaceId)).find((m) => m.id === h.user(c).id)?.role
        return emojisView({ ...head, emojis, canManage: role === 'owner' })
      },
      f,
    )
  frame.tab('emojis', emojisTab)

  app.get('/settings/:ws/emojis', (c) => emojisTab(c, 200, flash(c)))
  app.post('/settings/:ws/emojis', (c) =>
    act(c, 'emojis', 'Adding the emoji', async (u, ws, f) => {
      await addCustomEmoji(deps, { workspaceId: ws, actorId: u.id, name: one(f, 'name'), url: one(f, 'url') })
      return 'emoji_added'
    }),
  )
  app.post('/settings/:ws/emojis/:id/remove', (c) =>
    act(c, 'emojis', 'Removing the emoji', async (u, ws) => {
      await removeCustomEmoji(deps, { workspaceId: ws, actorId: u.id, ref: h.uuid(c.req.param('id'), 'emoji') })
      return 'emoji_removed'
    }),
  )
}
