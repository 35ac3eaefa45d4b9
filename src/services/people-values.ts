import type { Schema } from '../domain/properties.js'
import { validationError } from '../errors/notion-error.js'
import { existingGroupIds, existingWorkspaceUserIds } from '../storage/repositories/people.repository.js'
import type { Db } from '../storage/store.js'

/**
 * People property values of a page write (docs/reference/notion-api.md §2.5): every entry must name a
 * user of the caller's workspace — a person (`{object:"user"}` or no `object`; guests included) or one
 * of its internal connections' bots — or one of its groups (`{object:"group"}`). An unknown id, a
 * person of another workspace, or a group named as a user is refused. Notion's exact wording is not
 * published; the message follows its body-validation form: "body failed validation:
 * body.properties.<key>.people[<i>].id should be a user or group of this workspace, instead was
 * `"<id>"`." Notion's 2021 changelog also refuses bots in people values (docs/reference/notion-versions.md
 * §3); Octavo keeps accepting its own workspace's bots, which its `people: {contains: "me"}` filter for
 * a connection relies on (docs/views-and-versions.md).
 * `patch` holds the written values keyed by property id (`writePropertyValues`), `keys` the request key
 * of each property (for the message).
 * @throws NotionApiError validation_error
 */
export async function checkPeopleValues(
  db: Db,
  workspaceId: string,
  schema: Schema,
  patch: Record<string, unknown>,
  keys: Record<string, string>,
): Promise<void> {
  for (const [propId, value] of Object.entries(patch)) {
    const prop = schema[propId]
    if (prop?.type !== 'people' || !Array.isArray(value) || value.length === 0) continue
    const entries = value as { object?: string; id: string }[]
    const users = new Set(
      await existingWorkspaceUserIds(
        db,
        workspaceId,
        entries.filter((e) => e.object !== 'group').map((e) => e.id),
      ),
    )
    const groups = new Set(
      await existingGroupIds(
        db,
        workspaceId,
        entries.filter((e) => e.object === 'group').map((e) => e.id),
      ),
    )
    for (const [i, e] of entries.entries()) {
      if (e.object === 'group' ? groups.has(e.id) : users.has(e.id)) continue
      throw validationError(
        `body failed validation: body.properties.${keys[propId] ?? prop.name}.people[${i}].id should be a user or group of this workspace, instead was \`${JSON.stringify(e.id)}\`.`,
      )
    }
  }
}
