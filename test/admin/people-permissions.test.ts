import { APIErrorCode } from '@notionhq/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { principalsForUser } from '../../src/services/people-access.js'
import { adminCall } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * People and page permissions (issue 4, ADR 9) through the real admin API: roles, groups, grants to
 * the workspace / a group / a person, inheritance, copy on break and restore, private pages, leaving,
 * and every denial. Effective levels are read with `GET /pages/{id}/access/{user}`, which computes
 * them exactly as `/v1` does for a person (principalsForUser + one root ACL read).
 */
describe('people and page permissions (admin API)', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const call = (method: string, path: string, body?: unknown) => adminCall(server, method, path, body)
  const level = async (pageId: string, userId: string) => (await call('GET', `/pages/${pageId}/access/${userId}`)).body.level as string
  const addPerson = async (name: string, role: string) => {
    const r = await call('POST', `/workspaces/${s.workspace.id}/members`, { name, email: `${name.toLowerCase()}@example.com`, role })
    expect(r.status).toBe(201)
    return r.body.id as string
  }
  const audit = async () =>
    (await call('GET', `/workspaces/${s.workspace.id}/audit`)).body.entries as {
      action: string
      target: string
      actor: string
      meta: any
    }[]

  beforeEach(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
  })
  afterEach(async () => server.stop())

  it('resolves principals per role: full members hold the workspace, restricted members and guests do not', async () => {
    const admin = await addPerson('Ada', 'membership_admin')
    const restricted = await addPerson('Rita', 'restricted_member')
    const db = server.deps.store.db
    const ws = s.workspace.id
    expect((await principalsForUser(db, ws, s.owner.id))?.principals).toEqual([`user:${s.owner.id}`, `members:${ws}`])
    expect((await principalsForUser(db, ws, admin))?.principals).toEqual([`user:${admin}`, `members:${ws}`])
    expect((await principalsForUser(db, ws, s.member.id))?.role).toBe('member')
    expect((await principalsForUser(db, ws, restricted))?.principals).toEqual([`user:${restricted}`])
    expect((await principalsForUser(db, ws, s.guest.id))?.principals).toEqual([`user:${s.guest.id}`])
    expect(await principalsForUser(db, ws, '00000000-0000-4000-8000-000000000000')).toBeNull()
    // Workspace-section pages: every full member has full access; guests and restricted members nothing.
    expect(await level(s.pages.grandchild.id, s.member.id)).toBe('full')
    expect(await level(s.pages.grandchild.id, admin)).toBe('full')
    expect(await level(s.pages.root.id, restricted)).toBe('none')
    expect(await level(s.pages.root.id, s.guest.id)).toBe('none')
  })

  it('keeps private pages to their creator and whoever they share them with', async () => {
    const created = await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Diary', private: true, as: s.member.email })
    expect(created.status).toBe(201)
    expect(created.body.private).toBe(true)
    const diary = created.body.id as string
    expect(await level(diary, s.member.id)).toBe('full')
    expect(await level(diary, s.owner.id)).toBe('none')
    // The owner cannot even see it: not_found, not forbidden.
    const seen = await call('GET', `/pages/${diary}/permissions?as=${s.owner.email}`)
    expect(seen.status).toBe(404)
    expect(seen.body.code).toBe('not_found')
    const sub = await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Entry', parent_id: diary, as: s.member.email })
    expect(sub.status).toBe(201)
    expect(await level(sub.body.id, s.owner.id)).toBe('none')
    // Shared with the owner as "can comment": the page and its subpage.
    expect((await call('PUT', `/pages/${diary}/permissions/users/${s.owner.id}`, { level: 'comment', as: s.member.email })).status).toBe(
      200,
    )
    expect(await level(sub.body.id, s.owner.id)).toBe('comment')
    // Guests cannot create top-level pages; restricted members only private ones.
    const rita = await addPerson('Rita', 'restricted_member')
    expect((await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'X', as: s.guest.email })).status).toBe(403)
    expect((await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'X', private: true, as: s.guest.email })).status).toBe(403)
    expect((await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'X', as: rita })).body.code).toBe('forbidden')
    const ritas = await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Mine', private: true, as: rita })
    expect(ritas.status).toBe(201)
    expect(await level(ritas.body.id, rita)).toBe('full')
    expect(await level(ritas.body.id, s.member.id)).toBe('none')
  })

  it('grants to a person (guest included), a group and the workspace; the highest level wins; levels gate actions', async () => {
    const p = s.pages
    // Guest: shared "can view" on Child → Child and Grandchild, not Root.
    const share = await call('PUT', `/pages/${p.child.id}/permissions/users/${s.guest.id}`, { level: 'view' })
    expect(share.status).toBe(200)
    expect(share.body).toMatchObject({ level: 'view', previous_level: 'none', inherits: true })
    expect(await level(p.child.id, s.guest.id)).toBe('view')
    expect(await level(p.grandchild.id, s.guest.id)).toBe('view')
    expect(await level(p.root.id, s.guest.id)).toBe('none')
    // A guest with "can view" cannot share (needs full access): forbidden; on a page they cannot see: not_found.
    expect((await call('PUT', `/pages/${p.grandchild.id}/permissions/workspace`, { level: 'view', as: s.guest.email })).body.code).toBe(
      'forbidden',
    )
    expect((await call('PUT', `/pages/${p.root.id}/permissions/workspace`, { level: 'view', as: s.guest.email })).body.code).toBe(
      'not_found',
    )

    // Groups: Rita (restricted) sees only what a group or she herself is given.
    const rita = await addPerson('Rita', 'restricted_member')
    const group = await call('POST', `/workspaces/${s.workspace.id}/groups`, { name: 'Design' })
    expect(group.status).toBe(201)
    const gid = group.body.id as string
    expect((await call('PUT', `/groups/${gid}/members/${rita}`, {})).status).toBe(200)
    expect((await call('PUT', `/pages/${p.child.id}/permissions/groups/${gid}`, { level: 'comment' })).status).toBe(200)
    expect(await level(p.grandchild.id, rita)).toBe('comment')
    // Highest wins: a direct "can edit" on Grandchild beats the group's "can comment".
    expect((await call('PUT', `/pages/${p.grandchild.id}/permissions/users/${rita}`, { level: 'edit' })).status).toBe(200)
    expect(await level(p.grandchild.id, rita)).toBe('edit')
    expect(await level(p.child.id, rita)).toBe('comment')
    // Leaving the group takes effect at once and rewrites no ACL row.
    const aclRows = async () =>
      Number(
        (
          await server.deps.store.db
            .selectFrom('root_acl')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = await aclRows()
    expect((await call('DELETE', `/groups/${gid}/members/${rita}`)).status).toBe(200)
    expect(await aclRows()).toBe(before)
    expect(await level(p.child.id, rita)).toBe('none')
    expect(await level(p.grandchild.id, rita)).toBe('edit')
    expect((await call('PUT', `/groups/${gid}/members/${rita}`, {})).status).toBe(200)
    expect(await level(p.child.id, rita)).toBe('comment')

    // The listing names each entry's source page.
    const access = await call('GET', `/pages/${p.grandchild.id}/permissions`)
    expect(access.status).toBe(200)
    const byPrincipal = Object.fromEntries((access.body.entries as any[]).map((e) => [e.principal, e]))
    expect(byPrincipal[`members:${s.workspace.id}`]).toMatchObject({
      type: 'workspace',
      level: 'full',
      source_page_id: p.root.id,
      inherited: true,
      name: 'Acme',
    })
    expect(byPrincipal[`group:${gid}`]).toMatchObject({ type: 'group', level: 'comment', source_page_id: p.child.id, name: 'Design' })
    expect(byPrincipal[`user:${rita}`]).toMatchObject({
      type: 'user',
      level: 'edit',
      source_page_id: p.grandchild.id,
      inherited: false,
      name: 'Rita',
    })
    expect(byPrincipal[`user:${s.guest.id}`]).toMatchObject({ level: 'view', source_page_id: p.child.id })
    expect(access.body).toMatchObject({ inherits: true, access_differs: true, parent_page_id: p.child.id })

    const actions = (await audit()).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['page.share', 'group.created', 'group.member_added', 'group.member_removed']))
  })

  it('changing an inherited level breaks inheritance (copy on break); restore re-inherits', async () => {
    const p = s.pages
    // The owner keeps full access on Child through a direct grant (adding one keeps Child inheriting).
    expect((await call('PUT', `/pages/${p.child.id}/permissions/users/${s.owner.id}`, { level: 'full' })).body).toMatchObject({
      inherits: true,
    })
    // Lower the workspace to "can view" on Child: Child and Grandchild, not Root.
    const lowered = await call('PUT', `/pages/${p.child.id}/permissions/workspace`, { level: 'view' })
    expect(lowered.status).toBe(200)
    expect(lowered.body).toMatchObject({ previous_level: 'full', inherits: false })
    expect(await level(p.child.id, s.member.id)).toBe('view')
    expect(await level(p.grandchild.id, s.member.id)).toBe('view')
    expect(await level(p.root.id, s.member.id)).toBe('full')
    expect((await call('GET', `/pages/${p.child.id}/permissions`)).body).toMatchObject({ inherits: false, access_differs: true })
    // Later changes above no longer flow into Child.
    await call('PUT', `/pages/${p.root.id}/permissions/users/${s.guest.id}`, { level: 'edit' })
    expect(await level(p.root.id, s.guest.id)).toBe('edit')
    expect(await level(p.grandchild.id, s.guest.id)).toBe('none')
    // Removing the workspace from Grandchild (inherited from Child) restricts it too.
    expect((await call('DELETE', `/pages/${p.grandchild.id}/permissions/workspace`)).status).toBe(200)
    expect(await level(p.grandchild.id, s.member.id)).toBe('none')
    expect(await level(p.child.id, s.member.id)).toBe('view')
    // The owner is a member too: only the direct grant (copied into Grandchild) keeps them in.
    expect(await level(p.grandchild.id, s.owner.id)).toBe('full')
    // Restore on Child: inherits Root again (workspace full, guest edit). Grandchild stays restricted.
    const restored = await call('POST', `/pages/${p.child.id}/permissions/restore`, {})
    expect(restored.status).toBe(200)
    expect(await level(p.child.id, s.member.id)).toBe('full')
    expect(await level(p.child.id, s.guest.id)).toBe('edit')
    expect(await level(p.grandchild.id, s.member.id)).toBe('none')
    // Restoring a page that already inherits: conflict; a top-level page: invalid_input.
    expect((await call('POST', `/pages/${p.child.id}/permissions/restore`, {})).body.code).toBe('conflict')
    expect((await call('POST', `/pages/${p.root.id}/permissions/restore`, {})).status).toBe(400)
    // Removing something the page does not have: not_found.
    expect((await call('DELETE', `/pages/${p.secret.id}/permissions/users/${s.guest.id}`)).body.code).toBe('not_found')
    // Without a direct grant, lowering below full access leaves the owner unable to share: forbidden.
    await call('PUT', `/pages/${p.secret.id}/permissions/workspace`, { level: 'edit' })
    expect((await call('PUT', `/pages/${p.secret.id}/permissions/workspace`, { level: 'full' })).body.code).toBe('forbidden')
    const actions = (await audit()).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['page.share', 'page.unshare', 'page.access_restored']))
  })

  it('connections keep their shares when people access is restricted below them', async () => {
    await s.share(s.pages.root.id)
    await call('DELETE', `/pages/${s.pages.child.id}/permissions/workspace`)
    expect(await level(s.pages.child.id, s.member.id)).toBe('none')
    const bot = server.client(s.token)
    expect((await bot.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
    const access = await call('GET', `/pages/${s.pages.grandchild.id}/permissions`, undefined)
    // The owner lost access with the workspace entry, so the admin API (acting as the owner) gets not_found.
    expect(access.status).toBe(404)
    await call('PUT', `/pages/${s.pages.child.id}/permissions/users/${s.owner.id}`, { level: 'full', as: s.owner.email }).then((r) =>
      expect(r.body.code).toBe('not_found'),
    )
  })

  it('sharing needs full access; members with edit, guests and strangers are refused', async () => {
    await call('PUT', `/pages/${s.pages.secret.id}/permissions/workspace`, { level: 'edit' })
    const denied = await call('PUT', `/pages/${s.pages.secret.id}/permissions/users/${s.guest.id}`, { level: 'view', as: s.member.email })
    expect(denied.status).toBe(403)
    expect(denied.body.message).toMatch(/full access/)
    // Unknown group, person not in the workspace, invalid level, bad id.
    expect(
      (await call('PUT', `/pages/${s.pages.root.id}/permissions/groups/00000000-0000-4000-8000-000000000001`, { level: 'view' })).status,
    ).toBe(404)
    expect(
      (await call('PUT', `/pages/${s.pages.root.id}/permissions/users/00000000-0000-4000-8000-000000000001`, { level: 'view' })).status,
    ).toBe(404)
    expect((await call('PUT', `/pages/${s.pages.root.id}/permissions/workspace`, { level: 'owner' })).status).toBe(400)
    expect((await call('PUT', `/pages/not-a-uuid/permissions/workspace`, { level: 'view' })).status).toBe(400)
    expect((await call('GET', `/pages/00000000-0000-4000-8000-000000000002/permissions`)).status).toBe(404)
  })

  it('a member who leaves loses every grant at once: user grants, groups, the workspace', async () => {
    const diary = (await call('POST', `/workspaces/${s.workspace.id}/pages`, { title: 'Plans', private: true, as: s.owner.email })).body
      .id as string
    const gid = (await call('POST', `/workspaces/${s.workspace.id}/groups`, { name: 'Ops' })).body.id as string
    await call('PUT', `/groups/${gid}/members/${s.member.id}`, {})
    await call('PUT', `/pages/${diary}/permissions/users/${s.member.id}`, { level: 'edit' })
    await call('PUT', `/pages/${diary}/permissions/groups/${gid}`, { level: 'view' })
    expect(await level(diary, s.member.id)).toBe('edit')
    // Mia leaves by herself.
    const left = await call('DELETE', `/workspaces/${s.workspace.id}/members/${s.member.id}?as=${s.member.email}`)
    expect(left.status).toBe(200)
    expect(await level(diary, s.member.id)).toBe('none')
    expect(await level(s.pages.root.id, s.member.id)).toBe('none')
    expect(await principalsForUser(server.deps.store.db, s.workspace.id, s.member.id)).toBeNull()
    const groups = (await call('GET', `/workspaces/${s.workspace.id}/groups`)).body.groups
    expect(groups[0].members).toEqual([])
    const perms = (await call('GET', `/pages/${diary}/permissions`)).body.entries.map((e: any) => e.principal)
    expect(perms).not.toContain(`user:${s.member.id}`)
    // Re-added, she starts from nothing but the workspace's own pages.
    await call('POST', `/workspaces/${s.workspace.id}/members`, { name: 'Mia Member', email: 'mia@example.com', role: 'member' })
    expect(await level(diary, s.member.id)).toBe('none')
    expect(await level(s.pages.root.id, s.member.id)).toBe('full')
    const entry = (await audit()).find((e) => e.action === 'member.left')
    expect(entry).toMatchObject({ target: s.member.id, actor: `user:${s.member.id}` })
  })

  it('role changes take effect on the next check; who may change roles and groups', async () => {
    const ada = await addPerson('Ada', 'membership_admin')
    const gid = (await call('POST', `/workspaces/${s.workspace.id}/groups`, { name: 'Team', as: ada })).body.id as string
    expect(gid).toBeTruthy()
    await call('PUT', `/groups/${gid}/members/${s.member.id}`, { as: ada })
    await call('PUT', `/pages/${s.pages.secret.id}/permissions/groups/${gid}`, { level: 'comment' })
    // member → restricted member: loses the workspace entry, keeps the group.
    const r = await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'restricted_member', as: ada })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ role: 'restricted_member', previous_role: 'member' })
    expect(await level(s.pages.root.id, s.member.id)).toBe('none')
    expect(await level(s.pages.secret.id, s.member.id)).toBe('comment')
    // → guest: groups dropped.
    await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'guest', as: ada })
    expect(await level(s.pages.secret.id, s.member.id)).toBe('none')
    expect((await call('GET', `/workspaces/${s.workspace.id}/groups`)).body.groups[0].members).toEqual([])
    expect((await call('PUT', `/groups/${gid}/members/${s.member.id}`, {})).status).toBe(400)
    // → member again: the workspace section comes back.
    await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'member' })
    expect(await level(s.pages.root.id, s.member.id)).toBe('full')

    // Denials: membership admins cannot touch owners or make admins; members manage nothing; last owner stays.
    expect((await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'owner', as: ada })).status).toBe(403)
    expect((await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.owner.id}`, { role: 'member', as: ada })).status).toBe(403)
    expect((await call('DELETE', `/workspaces/${s.workspace.id}/members/${s.owner.id}?as=${ada}`)).status).toBe(403)
    expect(
      (await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.guest.id}`, { role: 'member', as: s.member.email })).status,
    ).toBe(403)
    expect((await call('DELETE', `/workspaces/${s.workspace.id}/members/${s.guest.id}?as=${s.member.email}`)).status).toBe(403)
    expect((await call('POST', `/workspaces/${s.workspace.id}/groups`, { name: 'Nope', as: s.member.email })).status).toBe(403)
    expect((await call('PATCH', `/groups/${gid}`, { name: 'Nope', as: s.member.email })).status).toBe(403)
    expect((await call('DELETE', `/groups/${gid}?as=${s.guest.email}`)).status).toBe(403)
    expect((await call('PUT', `/groups/${gid}/members/${s.member.id}`, { as: s.member.email })).status).toBe(403)
    const last = await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.owner.id}`, { role: 'member' })
    expect(last.status).toBe(409)
    expect((await call('DELETE', `/workspaces/${s.workspace.id}/members/${s.owner.id}`)).status).toBe(409)
    expect((await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'admin' })).status).toBe(400)
    expect((await call('POST', `/workspaces/${s.workspace.id}/groups`, { name: '  ' })).status).toBe(400)
    expect((await call('PATCH', `/groups/00000000-0000-4000-8000-000000000003`, { name: 'x' })).status).toBe(404)
    // Adding people: membership admins below admin level only; members never.
    const addAs = (as: string, role: string) =>
      call('POST', `/workspaces/${s.workspace.id}/members`, { name: 'New', email: `new-${role}@example.com`, role, as })
    expect((await addAs(ada, 'guest')).status).toBe(201)
    expect((await addAs(ada, 'membership_admin')).status).toBe(403)
    expect((await addAs(s.member.email as string, 'member')).status).toBe(403)
    expect((await audit()).find((e) => e.action === 'member.added' && e.actor === `user:${ada}`)).toBeTruthy()

    // The owner may make another owner; then the first may step down.
    expect((await call('PATCH', `/workspaces/${s.workspace.id}/members/${ada}`, { role: 'owner' })).status).toBe(200)
    expect((await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.owner.id}`, { role: 'member', as: ada })).status).toBe(200)

    // Rename and delete a group; deleting drops its page grants.
    expect((await call('PATCH', `/groups/${gid}`, { name: 'Crew' })).body.name).toBe('Crew')
    await call('PUT', `/groups/${gid}/members/${s.member.id}`, {})
    await call('PATCH', `/workspaces/${s.workspace.id}/members/${s.member.id}`, { role: 'restricted_member', as: ada })
    expect(await level(s.pages.secret.id, s.member.id)).toBe('comment')
    const del = await call('DELETE', `/groups/${gid}`)
    expect(del.status).toBe(200)
    expect(await level(s.pages.secret.id, s.member.id)).toBe('none')
    const perms = (await call('GET', `/pages/${s.pages.secret.id}/permissions`, undefined)).body.entries.map((e: any) => e.principal)
    expect(perms).not.toContain(`group:${gid}`)
    const actions = (await audit()).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['member.role_changed', 'group.renamed', 'group.deleted']))
  })

  it('a person at "can view" reads through /v1 with a PAT but cannot edit; unshared pages are 404', async () => {
    // Plus plan: every member may create PATs (the PAT half of issue 4).
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    const { createPat } = await import('../../src/services/pats.service.js')
    await call('PUT', `/pages/${s.pages.child.id}/permissions/users/${s.owner.id}`, { level: 'full' })
    expect((await call('PUT', `/pages/${s.pages.child.id}/permissions/workspace`, { level: 'view' })).status).toBe(200)
    const { token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'script' })
    const mia = server.client(token)
    expect((await mia.pages.retrieve({ page_id: s.pages.grandchild.id })).id).toBe(s.pages.grandchild.id)
    const e = await apiError(
      mia.pages.update({ page_id: s.pages.grandchild.id, properties: { title: { title: [{ text: { content: 'x' } }] } } }),
    )
    expect(e.status).toBe(403)
    expect(e.code).toBe(APIErrorCode.RestrictedResource)
    expect((await call('DELETE', `/pages/${s.pages.child.id}/permissions/workspace`)).status).toBe(200)
    expect((await apiError(mia.pages.retrieve({ page_id: s.pages.grandchild.id }))).code).toBe(APIErrorCode.ObjectNotFound)
  })
})

describe('people and page permissions: the level each API operation needs (PAT through the SDK)', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await startTestServer()
  })
  afterEach(async () => server.stop())

  it('read needs view, comment needs comment, edit needs edit, adding a connection needs full access', async () => {
    const s = await seedBasic(server)
    await server.deps.store.db.updateTable('workspace').set({ plan: 'plus' }).where('id', '=', s.workspace.id).execute()
    const { createPat } = await import('../../src/services/pats.service.js')
    const { createPageAsUser } = await import('../../src/services/setup.service.js')
    const { setPageAccess } = await import('../../src/services/page-permissions.service.js')
    const { shareWithConnection } = await import('../../src/services/connections.service.js')
    const levels = ['view', 'comment', 'edit_content', 'edit', 'full'] as const
    const pages: Record<string, string> = {}
    for (const l of levels) {
      // Private pages of the owner, each shared with Mia at one level.
      const p = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: l, private: true })
      await setPageAccess(server.deps, { pageId: p.id, actorId: s.owner.id, target: { type: 'user', id: s.member.id }, level: l })
      pages[l] = p.id
    }
    const { token } = await createPat(server.deps, { workspaceId: s.workspace.id, actorId: s.member.id, name: 'levels' })
    const mia = server.client(token)
    const rank = { view: 1, comment: 2, edit_content: 3, edit: 4, full: 5 }
    for (const l of levels) {
      const id = pages[l] as string
      expect((await mia.pages.retrieve({ page_id: id })).id).toBe(id)
      const comment = mia.comments.create({ parent: { page_id: id }, rich_text: [{ text: { content: 'hi' } }] })
      if (rank[l] >= 2) expect((await comment).object).toBe('comment')
      else expect((await apiError(comment)).code).toBe('restricted_resource')
      const update = mia.pages.update({ page_id: id, icon: { type: 'emoji', emoji: '📌' } })
      if (rank[l] >= 4) expect((await update).id).toBe(id)
      else expect((await apiError(update)).code).toBe('restricted_resource')
      const share = shareWithConnection(server.deps, s.connection.id, id, s.member.id)
      if (rank[l] >= 5) await expect(share).resolves.toBeTruthy()
      else await expect(share).rejects.toThrow('full access')
    }
    // The owner's private page that was never shared: 404 for Mia's PAT, whatever the operation.
    const hidden = await createPageAsUser(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, title: 'hidden', private: true })
    expect((await apiError(mia.pages.retrieve({ page_id: hidden.id }))).code).toBe('object_not_found')
    expect((await apiError(mia.pages.update({ page_id: hidden.id, icon: { type: 'emoji', emoji: '📌' } }))).code).toBe('object_not_found')
  })
})
