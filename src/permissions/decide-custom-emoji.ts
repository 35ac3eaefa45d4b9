import type { MemberRole } from '../domain/workspace.js'
import { ALLOWED, decideOwnerOnly, isFullMember, refuse, type Decision } from './decide-workspace.js'

/**
 * Who manages a workspace's custom emojis, and what a valid one is (docs/custom-emojis-and-meeting-notes.md;
 * Notion: Settings → Emoji, where workspace owners add and remove custom emojis; every member uses
 * them). Pure: the services load the role and whether the name is taken. The admin key acting as
 * nobody (`role: 'operator'`) manages every workspace's emojis.
 */

/** What is done: add one, remove one, or see the list on a management surface. */
export type CustomEmojiAction = 'add' | 'remove' | 'list'

/** Longest emoji name (Notion's picker shows names as `:name:`). */
export const CUSTOM_EMOJI_NAME_MAX = 50
/** A name: lowercase letters, digits, `_` and `-`, starting with a letter or digit. */
export const CUSTOM_EMOJI_NAME = /^[a-z0-9][a-z0-9_-]*$/
/** Image types an emoji may have (no SVG: it would run script where the image is served). */
export const CUSTOM_EMOJI_TYPES = ['image/png', 'image/gif', 'image/jpeg', 'image/webp'] as const
/** Largest emoji image, in bytes. */
export const CUSTOM_EMOJI_MAX_BYTES = 1024 * 1024

/**
 * Decides `action` for a person with workspace role `role` (null: not a member) or the operator:
 * owners add and remove, full members (and owners) list; anyone else is refused with the owner-only
 * wording of decide-workspace.ts. For `add`, also checks `name` (rules above; `invalid_input`) and
 * that it is not `taken` (`conflict`).
 */
export function decideCustomEmoji(input: {
  action: CustomEmojiAction
  role: MemberRole | null | 'operator'
  name?: string
  taken?: boolean
}): Decision {
  const { action, role } = input
  if (role !== 'operator') {
    if (action === 'list') {
      if (role === null || !isFullMember(role))
        return refuse(
          `Only workspace members can see custom emojis. This user is ${role ? `a ${role.replace('_', ' ')}` : 'not a member of this workspace'}.`,
        )
    } else {
      const d = decideOwnerOnly(role, action === 'add' ? 'add custom emojis' : 'remove custom emojis')
      if (!d.allowed) return d
    }
  }
  if (action === 'add') {
    const name = input.name ?? ''
    if (name.length === 0 || name.length > CUSTOM_EMOJI_NAME_MAX || !CUSTOM_EMOJI_NAME.test(name)) {
      return refuse(
        `An emoji name is 1 to ${CUSTOM_EMOJI_NAME_MAX} lowercase letters, digits, "_" or "-", starting with a letter or digit; "${name.slice(0, 60)}" is not.`,
        'invalid_input',
      )
    }
    if (input.taken) return refuse(`This workspace already has an emoji named :${name}:.`, 'conflict')
  }
  return ALLOWED
}
