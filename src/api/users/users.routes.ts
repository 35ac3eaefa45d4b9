import * as z from 'zod'
import type { RouteSpec } from '../router.js'
import { objectNotFoundPlain } from '../../errors/notion-error.js'
import { requireId } from '../../http/ids.js'
import { QueryPageSize, StartCursor, listEnvelope, pageOf } from '../../http/pagination.js'
import { parseWith } from '../../http/validation.js'
import { requireCapability } from '../../services/access.js'
import type { Deps } from '../../services/deps.js'
import { findUser } from '../../storage/repositories/workspaces.repository.js'
import { presentSelfBot, presentUser } from './users.presenter.js'

const ListQuery = z.object({ start_cursor: StartCursor, page_size: QueryPageSize }).loose()

/**
 * Users endpoints (SDK `users.me`, `users.list`, `users.retrieve`).
 * - me: any capabilities; the connection's bot with `bot.owner = {type:"workspace", workspace:true}`.
 * - list: needs user information (403 otherwise); members and bots, no guests ("Guests are not
 *   included", digest §1.1).
 * - retrieve: needs user information; people of the workspace (guests included) and its bots.
 */
export function usersRoutes(deps: Deps): RouteSpec[] {
  const db = deps.store.db
  return [
    {
      method: 'get',
      path: '/users/me',
      handler: async (_c, { caller }) => {
        const bot = await findUser(db, caller.botId)
        if (!bot) throw objectNotFoundPlain('user', caller.botId)
        return presentSelfBot(bot, { id: caller.workspaceId, name: caller.workspaceName, plan: caller.plan })
      },
    },
    {
      method: 'get',
      path: '/users',
      handler: async (c, { caller }) => {
        requireCapability(caller, 'user_info')
        const q = parseWith(ListQuery, c.req.query(), 'query')
        const limit = q.page_size ?? 100
        // People (not guests) by join order, then the workspace's bots; cursor = position in that order.
        const people = await db
          .selectFrom('workspace_member as m')
          .innerJoin('user as u', 'u.id', 'm.user_id')
          .selectAll('u')
          .where('m.workspace_id', '=', caller.workspaceId)
          .where('m.role', '!=', 'guest')
          .orderBy('m.joined_time')
          .orderBy('u.id')
          .execute()
        const bots = await db
          .selectFrom('connection as c')
          .innerJoin('user as u', 'u.id', 'c.bot_id')
          .selectAll('u')
          .where('c.workspace_id', '=', caller.workspaceId)
          .orderBy('c.created_time')
          .orderBy('u.id')
          .execute()
        const all = [...people, ...bots]
        const start = q.start_cursor ? all.findIndex((u) => u.id === q.start_cursor) : 0
        const { page, nextCursor } = pageOf(start < 0 ? [] : all.slice(start, start + limit + 1), limit)
        return listEnvelope('user', page.map((u) => presentUser(u, caller.capabilities.userInfo)), nextCursor)
      },
    },
    {
      method: 'get',
      path: '/users/:user_id',
      handler: async (c, { caller }) => {
        const id = requireId(c.req.param('user_id'), 'user_id')
        requireCapability(caller, 'user_info')
        const user = await findUser(db, id)
        const inWorkspace =
          user &&
          ((await db.selectFrom('workspace_member').select('user_id').where('workspace_id', '=', caller.workspaceId).where('user_id', '=', id).executeTakeFirst()) ||
            (await db.selectFrom('connection').select('id').where('workspace_id', '=', caller.workspaceId).where('bot_id', '=', id).executeTakeFirst()))
        if (!user || !inWorkspace) throw objectNotFoundPlain('user', id)
        if (user.id === caller.botId) return presentSelfBot(user, { id: caller.workspaceId, name: caller.workspaceName, plan: caller.plan })
        return presentUser(user, caller.capabilities.userInfo)
      },
    },
  ]
}
