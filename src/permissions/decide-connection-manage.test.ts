import { describe, expect, it } from 'vitest'
import { CONNECTION_ACTION_WORDS, decideConnectionManage, type ConnectionManageAction } from './decide-connection-manage.js'
import { ownersOnlyMessage } from './decide-workspace.js'

const ACTIONS = Object.keys(CONNECTION_ACTION_WORDS) as ConnectionManageAction[]

describe('decideConnectionManage', () => {
  it.each([
    // action, role → message (undefined: allowed)
    ['create', 'owner', undefined],
    ['create', 'membership_admin', 'Only workspace owners can create internal connections. This user is a membership admin.'],
    ['create', 'member', 'Only workspace owners can create internal connections. This user is a member.'],
    ['create', 'restricted_member', 'Only workspace owners can create internal connections. This user is a restricted member.'],
    ['create', 'guest', 'Only workspace owners can create internal connections. This user is a guest.'],
    ['create', null, 'Only workspace owners can create internal connections. This user is not a member of this workspace.'],
    ['list', 'member', 'Only workspace owners can see internal connections. This user is a member.'],
    ['reveal', 'member', 'Only workspace owners can reveal connection tokens. This user is a member.'],
    ['refresh', 'member', 'Only workspace owners can refresh connection tokens. This user is a member.'],
    ['configure', 'guest', 'Only workspace owners can change connection capabilities. This user is a guest.'],
    ['delete', 'membership_admin', 'Only workspace owners can delete internal connections. This user is a membership admin.'],
    ['see_content', null, 'Only workspace owners can see connection content access. This user is not a member of this workspace.'],
  ] as const)('%s by %s', (action, role, message) => {
    expect(decideConnectionManage({ action, role })).toEqual(message === undefined ? { allowed: true } : { allowed: false, message })
  })

  it('lets an owner do everything and refuses every other role everything', () => {
    for (const action of ACTIONS) {
      expect(decideConnectionManage({ action, role: 'owner' })).toEqual({ allowed: true })
      for (const role of ['membership_admin', 'member', 'restricted_member', 'guest', null] as const) {
        expect(decideConnectionManage({ action, role })).toEqual({
          allowed: false,
          message: ownersOnlyMessage(CONNECTION_ACTION_WORDS[action], role),
        })
      }
    }
  })
})
