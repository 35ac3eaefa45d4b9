import * as z from 'zod'
import type { Capabilities } from '../permissions/capabilities.js'

/**
 * The admin API's capabilities input, shared by internal connections (`POST /workspaces/{id}/connections`,
 * `PATCH /connections/{id}/capabilities`) and public connections (`capabilities` of
 * `POST|PATCH /public-connections`): snake_case names as Notion's Configuration tab lists them, each
 * optional (a missing one keeps its current or default value); unknown keys are refused (400).
 */
export const CapabilitiesInput = z
  .strictObject({
    read_content: z.boolean(),
    update_content: z.boolean(),
    insert_content: z.boolean(),
    read_comments: z.boolean(),
    insert_comments: z.boolean(),
    user_info: z.enum(['none', 'without_email', 'with_email']),
  })
  .partial()

/** `CapabilitiesInput` → the given fields of `Capabilities` (camelCase), leaving out the absent ones. */
export function toCapabilities(c: z.output<typeof CapabilitiesInput>): Partial<Capabilities> {
  return {
    ...(c.read_content !== undefined && { readContent: c.read_content }),
    ...(c.update_content !== undefined && { updateContent: c.update_content }),
    ...(c.insert_content !== undefined && { insertContent: c.insert_content }),
    ...(c.read_comments !== undefined && { readComments: c.read_comments }),
    ...(c.insert_comments !== undefined && { insertComments: c.insert_comments }),
    ...(c.user_info !== undefined && { userInfo: c.user_info }),
  }
}
