import { behaves, type NotionVersion } from '../../domain/versions.js'
import type { UserInfoLevel, UserTable } from '../../storage/database.js'
import type { PartialUserObjectResponse, UserObjectResponse } from '@notionhq/client'

/** Notion's free-plan upload cap, reported in `bot.workspace_limits` (docs/reference/notion-api.md §2.2). */
const FREE_UPLOAD_BYTES = 5 * 1024 * 1024
const PAID_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024

/**
 * A user object trimmed to the caller's user-information capability (developers.notion.com
 * "capabilities"): `with_email` → name, avatar and `person.email`; `without_email` → name and avatar;
 * `none` → only `{object, id}` (SDK `PartialUserObjectResponse`); otherwise SDK `UserObjectResponse`
 * (the same shape in every version, but for a nameless person's `name` when `version` is given).
 */
export function presentUser(u: UserTable, level: UserInfoLevel, version?: NotionVersion): UserObjectResponse | PartialUserObjectResponse {
  if (level === 'none') return { object: 'user', id: u.id }
  // A person without a name: null from 2026-12-01 (docs/reference/notion-api-2026.md §6.1 row 6), "" before.
  const name = u.name === null && u.type === 'person' && version !== undefined && !behaves('nullablePersonName', version) ? '' : u.name
  const base = { object: 'user' as const, id: u.id, name, avatar_url: u.avatar_url }
  if (u.type === 'bot') return { ...base, type: 'bot', bot: {} }
  return { ...base, type: 'person', person: level === 'with_email' && u.email ? { email: u.email } : {} }
}

/**
 * The caller's own bot user (`GET /v1/users/me`), with `bot.owner` and workspace details. A
 * connection's bot is owned by the workspace; a PAT's bot by its creator (`owner` given), shown as a
 * full person with e-mail, and then `workspace_name` is null ("If the owner.type is "user", then
 * workspace_name is null", developers.notion.com/reference/user; docs/reference/notion-api.md §2.2).
 * SDK `GetSelfResponse` (a bot `UserObjectResponse`; the same shape in every version).
 */
export function presentSelfBot(bot: UserTable, ws: { id: string; name: string; plan: string }, owner?: UserTable): UserObjectResponse {
  return {
    object: 'user',
    id: bot.id,
    name: bot.name,
    avatar_url: bot.avatar_url,
    type: 'bot',
    bot: {
      owner: owner ? { type: 'user', user: presentUser(owner, 'with_email') } : { type: 'workspace', workspace: true },
      workspace_id: ws.id,
      workspace_limits: { max_file_upload_size_in_bytes: ws.plan === 'free' ? FREE_UPLOAD_BYTES : PAID_UPLOAD_BYTES },
      workspace_name: owner ? null : ws.name,
    },
  }
}
