import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maintenanceCommands, workspaceCommands } from '../../src/cli/commands.js'
import { patCommands } from '../../src/cli/pat-commands.js'
import { peopleCommands } from '../../src/cli/people-commands.js'
import { setPageAccess } from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { lastEventSeq, listEvents } from '../../src/storage/repositories/events.repository.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { PortalAgent } from '../support/portal-agent.js'

/**
 * Change events of the people room (ADR 15; docs/architecture.md "Writes and change events"): every
 * write to members, groups, PATs, the PAT policy and portal sign-in appends exactly its events, in the
 * write's own transaction, whichever surface makes it — the admin API over HTTP, the CLI (in-process,
 * on the server's store) and the portal over HTTP — and a refused write appends none.
 */

const PW = 'correct horse battery'

describe('people room: change events per write, on every surface', { timeout: 120_000 }, () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  /** A Business workspace (its PAT policy is configurable), owned by the seed's owner, with the seed's member. */
  let biz: string

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/_octavo/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const octavo = (args: string[]) =>
    runCliInProcess(
      [workspaceCommands, peopleCommands, patCommands, maintenanceCommands],
      ['--data-dir', server.dataDir, '--json', ...args],
      { databaseUrl: server.config.databaseUrl },
    )
  const cli = async <T = any>(args: string[]) => JSON.parse(await octavo(args)) as T

  /** Runs `write` and returns the events it appended, as `[type, object id]`. */
  const eventsOf = async (write: () => Promise<unknown>): Promise<[string, string | null][]> => {
    const afterSeq = await lastEventSeq(server.deps.store.db)
    await write()
    return (await listEvents(server.deps.store.db, { afterSeq })).map((e) => [e.type, e.objectId])
  }

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    const b = await createWorkspace(server.deps, {
      name: 'Bizco',
      plan: 'business',
      members: [
        { name: 'Olive Owner', email: 'olive@example.com', role: 'owner' },
        { name: 'Mia Member', email: 'mia@example.com', role: 'member' },
      ],
    })
    biz = b.workspace.id
    for (const p of [s.owner, s.member, s.guest]) await setPassword(server.deps, p.id, PW)
  })
  afterAll(async () => server.stop())

  it('admin API: role change, groups, PATs, policy, password and member removal append exactly their events', async () => {
    const ws = s.workspace.id
    expect(
      await eventsOf(async () =>
        expect((await admin('PATCH', `/workspaces/${ws}/members/${s.member.id}`, { role: 'restricted_member' })).status).toBe(200),
      ),
    ).toEqual([['member.role_changed', s.member.id]])
    await admin('PATCH', `/workspaces/${ws}/members/${s.member.id}`, { role: 'member' })

    let gid = ''
    expect(
      await eventsOf(async () => {
        gid = (await admin('POST', `/workspaces/${ws}/groups`, { name: 'Design' })).body.id
      }),
    ).toEqual([['group.created', expect.any(String)]])
    expect(await eventsOf(() => admin('PATCH', `/groups/${gid}`, { name: 'Brand' }))).toEqual([['group.renamed', gid]])
    expect(await eventsOf(() => admin('PUT', `/groups/${gid}/members/${s.member.id}`, {}))).toEqual([['group.member_added', gid]])
    expect(await eventsOf(() => admin('DELETE', `/groups/${gid}/members/${s.member.id}`))).toEqual([['group.member_removed', gid]])
    // Deleting a group drops its page grants: one grant.changed per page, then the deletion.
    await setPageAccess(server.deps, { pageId: s.pages.child.id, actorId: s.owner.id, target: { type: 'group', id: gid }, level: 'view' })
    expect(await eventsOf(() => admin('DELETE', `/groups/${gid}`))).toEqual([
      ['grant.changed', s.pages.child.id],
      ['group.deleted', gid],
    ])

    let patId = ''
    expect(
      await eventsOf(async () => {
        const res = await admin('POST', `/workspaces/${ws}/personal-access-tokens`, { name: 'Script', as: s.owner.id })
        expect(res.status).toBe(201)
        patId = res.body.pat.id
      }),
    ).toEqual([['pat.created', expect.any(String)]])
    expect(await eventsOf(() => admin('GET', `/personal-access-tokens/${patId}/token`))).toEqual([['pat.revealed', patId]])
    expect(await eventsOf(() => admin('DELETE', `/personal-access-tokens/${patId}`))).toEqual([['pat.revoked', patId]])
    // Revoking again changes nothing, so it appends nothing.
    expect(await eventsOf(() => admin('DELETE', `/personal-access-tokens/${patId}`))).toEqual([])

    expect(await eventsOf(() => admin('PUT', `/workspaces/${biz}/pat-policy`, { policy: 'all_members' }))).toEqual([
      ['pat_policy.changed', biz],
    ])
    expect(await eventsOf(() => admin('PUT', `/users/${s.guest.id}/password`, { password: PW }))).toEqual([
      ['user.password_set', s.guest.id],
    ])

    // Removal: the person's page grants, then their PATs, then the membership itself.
    const mine = await createPat(server.deps, { workspaceId: biz, actorId: s.member.id, name: 'Mine' })
    await setPageAccess(server.deps, {
      pageId: s.pages.secret.id,
      actorId: s.owner.id,
      target: { type: 'user', id: s.member.id },
      level: 'view',
    })
    const theirs = await createPat(server.deps, {
      workspaceId: ws,
      actorId: s.member.id,
      name: 'Theirs',
      capabilities: { notionApi: false, workers: true },
    })
    expect(await eventsOf(() => admin('DELETE', `/workspaces/${ws}/members/${s.member.id}`))).toEqual([
      ['grant.changed', s.pages.secret.id],
      ['pat.revoked', theirs.pat.id],
      ['member.removed', s.member.id],
    ])
    // Their PAT in the other workspace is untouched; adding them back appends member.added only.
    expect(
      await eventsOf(() => admin('POST', `/workspaces/${ws}/members`, { name: 'Mia Member', email: 'mia@example.com', role: 'member' })),
    ).toEqual([['member.added', s.member.id]])
    expect(mine.pat.status).toBe('active')
  })

  it('admin API: refused writes append nothing', async () => {
    const ws = s.workspace.id
    const refusals: [string, string, unknown, number][] = [
      ['PATCH', `/workspaces/${ws}/members/${s.owner.id}`, { role: 'member' }, 409], // the last owner
      ['PATCH', `/workspaces/${ws}/members/${s.guest.id}`, { role: 'member', as: s.member.id }, 403],
      ['POST', `/workspaces/${ws}/groups`, { name: 'Nope', as: s.guest.id }, 403],
      ['PUT', `/workspaces/${ws}/pat-policy`, { policy: 'all_members' }, 403], // Free: not configurable
      ['PUT', `/workspaces/${biz}/pat-policy`, { policy: 'owners_only', as: s.member.id }, 403],
      ['POST', `/workspaces/${ws}/personal-access-tokens`, { name: 'Guest', as: s.guest.id }, 403],
      ['DELETE', `/workspaces/${ws}/members/${s.owner.id}`, undefined, 409],
    ]
    for (const [method, path, body, status] of refusals) {
      expect(
        await eventsOf(async () => expect((await admin(method, path, body)).status, `${method} ${path}`).toBe(status)),
        `${method} ${path}`,
      ).toEqual([])
    }
  })

  it('CLI: member role, groups, PATs and the policy append exactly their events; refusals none', async () => {
    const ws = s.workspace.id
    expect(await eventsOf(() => cli(['member', 'role', ws, 'mia@example.com', 'restricted_member']))).toEqual([
      ['member.role_changed', s.member.id],
    ])
    await cli(['member', 'role', ws, 'mia@example.com', 'member'])
    let gid = ''
    expect(
      await eventsOf(async () => {
        gid = (await cli(['group', 'create', ws, '--name', 'Ops'])).id
      }),
    ).toEqual([['group.created', expect.any(String)]])
    expect(await eventsOf(() => cli(['group', 'rename', gid, '--name', 'DevOps']))).toEqual([['group.renamed', gid]])
    expect(await eventsOf(() => cli(['group', 'add', gid, 'mia@example.com']))).toEqual([['group.member_added', gid]])
    expect(await eventsOf(() => cli(['group', 'remove', gid, 'mia@example.com']))).toEqual([['group.member_removed', gid]])
    expect(await eventsOf(() => cli(['group', 'delete', gid]))).toEqual([['group.deleted', gid]])

    let patId = ''
    expect(
      await eventsOf(async () => {
        patId = (await cli(['pat', 'create', ws, '--name', 'Cron'])).pat.id
      }),
    ).toEqual([['pat.created', expect.any(String)]])
    expect(await eventsOf(() => cli(['pat', 'revoke', patId]))).toEqual([['pat.revoked', patId]])
    expect(await eventsOf(() => cli(['pat-policy', 'set', biz, 'owners_only']))).toEqual([['pat_policy.changed', biz]])

    for (const args of [
      ['group', 'create', ws, '--name', 'X', '--as', 'mia@example.com'],
      ['member', 'role', ws, 'olive@example.com', 'member'],
      ['pat-policy', 'set', biz, 'all_members', '--as', 'mia@example.com'],
      ['pat', 'create', ws, '--name', 'Nope', '--as', 'gus@example.com'],
    ]) {
      expect(await eventsOf(() => expect(octavo(args)).rejects.toThrow()), args.join(' ')).toEqual([])
    }
  })

  it('portal: sign-in, role change, groups, PATs, policy and sign-out append exactly their events; refusals none', async () => {
    const ws = s.workspace.id
    const owner = new PortalAgent(server.url)
    expect(
      await eventsOf(async () =>
        expect((await owner.req('/login', { email: s.owner.email as string, password: PW, next: '/' })).status).toBe(303),
      ),
    ).toEqual([['user.signed_in', s.owner.id]])

    let csrf = await owner.csrf(`/settings/${ws}/members`)
    expect(
      await eventsOf(() => owner.req(`/settings/${ws}/members/${s.member.id}/role`, { _csrf: csrf, role: 'restricted_member' })),
    ).toEqual([['member.role_changed', s.member.id]])
    csrf = await owner.csrf(`/settings/${ws}/members`)
    await owner.req(`/settings/${ws}/members/${s.member.id}/role`, { _csrf: csrf, role: 'member' })

    csrf = await owner.csrf(`/settings/${ws}/groups`)
    const created = await eventsOf(() => owner.req(`/settings/${ws}/groups`, { _csrf: csrf, name: 'Support' }))
    expect(created).toEqual([['group.created', expect.any(String)]])
    const gid = created[0]![1] as string
    csrf = await owner.csrf(`/settings/${ws}/groups`)
    expect(await eventsOf(() => owner.req(`/settings/${ws}/groups/${gid}/members`, { _csrf: csrf, user_id: s.member.id }))).toEqual([
      ['group.member_added', gid],
    ])
    csrf = await owner.csrf(`/settings/${ws}/groups`)
    expect(await eventsOf(() => owner.req(`/settings/${ws}/groups/${gid}/delete`, { _csrf: csrf }))).toEqual([['group.deleted', gid]])

    csrf = await owner.csrf('/developers/tokens/new')
    const pat = await eventsOf(async () =>
      expect(
        (
          await owner.req('/developers/tokens', {
            _csrf: csrf,
            name: 'Portal tool',
            workspace_id: ws,
            notion_api: 'on',
            expires_in_days: '30',
          })
        ).status,
      ).toBe(201),
    )
    expect(pat).toEqual([['pat.created', expect.any(String)]])
    const patId = pat[0]![1] as string
    csrf = await owner.csrf('/developers/tokens')
    expect(await eventsOf(() => owner.req(`/developers/tokens/${patId}/revoke`, { _csrf: csrf }))).toEqual([['pat.revoked', patId]])
    csrf = await owner.csrf(`/settings/${biz}/connections`)
    expect(await eventsOf(() => owner.req(`/settings/${biz}/pat-policy`, { _csrf: csrf, policy: 'all_members' }))).toEqual([
      ['pat_policy.changed', biz],
    ])

    // Refused: a member manages no groups; a guest creates no PAT and revokes none.
    const member = new PortalAgent(server.url)
    await member.req('/login', { email: s.member.email as string, password: PW, next: '/' })
    const guest = new PortalAgent(server.url)
    await guest.req('/login', { email: s.guest.email as string, password: PW, next: '/' })
    const mine = await createPat(server.deps, { workspaceId: ws, actorId: s.owner.id, name: 'Owner only' })
    const gcsrf = await guest.csrf('/developers/tokens')
    for (const [agent, path, form, status] of [
      [member, `/settings/${ws}/groups`, { name: 'Nope' }, 403],
      [guest, '/developers/tokens', { name: 'Nope', workspace_id: ws, notion_api: 'on', expires_in_days: '30' }, 403],
      [guest, `/developers/tokens/${mine.pat.id}/revoke`, {}, 403],
    ] as const) {
      const token = agent === guest ? gcsrf : await agent.csrf('/developers/tokens')
      expect(
        await eventsOf(async () => expect((await agent.req(path, { _csrf: token, ...form })).status, path).toBe(status)),
        path,
      ).toEqual([])
    }

    expect(await eventsOf(async () => owner.req('/logout', { _csrf: await owner.csrf('/developers/tokens') }))).toEqual([
      ['user.signed_out', s.owner.id],
    ])
  })
})
