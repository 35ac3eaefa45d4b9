import * as z from 'zod'
import type { RouteSpec } from '../router.js'
import type { ApiCaller } from '../../auth/principal.js'
import { objectNotFoundPlain, restrictedResource } from '../../errors/notion-error.js'
import { requireId } from '../../domain/ids.js'
import { QueryPageSize, StartCursor, listEnvelope, pageOf } from '../../http/pagination.js'
import { parseWith } from '../../domain/validation.js'
import { requireCapability } from '../../services/access.js'
import { explainPatNotAllowed } from '../../permissions/explain.js'
import { whoOf } from '../../services/explain-denials.js'
import { cachesFor } from '../../services/caches.js'
import type { Deps } from '../../services/deps.js'
import { isWorkspaceUser, listApiUsers } from '../../storage/repositories/people.repository.js'
import { findUser } from '../../storage/repositories/workspaces.repository.js'
import { presentSelfBot, presentUser } from './users.presenter.js'
import { markImmutable } from '../immutable-answers.js'
import { RowMemo } from '../../services/row-memo.js'

const ListQuery = z.object({ start_cursor: StartCursor, page_size: QueryPageSize }).loose()

/**
 * `users.me` of a connection, by its bot's row object (frozen rows of the row cache live only until the
 * change log moves: services/caches.ts, ADR 44) and the workspace fields it shows (from the token, which
 * a rename or plan change drops from its cache): presented once and serialized once
 * (api/immutable-answers.ts). Issue 19.
 */
const presentedBots = new RowMemo<ReturnType<typeof presentSelfBot>>(4)

/**
 * Users endpoints (SDK `users.me`, `users.list`, `users.retrieve`).
 * - me: any capabilities; the connection's bot with `bot.owner = {type:"workspace", workspace:true}`.
 * - list: needs user information (403 otherwise); members and bots, no guests ("Guests are not
 *   included", docs/reference/notion-api.md §1.1).
 * - retrieve: needs user information; people of the workspace (guests included) and its bots.
 * - PATs (seed 004): `me` is the PAT's bot with `bot.owner = {type:"user", user}` (its creator);
 *   list is refused (403 `restricted_resource`); retrieve reaches the creator, the PAT's own bot and
 *   the workspace's people and connection bots.
 * - OAuth tokens of public connections (docs/reference/notion-api.md §2.2, §7): `me` is the install's bot owned by the
 *   authorizing user (`{type:"user", user}`).
 */
export function usersRoutes(deps: Deps): RouteSpec[] {
  const db = deps.store.db
  /** The caller's own bot user; a PAT's is owned by its creator. */
  const selfBot = async (caller: ApiCaller) => {
    // Through the row cache when the request synced it (services/caches.ts).
    const caches = cachesFor(db, caller)
    const bot = caches ? await caches.row(db, `user ${caller.botId}`, () => findUser(db, caller.botId)) : await findUser(db, caller.botId)
    if (!bot) throw objectNotFoundPlain('user', caller.botId)
    const ws = { id: caller.workspaceId, name: caller.workspaceName, plan: caller.plan }
    if (caller.kind === 'personal' || caller.kind === 'oauth') return presentSelfBot(bot, ws, await findUser(db, caller.userId))
    // A connection's bot: only strings, booleans and numbers, so nothing to sign; kept with its frozen row.
    const key = `${ws.id} ${ws.plan} ${ws.name}`
    const kept = presentedBots.get(bot, key)
    if (kept) return kept
    const answer = presentSelfBot(bot, ws)
    if (Object.isFrozen(bot)) presentedBots.set(bot, key, markImmutable(Object.freeze(answer)))
    return answer
  }
  return [
    {
      method: 'get',
      path: '/users/me',
      endpoint: 'users.me',
      handler: async (_c, { caller }) => selfBot(caller),
    },
    {
      method: 'get',
      path: '/users',
      endpoint: 'users.list',
      schemas: { query: ListQuery },
      handler: async (c, { caller, version }) => {
        // "List all users is not available to PATs" (seed 004): refused like a missing capability.
        if (caller.kind === 'personal')
          throw restrictedResource().explain(explainPatNotAllowed({ who: whoOf(caller), endpoint: 'users.list' }))
        requireCapability(caller, 'user_info')
        const q = parseWith(ListQuery, c.req.query(), 'query')
        const limit = q.page_size ?? 100
        // People (not guests) by join order, then the workspace's bots; cursor = position in that order.
        const all = await listApiUsers(db, caller.workspaceId)
        const start = q.start_cursor ? all.findIndex((u) => u.id === q.start_cursor) : 0
        const { page, nextCursor } = pageOf(start < 0 ? [] : all.slice(start, start + limit + 1), limit)
        return listEnvelope(
          'user',
          page.map((u) => presentUser(u, caller.capabilities.userInfo, version)),
          nextCursor,
        )
      },
    },
    {
      method: 'get',
      path: '/users/:user_id',
      endpoint: 'users.retrieve',
      handler: async (c, { caller, version }) => {
        const id = requireId(c.req.param('user_id'), 'user_id')
        requireCapability(caller, 'user_info')
        if (id === caller.botId) return selfBot(caller)
        const user = await findUser(db, id)
        const inWorkspace = user && (await isWorkspaceUser(db, caller.workspaceId, id))
        if (!user || !inWorkspace) throw objectNotFoundPlain('user', id)
        return presentUser(user, caller.capabilities.userInfo, version)
      },
    },
  ]
}
