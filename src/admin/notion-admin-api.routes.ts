import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import { DomainError } from '../errors/domain-error.js'
import { NotionApiError, unauthorized } from '../errors/notion-error.js'
import type { AppEnv } from '../http/context.js'
import { requireId } from '../domain/ids.js'
import { notionVersion } from '../http/middleware/notion-version.js'
import type { Deps } from '../services/deps.js'
import { revokePatByBotId } from '../services/pats.service.js'

/**
 * The subset of Notion's Admin API (`https://api.notion.com/admin/v1`, OpenAPI `openapi-adminApi.json`)
 * that Octavo serves, mounted at `/admin/v1`:
 *
 * - `DELETE /admin/v1/spaces/{space_id}/personal_access_tokens/{bot_id}` ("Revoke a personal access
 *   token in a workspace", operationId `revoke-personal-access-token`; docs/reference/peers.md §1.6). Notion requires an
 *   organization bot token with scope `personal-access-token:write-high-impact`; Octavo has no
 *   organizations, so the bearer is Octavo's admin key, which stands for the organization owner.
 *   The PAT gets 401 from its next request; revoking a revoked PAT succeeds again (idempotent).
 *
 * Order of checks as on `/v1` (docs/reference/notion-api.md §3.4): credential (401 `unauthorized`), `Notion-Version`
 * (400 `missing_version`), path ids (400 `validation_error`), then 404 `object_not_found` when the
 * space has no PAT with that bot id. Errors use Notion's envelope. The success body is `{}` plus
 * `request_id` (the OpenAPI's response body is not in the sources read; every 2xx must be JSON).
 */
export function notionAdminApiRoutes(deps: Deps, adminKey: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false })
  const expected = createHash('sha256').update(adminKey).digest()
  const version = notionVersion()
  app.delete('/spaces/:space_id/personal_access_tokens/:bot_id', async (c) => {
    const given = /^[ \t]*bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (!given) throw unauthorized('Authorization header must use the format "Bearer <token>".')
    if (!timingSafeEqual(createHash('sha256').update(given).digest(), expected)) throw unauthorized()
    await version(c, async () => {})
    const spaceId = requireId(c.req.param('space_id'), 'space_id')
    const botId = requireId(c.req.param('bot_id'), 'bot_id')
    try {
      await revokePatByBotId(deps, spaceId, botId, { type: 'admin_api' })
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') {
        throw new NotionApiError('object_not_found', `Could not find personal access token with bot ID: ${botId}.`)
      }
      throw err
    }
    return c.json({ request_id: c.get('requestId') })
  })
  return app
}
