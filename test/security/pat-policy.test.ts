import { APIErrorCode } from '@notionhq/client'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { PAT_POLICY_BY_PLAN, getPatPolicy, setPatPolicy } from '../../src/services/pat-policy.js'
import { getPat, listWorkspacePats, revealPat, revokePat } from '../../src/services/pats.service.js'
import { addGroupMember, changeMemberRole, createGroup, removeGroupMember } from '../../src/services/people.service.js'
import { addMember } from '../../src/services/workspaces.service.js'
import { listAudit } from '../../src/storage/repositories/audit.repository.js'
import type { PatPolicy, Plan } from '../../src/storage/database.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { manualClock, seedPeople } from '../support/pats.js'

/**
 * Who may create and use PATs (seed 004's table): every plan × policy × role, the policy flip and its
 * reversal, reveal only by the creator, the admin view, and secrets at rest and in logs.
 */
describe('PAT creation policy', () => {
  let server: TestServer
  let logs = ''
  // Audit entries are ordered by time: a hand-moved clock keeps same-millisecond ties out.
  const clock = manualClock()
  const tick = () => clock.advance(1000)
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs += String(chunk)
        cb()
      },
    })
    server = await startTestServer({ logger: createLogger('debug', sink), clock })
  })
  afterAll(async () => server.stop())

  type Role = 'owner' | 'admin' | 'member' | 'grouped' | 'restricted' | 'guest'
  /** Who may create a Notion API PAT, per policy (grouped = a member in the selected group). */
  const ADMITS: Record<PatPolicy, Role[]> = {
    owners_only: ['owner'],
    all_members: ['owner', 'admin', 'member', 'grouped'],
    owners_and_selected_groups: ['owner', 'grouped'],
  }
  const cases: [Plan, PatPolicy, boolean][] = []
  for (const plan of ['free', 'plus', 'business', 'enterprise'] as Plan[]) {
    const rule = PAT_POLICY_BY_PLAN[plan]
    for (const policy of rule.choices) cases.push([plan, policy, policy === rule.default])
  }

  it('has the plan table of seed 004', () => {
    expect(PAT_POLICY_BY_PLAN).toEqual({
      free: { default: 'owners_only', choices: ['owners_only'] },
      plus: { default: 'all_members', choices: ['all_members'] },
      business: { default: 'owners_only', choices: ['owners_only', 'all_members'] },
      enterprise: { default: 'owners_and_selected_groups', choices: ['owners_only', 'owners_and_selected_groups', 'all_members'] },
    })
  })

  it.each(cases)('%s plan, %s policy (default: %s): creation and use per role', async (plan, policy, isDefault) => {
    const s = await seedPeople(server, plan)
    const g = await addMember(server.deps, s.workspace.id, { name: 'Gil Grouped', email: `gil.${s.workspace.id}@pat.test`, role: 'member' })
    if (plan === 'enterprise') {
      const group = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'API users' })
      await addGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: group.id, userId: g.id })
      if (!isDefault || policy === 'owners_and_selected_groups') {
        await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy, groupIds: [group.id] })
      }
    } else if (!isDefault) {
      await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy })
    }
    expect((await getPatPolicy(server.deps, s.workspace.id)).policy).toBe(policy)
    const people: Record<Role, string> = {
      owner: s.owner.id,
      admin: s.admin.id,
      member: s.member.id,
      grouped: g.id,
      restricted: s.restricted.id,
      guest: s.guest.id,
    }
    // Outside Enterprise there are no selected groups: "grouped" is a plain member.
    const admitted = plan === 'enterprise' ? ADMITS[policy] : ADMITS[policy].filter((r) => r !== 'grouped' || policy === 'all_members')
    for (const [role, id] of Object.entries(people) as [Role, string][]) {
      const attempt = s.pat(id, { name: `${role} token` })
      if (admitted.includes(role)) {
        const { token } = await attempt
        const notion = server.client(token)
        expect((await notion.pages.retrieve({ page_id: s.pages.grandchild.id })).id, `${role} reads through its PAT`).toBe(
          s.pages.grandchild.id,
        )
      } else if (role === 'guest' || role === 'restricted') {
        await expect(attempt, role).rejects.toThrow('Guests and restricted members cannot create personal access tokens.')
      } else {
        await expect(attempt, role).rejects.toThrow(/create personal access tokens with Notion API access; this member is not allowed/)
      }
    }
  })

  it('refuses changes the plan does not offer, and changes by non-owners', async () => {
    for (const plan of ['free', 'plus'] as Plan[]) {
      const s = await seedPeople(server, plan)
      await expect(setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })).rejects.toThrow(
        /not configurable on the/,
      )
    }
    const s = await seedPeople(server, 'business')
    await expect(
      setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'owners_and_selected_groups' }),
    ).rejects.toThrow(/business plan offers/)
    for (const who of [s.admin.id, s.member.id, s.guest.id]) {
      await expect(setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: who, policy: 'all_members' })).rejects.toThrow(
        /Only workspace owners/,
      )
    }
    const e = await seedPeople(server, 'enterprise')
    await expect(
      setPatPolicy(server.deps, {
        workspaceId: e.workspace.id,
        actorId: e.owner.id,
        policy: 'owners_and_selected_groups',
        groupIds: [e.workspace.id],
      }),
    ).rejects.toThrow(/No group with id/)
  })

  it('a policy flip suspends a member’s PATs (401, not revoked) and its reversal restores them', async () => {
    const s = await seedPeople(server, 'business')
    await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })
    const member = await s.pat(s.member.id)
    const owner = await s.pat(s.owner.id)
    const read = (token: string) => server.client(token).pages.retrieve({ page_id: s.pages.root.id })
    expect((await read(member.token)).id).toBe(s.pages.root.id)

    tick()
    const flipped = await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'owners_only' })
    expect(flipped.policy).toBe('owners_only')
    const e = await apiError(read(member.token))
    expect([e.status, e.code, e.message]).toEqual([401, APIErrorCode.Unauthorized, 'API token is invalid.'])
    expect((await read(owner.token)).id).toBe(s.pages.root.id)
    const suspended = await getPat(server.deps, member.pat.id, s.owner.id)
    expect(suspended).toMatchObject({ status: 'active', suspended: 'policy', revoked_time: null })
    // A new PAT is refused to the member meanwhile.
    await expect(s.pat(s.member.id)).rejects.toThrow(/not allowed/)

    tick()
    await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })
    expect((await read(member.token)).id).toBe(s.pages.root.id)
    expect((await getPat(server.deps, member.pat.id, s.owner.id)).suspended).toBeNull()

    const changes = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['pat_policy.changed'] })
    expect(changes.map((c) => c.meta)).toEqual([
      {
        from: { policy: 'owners_only', group_ids: [] },
        to: { policy: 'all_members', group_ids: [] },
        suspended_tokens: 0,
        restored_tokens: 1,
      },
      {
        from: { policy: 'all_members', group_ids: [] },
        to: { policy: 'owners_only', group_ids: [] },
        suspended_tokens: 1,
        restored_tokens: 0,
      },
      {
        from: { policy: 'owners_only', group_ids: [] },
        to: { policy: 'all_members', group_ids: [] },
        suspended_tokens: 0,
        restored_tokens: 0,
      },
    ])
    expect(changes.every((c) => c.actor === `user:${s.owner.id}`)).toBe(true)
  })

  it('Enterprise: leaving the selected group suspends, rejoining restores; no group selected = owners only', async () => {
    const s = await seedPeople(server, 'enterprise')
    const group = await createGroup(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Builders' })
    // Default policy with no selected group: only owners.
    await expect(s.pat(s.member.id)).rejects.toThrow(/not allowed/)
    expect((await getPatPolicy(server.deps, s.workspace.id)).selected_groups).toEqual([])
    await addGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: group.id, userId: s.member.id })
    await expect(s.pat(s.member.id)).rejects.toThrow(/not allowed/)
    await setPatPolicy(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      policy: 'owners_and_selected_groups',
      groupIds: [group.id],
    })
    expect((await getPatPolicy(server.deps, s.workspace.id)).selected_groups).toEqual([{ id: group.id, name: 'Builders' }])
    const { token } = await s.pat(s.member.id)
    const me = () => server.client(token).users.me({})
    await me()
    await removeGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: group.id, userId: s.member.id })
    expect((await apiError(me())).status).toBe(401)
    await addGroupMember(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, groupId: group.id, userId: s.member.id })
    expect((await me()).type).toBe('bot')
    // Demoted to restricted member: 401 even under "all members"; promoted back: works again.
    await setPatPolicy(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, policy: 'all_members' })
    await changeMemberRole(server.deps, {
      workspaceId: s.workspace.id,
      actorId: s.owner.id,
      userId: s.member.id,
      role: 'restricted_member',
    })
    expect((await apiError(me())).status).toBe(401)
    await changeMemberRole(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, userId: s.member.id, role: 'member' })
    expect((await me()).type).toBe('bot')
  })

  it('only the creator reveals a PAT; an owner is refused; reveals are audited', async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.member.id)
    tick()
    expect(await revealPat(server.deps, pat.id, s.member.id)).toBe(token)
    for (const who of [s.owner.id, s.admin.id, s.guest.id]) {
      await expect(revealPat(server.deps, pat.id, who)).rejects.toThrow(
        'Only the creator of a personal access token can reveal or copy it; workspace admins cannot.',
      )
    }
    const entries = await listAudit(server.deps.store.db, s.workspace.id, { actions: ['pat.*'] })
    expect(entries.map((e) => [e.action, e.actor])).toEqual([
      ['pat.revealed', `user:${s.member.id}`],
      ['pat.created', `user:${s.member.id}`],
    ])
    await revokePat(server.deps, pat.id, { type: 'user', userId: s.owner.id })
    await expect(revealPat(server.deps, pat.id, s.member.id)).rejects.toThrow(/is revoked/)
  })

  it('admin view: every PAT with creator, dates, status and revoker, filterable; owners only; never the secret', async () => {
    const s = await seedPeople(server, 'plus')
    const a = await s.pat(s.member.id, { name: 'Deploy bot' })
    const b = await s.pat(s.owner.id, { name: 'Backup script' })
    const c = await s.pat(s.admin.id, { name: 'deploy preview', expiresInDays: 7 })
    await server.client(a.token).users.me({})
    await revokePat(server.deps, b.pat.id, { type: 'user', userId: s.owner.id })
    const all = await listWorkspacePats(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id })
    expect(all.map((p) => p.name).sort()).toEqual(['Backup script', 'Deploy bot', 'deploy preview'])
    const deploy = all.find((p) => p.id === a.pat.id)
    expect(deploy).toMatchObject({
      creator: { id: s.member.id, name: 'Mia Member', email: s.member.email },
      status: 'active',
      revoked_by: null,
    })
    expect(deploy?.last_used_time).not.toBeNull()
    expect(all.find((p) => p.id === b.pat.id)).toMatchObject({
      status: 'revoked',
      revoked_by: { type: 'user', id: s.owner.id, name: 'Olive Owner' },
    })
    const names = async (f: object) =>
      (await listWorkspacePats(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, ...f })).map((p) => p.name).sort()
    expect(await names({ query: 'DEPLOY' })).toEqual(['Deploy bot', 'deploy preview'])
    expect(await names({ creatorId: s.admin.id })).toEqual(['deploy preview'])
    expect(await names({ status: 'revoked' })).toEqual(['Backup script'])
    expect(await names({ status: 'active', query: 'deploy' })).toEqual(['Deploy bot', 'deploy preview'])
    const dump = JSON.stringify(all)
    for (const t of [a.token, b.token, c.token]) expect(dump).not.toContain(t)
    expect(dump).not.toMatch(/sealed_secret|digest/)
    for (const who of [s.admin.id, s.member.id]) {
      await expect(listWorkspacePats(server.deps, { workspaceId: s.workspace.id, actorId: who })).rejects.toThrow(/Only workspace owners/)
    }
  })

  it('keeps PAT secrets out of the store files and the logs', async () => {
    const s = await seedPeople(server, 'plus')
    const { token, pat } = await s.pat(s.member.id)
    await server.client(token).users.me({})
    await server.client(token).pages.retrieve({ page_id: s.pages.root.id })
    await server.raw('/v1/users', { token })
    expect(await revealPat(server.deps, pat.id, s.member.id)).toBe(token)
    const rows = await server.deps.store.db.selectFrom('personal_access_token').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(token)
    expect(JSON.stringify(await listAudit(server.deps.store.db, s.workspace.id, 1000))).not.toContain(token)
    for (const f of readdirSync(server.dataDir)) {
      expect(readFileSync(join(server.dataDir, f)).toString('latin1').includes(token), f).toBe(false)
    }
    expect(logs).toContain('"path":"/v1/users/me"')
    expect(logs).not.toContain(token)
  })
})
