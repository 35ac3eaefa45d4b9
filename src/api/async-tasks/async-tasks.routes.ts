import type { Deps } from '../../services/deps.js'
import { getTask } from '../../services/async-tasks.js'
import type { RouteSpec } from '../router.js'

/**
 * `GET /v1/async_tasks/{task_id}` (SDK `asyncTasks.retrieve`; docs/reference/notion-api-2026.md §2.6):
 * the caller's own task (services/async-tasks.ts). The id is a string (`task_…`), not a UUID; anything
 * unknown is 404.
 */
export function asyncTasksRoutes(deps: Deps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/async_tasks/:task_id',
      endpoint: 'asyncTasks.retrieve',
      handler: async (c, ctx) => getTask(deps, ctx.caller, c.req.param('task_id') ?? ''),
    },
  ]
}
