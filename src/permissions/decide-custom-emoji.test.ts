import { describe, expect, it } from 'vitest'
import { decideCustomEmoji } from './decide-custom-emoji.js'

describe('decideCustomEmoji', () => {
  it.each([
    // action, role, name, taken → message (undefined: allowed), code
    ['add', 'owner', 'party', false, undefined, undefined],
    ['add', 'operator', 'party', false, undefined, undefined],
    ['add', 'membership_admin', 'party', false, 'Only workspace owners can add custom emojis. This user is a membership admin.', undefined],
    ['add', 'member', 'party', false, 'Only workspace owners can add custom emojis. This user is a member.', undefined],
    ['add', 'guest', 'party', false, 'Only workspace owners can add custom emojis. This user is a guest.', undefined],
    ['add', null, 'party', false, 'Only workspace owners can add custom emojis. This user is not a member of this workspace.', undefined],
    ['remove', 'member', undefined, false, 'Only workspace owners can remove custom emojis. This user is a member.', undefined],
    ['remove', 'owner', undefined, false, undefined, undefined],
    ['list', 'member', undefined, false, undefined, undefined],
    ['list', 'guest', undefined, false, 'Only workspace members can see custom emojis. This user is a guest.', undefined],
    [
      'list',
      null,
      undefined,
      false,
      'Only workspace members can see custom emojis. This user is not a member of this workspace.',
      undefined,
    ],
    ['add', 'owner', 'Party', false, expect.stringContaining('lowercase'), 'invalid_input'],
    ['add', 'owner', '', false, expect.stringContaining('1 to 50'), 'invalid_input'],
    ['add', 'owner', '-x', false, expect.stringContaining('starting with'), 'invalid_input'],
    ['add', 'owner', 'a'.repeat(51), false, expect.stringContaining('is not'), 'invalid_input'],
    ['add', 'owner', 'party', true, 'This workspace already has an emoji named :party:.', 'conflict'],
  ] as const)('%s by %s (%s, taken %s)', (action, role, name, taken, message, code) => {
    const d = decideCustomEmoji({ action, role, ...(name !== undefined ? { name } : {}), taken })
    if (message === undefined) expect(d).toEqual({ allowed: true })
    else expect(d).toEqual({ allowed: false, message, ...(code ? { code } : {}) })
  })
})
