import { describe, expect, it } from 'vitest'
import {
  INSTALL_NOT_A_MEMBER_MESSAGE,
  LIST_INSTALLS_REFUSED_MESSAGE,
  MANAGE_ACTIONS,
  REGISTER_REFUSED_MESSAGE,
  REMOVE_INSTALL_REFUSED_MESSAGE,
  decideInstall,
  decideListWorkspaceInstalls,
  decideManagePublicConnection,
  decideRegisterPublicConnection,
  decideRemoveInstall,
  manageRefusedMessage,
  type ManageAction,
  type WorkspaceRoleOrNone,
} from './decide-public-connection.js'

const ok = { allowed: true }
const no = (message: string) => ({ allowed: false, message })
const ROLES: WorkspaceRoleOrNone[] = ['owner', 'membership_admin', 'member', 'restricted_member', 'guest', null]

describe('decideRegisterPublicConnection', () => {
  it.each([
    ['owner', ok],
    ['membership_admin', ok],
    ['member', ok],
    ['restricted_member', no(REGISTER_REFUSED_MESSAGE)],
    ['guest', no(REGISTER_REFUSED_MESSAGE)],
    [null, no(REGISTER_REFUSED_MESSAGE)],
  ] as const)('%s → %o', (role, expected) => {
    expect(decideRegisterPublicConnection(role)).toEqual(expected)
  })
})

describe('decideManagePublicConnection', () => {
  const actions = Object.keys(MANAGE_ACTIONS) as ManageAction[]
  for (const action of actions) {
    it.each(ROLES.flatMap((role) => [[true, role] as const, [false, role] as const]))(
      `${action}: registrant %s, role %s`,
      (isRegistrant, role) => {
        const expected = isRegistrant || role === 'owner' ? ok : no(manageRefusedMessage(action))
        expect(decideManagePublicConnection({ isRegistrant, role }, action)).toEqual(expected)
      },
    )
  }

  it('names the refused action in the message (the texts the admin API, CLI and portal show)', () => {
    expect(manageRefusedMessage('delete')).toBe(
      'Only the person who registered this public connection, or an owner of its workspace, can delete it.',
    )
    expect(manageRefusedMessage('reveal_secret')).toBe(
      'Only the person who registered this public connection, or an owner of its workspace, can reveal its client secret.',
    )
    expect(manageRefusedMessage('view')).toBe(
      'Only the person who registered this public connection, or an owner of its workspace, can see its settings.',
    )
  })
})

describe('decideInstall', () => {
  it.each([
    ['owner', ok],
    ['membership_admin', ok],
    ['member', ok],
    ['restricted_member', ok],
    ['guest', ok],
    [null, no(INSTALL_NOT_A_MEMBER_MESSAGE)],
  ] as const)('%s → %o', (role, expected) => {
    expect(decideInstall(role)).toEqual(expected)
  })
})

describe('decideRemoveInstall', () => {
  it.each([
    [true, 'member', ok],
    [true, 'guest', ok],
    [true, null, ok],
    [false, 'owner', ok],
    [false, 'membership_admin', no(REMOVE_INSTALL_REFUSED_MESSAGE)],
    [false, 'member', no(REMOVE_INSTALL_REFUSED_MESSAGE)],
    [false, 'restricted_member', no(REMOVE_INSTALL_REFUSED_MESSAGE)],
    [false, 'guest', no(REMOVE_INSTALL_REFUSED_MESSAGE)],
    [false, null, no(REMOVE_INSTALL_REFUSED_MESSAGE)],
  ] as const)('authorizer %s, role %s → %o', (isAuthorizer, role, expected) => {
    expect(decideRemoveInstall({ isAuthorizer, role })).toEqual(expected)
  })
})

describe('decideListWorkspaceInstalls', () => {
  it.each(ROLES.map((r) => [r, r === 'owner' ? ok : no(LIST_INSTALLS_REFUSED_MESSAGE)] as const))('%s → %o', (role, expected) => {
    expect(decideListWorkspaceInstalls(role)).toEqual(expected)
  })
})
