import type { PortalContext } from './session.js'
import type { Flash } from './views/screens.js'

/**
 * The notices a screen shows after a redirect with `?done=<code>` (Post/Redirect/Get). Two tables,
 * each shared by the screens that redirect to one another with its codes; public connections keep
 * their own two codes (developer-portal/public-connections.ts).
 */

/**
 * Internal connections (Developer portal), Pages (••• → Connections, Share) and the Webhooks tab of
 * internal and public connections: `?done=` → notice.
 */
export const flashFromQuery = (c: PortalContext): Flash | null => {
  const ok = c.req.query('done')
  const messages: Record<string, Flash> = {
    created: {
      kind: 'ok',
      title: 'Connection created.',
      text: 'Copy its installation access token below. It can read nothing until pages are shared with it (Content access tab).',
    },
    caps: { kind: 'ok', text: 'Capabilities saved. The token did not change.' },
    shared: { kind: 'ok', text: 'Access saved.' },
    added: { kind: 'ok', text: 'Connection added. It can now access this page and all of its child pages.' },
    removed: { kind: 'ok', text: 'Connection removed.' },
    unchanged: { kind: 'ok', text: 'Nothing changed.' },
    restored: { kind: 'ok', text: 'This page inherits its parent’s access again.' },
    // A connection's Webhooks tab, internal or public (developer-portal/webhooks.ts).
    webhook_created: { kind: 'ok', text: 'Subscription created. The endpoint received its verification token.' },
    webhook_verified: { kind: 'ok', text: 'Subscription verified: deliveries start now.' },
    webhook_paused: { kind: 'ok', text: 'Subscription paused.' },
    webhook_resumed: { kind: 'ok', text: 'Subscription resumed.' },
    webhook_tested: { kind: 'ok', text: 'Test event queued.' },
    webhook_deleted: { kind: 'ok', text: 'Subscription deleted.' },
    webhook_redelivered: { kind: 'ok', text: 'Delivery queued again.' },
  }
  return ok ? (messages[ok] ?? null) : null
}

const FLASH: Record<string, Flash> = {
  revoked: { kind: 'ok', text: 'Token revoked. It stopped working at once.' },
  policy: { kind: 'ok', text: 'Policy saved. It applies to existing tokens from their next request.' },
  role: { kind: 'ok', text: 'Role changed. It applies from the person’s next request.' },
  removed: { kind: 'ok', text: 'Removed from the workspace. Their access ended at once.' },
  group_created: { kind: 'ok', text: 'Group created.' },
  group_renamed: { kind: 'ok', text: 'Group renamed.' },
  group_deleted: { kind: 'ok', text: 'Group deleted. Its page access is gone.' },
  group_member_added: { kind: 'ok', text: 'Added to the group.' },
  group_member_removed: { kind: 'ok', text: 'Removed from the group.' },
  emoji_added: { kind: 'ok', text: 'Emoji added.' },
  emoji_removed: { kind: 'ok', text: 'Emoji removed. Pages that use it keep its image.' },
}

/** Personal access tokens (Developer portal) and Settings & members: `?done=` → notice. */
export const settingsFlash = (c: PortalContext): Flash | null => FLASH[c.req.query('done') ?? ''] ?? null
