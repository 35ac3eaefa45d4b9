import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import { addGroupMember, changeMemberRole, createGroup, removeWorkspaceMember } from '../../src/services/people.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { addMember, createWorkspace } from '../../src/services/workspaces.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { PortalAgent } from '../support/portal-agent.js'

const PW = 'correct horse battery'

describe('portal part 2 over HTTP', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    for (const p of [s.owner, s.member, s.guest]) await setPassword(server.deps, p.id, PW)
  })
  afterAll(async () => server.stop())

  it('Free plan: the policy is read-only (no form), and a member is told why they cannot create a PAT', async () => {
    const owner = await PortalAgent.signedIn(server, s.owner.email as string, PW)
    const page = await owner.req(`/settings/${s.workspace.id}/connections`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Workspace owners only.')
    expect(page.text).toContain('does not let admins change this')
    expect(page.text).not.toContain('Save policy')
    // Posting anyway: the service's refusal, shown on the tab.
    const csrf = await owner.csrf(`/settings/${s.workspace.id}/connections`)
    const refused = await owner.req(`/settings/${s.workspace.id}/pat-policy`, { _csrf: csrf, policy: 'all_members' })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('The PAT creation policy is not configurable on the free plan')

    const member = await PortalAgent.signedIn(server, s.member.email as string, PW)
    const list = await member.req('/developers/tokens')
    expect(list.text).toContain(
      'This workspace lets workspace owners only create personal access tokens with Notion API access; this member is not allowed.',
    )
  })

  it('Enterprise: three choices and a group picker; selecting a group admits its members', async () => {
    const { workspace, members } = await createWorkspace(server.deps, {
      name: 'Initech',
      plan: 'enterprise',
      members: [
        { name: 'Ed Owner', email: 'ed@initech.test', role: 'owner' },
        { name: 'Pia Member', email: 'pia@initech.test', role: 'member' },
      ],
    })
    const [ed, pia] = members as [(typeof members)[0], (typeof members)[0]]
    for (const p of members) await setPassword(server.deps, p.id, PW)
    const group = await createGroup(server.deps, { workspaceId: workspace.id, actorId: ed.id, name: 'Automation' })
    await addGroupMember(server.deps, { workspaceId: workspace.id, actorId: ed.id, groupId: group.id, userId: pia.id })
    const owner = await PortalAgent.signedIn(server, 'ed@initech.test', PW)
    const page = await owner.req(`/settings/${workspace.id}/connections`)
    expect(page.text.match(/type="radio" name="policy"/g)?.length).toBe(3)
    expect(page.text).toContain('Workspace owners and selected groups')
    expect(page.text).toContain(`name="group_id" value="${group.id}"`)

    const member = await PortalAgent.signedIn(server, 'pia@initech.test', PW)
    expect((await member.req('/developers/tokens')).text).toContain('this member is not allowed')
    const csrf = await owner.csrf(`/settings/${workspace.id}/connections`)
    const saved = await owner.req(`/settings/${workspace.id}/pat-policy`, {
      _csrf: csrf,
      policy: 'owners_and_selected_groups',
      groups_listed: '1',
      group_id: group.id,
    })
    expect(saved.status).toBe(303)
    expect((await owner.req(`/settings/${workspace.id}/connections`)).text).toMatch(new RegExp(`value="${group.id}" checked`))
    expect((await member.req('/developers/tokens')).text).not.toContain('this member is not allowed')
    const mcsrf = await member.csrf('/developers/tokens/new')
    const created = await member.req('/developers/tokens', {
      _csrf: mcsrf,
      name: 'Pia bot',
      workspace_id: workspace.id,
      notion_api: 'on',
      expires_in_days: '7',
    })
    expect(created.status).toBe(201)
    const token = /id="new-token" type="text" readonly value="(ntn_[^"]+)"/.exec(created.text)?.[1] as string
    expect((await server.client(token).users.me({})).type).toBe('bot')
    // Bad expiry: refused with a clear message, nothing created.
    const bad = await member.req('/developers/tokens', {
      _csrf: mcsrf,
      name: 'x',
      workspace_id: workspace.id,
      notion_api: 'on',
      expires_in_days: '3',
    })
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('Choose an expiry')
  })

  it('every new form needs its CSRF token', async () => {
    const owner = await PortalAgent.signedIn(server, s.owner.email as string, PW)
    const posts = [
      '/developers/tokens',
      `/settings/${s.workspace.id}/pat-policy`,
      `/settings/${s.workspace.id}/groups`,
      `/settings/${s.workspace.id}/members/${s.member.id}/role`,
      `/w/${s.workspace.id}/pages/${s.pages.root.id}/access`,
      `/w/${s.workspace.id}/pages/${s.pages.child.id}/access/restore`,
    ]
    for (const path of posts) {
      const r = await owner.req(path, { name: 'x', role: 'guest', target: 'workspace', level: 'none', policy: 'all_members' })
      expect(r.status, path).toBe(403)
      expect(r.text, path).toContain('This form has expired or came from another site.')
    }
    expect(
      (await server.deps.store.db.selectFrom('workspace_group').selectAll().where('workspace_id', '=', s.workspace.id).execute()).length,
    ).toBe(0)
  })

  it('settings of a workspace one does not belong to are 404; a membership admin sees members but not connections', async () => {
    const { workspace } = await createWorkspace(server.deps, {
      name: 'Other',
      plan: 'free',
      members: [{ name: 'Zed', email: 'zed@other.test', role: 'owner' }],
    })
    const owner = await PortalAgent.signedIn(server, s.owner.email as string, PW)
    expect((await owner.req(`/settings/${workspace.id}/connections`)).status).toBe(404)
    // The workspace switcher: /settings?workspace=<id> → that workspace's Connections tab.
    expect((await owner.req(`/settings?workspace=${s.workspace.id}`)).location).toBe(`/settings/${s.workspace.id}/connections`)
    expect((await owner.req(`/settings/${s.workspace.id}/nope`)).status).toBe(404)
    const admin = await addMember(server.deps, s.workspace.id, { name: 'Ada Admin', email: 'ada@example.com', role: 'membership_admin' })
    await setPassword(server.deps, admin.id, PW)
    const a = await PortalAgent.signedIn(server, 'ada@example.com', PW)
    expect((await a.req(`/settings/${s.workspace.id}/members`)).status).toBe(200)
    const conns = await a.req(`/settings/${s.workspace.id}/connections`)
    expect(conns.status).toBe(403)
    expect(conns.text).toContain('Only workspace owners can see every personal access token of the workspace.')
    // A membership admin manages groups: create, then delete.
    let csrf = await a.csrf(`/settings/${s.workspace.id}/groups`)
    expect((await a.req(`/settings/${s.workspace.id}/groups`, { _csrf: csrf, name: 'Temp crew' })).location).toBe(
      `/settings/${s.workspace.id}/groups?done=group_created`,
    )
    const g = await server.deps.store.db
      .selectFrom('workspace_group')
      .select('id')
      .where('name', '=', 'Temp crew')
      .executeTakeFirstOrThrow()
    csrf = await a.csrf(`/settings/${s.workspace.id}/groups`)
    expect((await a.req(`/settings/${s.workspace.id}/groups/${g.id}/delete`, { _csrf: csrf })).status).toBe(303)
    expect(await server.deps.store.db.selectFrom('workspace_group').select('id').where('id', '=', g.id).executeTakeFirst()).toBeUndefined()
    // …but cannot touch an owner: the service's refusal on the Members tab.
    csrf = await a.csrf(`/settings/${s.workspace.id}/members`)
    const demote = await a.req(`/settings/${s.workspace.id}/members/${s.owner.id}/role`, { _csrf: csrf, role: 'member' })
    expect(demote.status).toBe(403)
    expect(demote.text).toContain('Membership admins can only change roles among members, restricted members and guests.')

    const member = await PortalAgent.signedIn(server, s.member.email as string, PW)
    // Workers-only PATs are open to members even where Notion API access is owners-only (seed 004).
    const mcsrf = await member.csrf('/developers/tokens/new')
    const workers = await member.req('/developers/tokens', {
      _csrf: mcsrf,
      name: 'Deploy',
      workspace_id: s.workspace.id,
      workers: 'on',
      expires_in_days: '90',
    })
    expect(workers.status).toBe(201)
    expect(workers.text).toContain('Workers')
    const m = await member.req(`/settings/${s.workspace.id}/members`)
    expect(m.status).toBe(403)
    expect(m.text).toContain('Only workspace owners and membership admins can manage members.')
  })

  it('the portal uses issue 4’s principals: a group grant shows the page, a restricted member loses workspace pages, a removed member is refused', async () => {
    const { id: privateId } = await createPageAsUser(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      title: 'Group only',
      private: true,
    })
    const g = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Readers' })
    await addGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: g.id, userId: s.member.id })
    const member = await PortalAgent.signedIn(server, s.member.email as string, PW)
    const url = `/w/${s.workspace.id}/pages/${privateId}`
    expect((await member.req(url)).status).toBe(404)
    await setPageAccess(server.deps, { pageId: privateId, actorId: s.owner.id, target: { type: 'group', id: g.id }, level: 'view' })
    const shown = await member.req(url)
    expect(shown.status).toBe(200)
    expect(shown.text).toContain('Group only')
    // The Share panel lists the group's entry, read-only for a viewer.
    const share = await member.req(`${url}?panel=share`)
    expect(share.text).toContain('Readers')
    expect(share.text).toContain('Only people with full access to this page can change who has access.')

    // Restricted member: no `members:` principal, so workspace pages vanish; the group grant stays.
    await changeMemberRole(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      userId: s.member.id,
      role: 'restricted_member',
    })
    expect((await member.req(`/w/${s.workspace.id}/pages/${s.pages.root.id}`)).status).toBe(404)
    expect((await member.req(url)).status).toBe(200)
    const pat = await member.req('/developers/tokens')
    expect(pat.text).toContain('Guests and restricted members cannot create personal access tokens.')

    // Removed: refused everywhere at once.
    await removeWorkspaceMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, userId: s.member.id })
    expect((await member.req(url)).status).toBe(404)
    expect((await member.req(`/settings/${s.workspace.id}/connections`)).status).toBe(404)
  })

  it('the creator revokes their own PAT from the Developer portal; nobody else can revoke it there', async () => {
    const { pat, token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Owner tool' })
    const guest = await PortalAgent.signedIn(server, s.guest.email as string, PW)
    const gcsrf = await guest.csrf('/developers/tokens')
    const refused = await guest.req(`/developers/tokens/${pat.id}/revoke`, { _csrf: gcsrf })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('personal access tokens. This user is a guest.')
    expect((await server.client(token).users.me({})).type).toBe('bot')
    const owner = await PortalAgent.signedIn(server, s.owner.email as string, PW)
    const csrf = await owner.csrf('/developers/tokens')
    expect((await owner.req(`/developers/tokens/${pat.id}/revoke`, { _csrf: csrf })).location).toBe('/developers/tokens?done=revoked')
    expect((await server.raw('/v1/users/me', { token })).status).toBe(401)
  })
})
