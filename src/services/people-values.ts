import type { Schema } from '../domain/properties.js'
import { validationError } from '../errors/notion-error.js'
import { existingGroupIds, existingPersonIds } from '../storage/repositories/people.repository.js'
import type { Db } from '../storage/store.js'

/**
 * People property values of a page write (docs/reference/notion-api.md §2.5): every entry must name a
 * person of the caller's workspace (`{object:"user"}` or no `object`; guests included) or one of its
 * groups (`{object:"group"}`). Bots are refused too: "only users of type person can be mentioned …
 * or [put] in people properties … Trying to include users of type bot will return a validation
 * error" (Notion changelog "User mentions can only be of people", 2021-08; docs/reference/notion-versions.md §3).
 * Notion's exact wording for an unknown id is not published; the message follows its body-validation
 * form: "body failed validation: body.properties.<key>.people[<i>].id should be a person or group of
 * this workspace, instead was `"<id>"`."
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
      await existingPersonIds(
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
        `body failed validation: body.properties.${keys[propId] ?? prop.name}.people[${i}].id should be a person or group of this workspace, instead was \`${JSON.stringify(e.id)}\`.`,
      )
    }
  }
}
