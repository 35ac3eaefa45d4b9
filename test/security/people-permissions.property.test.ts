import { APIResponseError, type Client } from '@notionhq/client'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoNow } from '../../src/domain/clock.js'
import { DomainError } from '../../src/errors/domain-error.js'
import { ROLE } from '../../src/permissions/roles.js'
import { personLevelOnPage, restorePageAccess, setPageAccess, type AccessLevelName, type ShareTarget } from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import { addGroupMember, changeMemberRole, createGroup, removeGroupMember, removeWorkspaceMember } from '../../src/services/people.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { moveNode } from '../../src/services/tree.service.js'
import { addMember, createWorkspace } from '../../src/services/workspaces.service.js'
import type { MemberRole } from '../../src/storage/database.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { startTestServer, type TestServer } from '../support/harness.js'

/**
 * Property: for random page trees, grants (workspace / group / person, every level), groups, role
 * changes (restricted member, guest, leaving and coming back) and moves, every read through the real
 * server agrees with a small reference model of ADR 9's rules — no read the model forbids, no denial
 * it allows. Reads are checked three ways: the service the API uses for a person
 * (principalsForUser + one root ACL read, exact level), `GET /v1/pages/{id}` and `POST /v1/search`
 * with each person's PAT through the official SDK. Mutations that the model says must fail (actor
 * without full access, unknown target, nothing to remove, …) must fail with the model's error code.
 */

type Principal = string
type Role = MemberRole | 'removed'
const USERS = 5 // user 0 is the owner and stays one
const GROUPS = 2
const LEVELS: AccessLevelName[] = ['none', 'view', 'comment', 'edit_content', 'edit', 'full']
const ROLES: Role[] = ['owner', 'membership_admin', 'member', 'restricted_member', 'guest', 'removed']

interface ModelPage {
  parent: number | null
  inherits: boolean
  own: Map<Principal, number>
}

/** The reference model: plain maps and a recursive definition, nothing shared with the engine. */
class Model {
  pages: ModelPage[] = []
  roles: Role[] = []
  groups: Set<number>[] = []
  constructor(readonly ws: string) {}

  acl(i: number): Map<Principal, number> {
    const p = this.pages[i] as ModelPage
    const out = new Map<Principal, number>()
    if (p.parent !== null && p.inherits) for (const [k, v] of this.acl(p.parent)) out.set(k, v)
    for (const [k, v] of p.own) out.set(k, Math.max(out.get(k) ?? 0, v))
    return out
  }
  inherited(i: number, principal: Principal): number {
    const p = this.pages[i] as ModelPage
    return p.parent !== null && p.inherits ? (this.acl(p.parent).get(principal) ?? 0) : 0
  }
  principals(u: number, ids: string[]): Principal[] | null {
    const role = this.roles[u] as Role
    if (role === 'removed') return null
    const out = [`user:${ids[u]}`]
    if (role === 'owner' || role === 'membership_admin' || role === 'member') out.push(`members:${this.ws}`)
    if (role !== 'guest') this.groups.forEach((g, gi) => g.has(u) && out.push(`group:G${gi}`))
    return out
  }
  level(u: number, i: number, ids: string[], groupIds: string[]): number {
    const ps = this.principals(u, ids)
    if (!ps) return 0
    const acl = this.acl(i)
    return Math.max(0, ...ps.map((p) => acl.get(p.startsWith('group:G') ? `group:${groupIds[Number(p.slice(7))]}` : p) ?? 0))
  }
  isDescendant(i: number, of: number): boolean {
    for (let p: number | null = i; p !== null; p = (this.pages[p] as ModelPage).parent) if (p === of) return true
    return false
  }
  breakAt(i: number) {
    const p = this.pages[i] as ModelPage
    if (!p.inherits) return
    if (p.parent !== null) for (const [k, v] of this.acl(p.parent)) p.own.set(k, Math.max(p.own.get(k) ?? 0, v))
    p.inherits = false
  }
}

type Op =
  | { t: 'share'; actor: number; page: number; target: { type: 'workspace' } | { type: 'group'; i: number } | { type: 'user'; i: number }; level: number }
  | { t: 'restore'; actor: number; page: number }
  | { t: 'role'; user: number; role: Role }
  | { t: 'groupAdd'; g: number; user: number }
  | { t: 'groupRemove'; g: number; user: number }
  | { t: 'move'; page: number; to: number }

const opArb = (pages: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({
      t: fc.constant('share' as const),
      actor: fc.nat(USERS - 1),
      page: fc.nat(pages - 1),
      target: fc.oneof(
        fc.constant({ type: 'workspace' as const }),
        fc.record({ type: fc.constant('group' as const), i: fc.nat(GROUPS - 1) }),
        fc.record({ type: fc.constant('user' as const), i: fc.nat(USERS - 1) }),
      ),
      level: fc.nat(5),
    }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const), actor: fc.nat(USERS - 1), page: fc.nat(pages - 1) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('role' as const), user: fc.integer({ min: 1, max: USERS - 1 }), role: fc.constantFrom(...ROLES) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('groupAdd' as const), g: fc.nat(GROUPS - 1), user: fc.nat(USERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('groupRemove' as const), g: fc.nat(GROUPS - 1), user: fc.nat(USERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('move' as const), page: fc.nat(pages - 1), to: fc.nat(pages - 1) }) },
  )

const scenarioArb = fc.integer({ min: 3, max: 7 }).chain((n) =>
  fc.record({
    // Page i's parent: null (top level) or an earlier page; top-level pages are in the workspace
    // section (-1) or private to a user.
    parents: fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat(i - 1), { freq: 3 })))),
    sections: fc.array(fc.integer({ min: -1, max: USERS - 1 }), { minLength: n, maxLength: n }),
    ops: fc.array(opArb(n), { minLength: 1, maxLength: 14 }),
  }),
)

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p
    return null
  } catch (e) {
    if (e instanceof DomainError) return e.code
    throw e
  }
}

describe('people and page permissions: property against a reference model', () => {
  let server: TestServer
  let run = 0
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server.stop())

  it('every read agrees with the model, through the service, GET /v1/pages and /v1/search', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ parents, sections, ops }) => {
        run++
        const deps = server.deps
        const { workspace, members } = await createWorkspace(deps, {
          name: `W${run}`,
          plan: 'plus', // every full member may create a PAT
          members: Array.from({ length: USERS }, (_, u) => ({ name: `U${u}`, email: `u${u}.r${run}@example.com`, role: u === 0 ? ('owner' as const) : ('member' as const) })),
        })
        const ids = members.map((m) => m.id)
        const m = new Model(workspace.id)
        m.roles = ids.map((_, u) => (u === 0 ? 'owner' : 'member'))
        const groupIds: string[] = []
        for (let g = 0; g < GROUPS; g++) {
          groupIds.push((await createGroup(deps, { workspaceId: workspace.id, actorId: ids[0] as string, name: `G${g}` })).id)
          m.groups.push(new Set())
        }
        const pageIds: string[] = []
        const creatorOf: number[] = []
        for (let i = 0; i < parents.length; i++) {
          const parent = parents[i] ?? null
          const section = sections[i] as number
          const creator = parent === null ? Math.max(0, section) : (creatorOf[parent] as number)
          const created = await createPageAsUser(deps, {
            workspaceId: workspace.id,
            actorId: ids[creator] as string,
            title: `P${i}`,
            parentId: parent === null ? undefined : pageIds[parent],
            private: parent === null && section >= 0,
          })
          pageIds.push(created.id)
          creatorOf.push(creator)
          m.pages.push({
            parent,
            inherits: true,
            own: parent === null ? new Map([[section >= 0 ? `user:${ids[section]}` : `members:${workspace.id}`, ROLE.full]]) : new Map(),
          })
        }
        const pats: (Client | null)[] = []
        // Removing a person revokes their PAT for good (re-adding them does not bring it back).
        const patRevoked = new Set<number>()
        for (let u = 0; u < USERS; u++) {
          const { token } = await createPat(deps, { workspaceId: workspace.id, actorId: ids[u] as string, name: `pat ${u}` })
          pats.push(server.client(token))
        }
        const principalKey = (t: Extract<Op, { t: 'share' }>['target']): Principal =>
          t.type === 'workspace' ? `members:${workspace.id}` : t.type === 'group' ? `group:${groupIds[t.i]}` : `user:${ids[t.i]}`
        const modelAcl = (i: number) => m.acl(i)

        for (const op of ops) {
          if (op.t === 'share') {
            const actorLevel = m.level(op.actor, op.page, ids, groupIds)
            const principal = principalKey(op.target)
            const own = m.pages[op.page]?.own.get(principal) ?? 0
            const inherited = m.inherited(op.page, principal)
            let expected: string | null = null
            if (m.roles[op.actor] === 'removed') expected = 'forbidden'
            else if (actorLevel < ROLE.view) expected = 'not_found'
            else if (actorLevel < ROLE.full) expected = 'forbidden'
            else if (op.target.type === 'user' && m.roles[op.target.i] === 'removed') expected = 'not_found'
            else if (op.level === 0 && Math.max(own, inherited) === 0) expected = 'not_found'
            const target: ShareTarget =
              op.target.type === 'workspace' ? { type: 'workspace' } : { type: op.target.type, id: op.target.type === 'group' ? (groupIds[op.target.i] as string) : (ids[op.target.i] as string) }
            const got = await codeOf(setPageAccess(deps, { pageId: pageIds[op.page] as string, actorId: ids[op.actor] as string, target, level: LEVELS[op.level] as AccessLevelName }))
            expect(got, JSON.stringify(op)).toBe(expected)
            if (expected === null) {
              const page = m.pages[op.page] as ModelPage
              if (op.level === 0) {
                if (inherited > 0) m.breakAt(op.page)
                page.own.delete(principal)
              } else {
                if (inherited > op.level) m.breakAt(op.page)
                page.own.set(principal, op.level)
              }
            }
          } else if (op.t === 'restore') {
            const page = m.pages[op.page] as ModelPage
            const actorLevel = m.level(op.actor, op.page, ids, groupIds)
            let expected: string | null = null
            if (m.roles[op.actor] === 'removed') expected = 'forbidden'
            else if (actorLevel < ROLE.view) expected = 'not_found'
            else if (actorLevel < ROLE.full) expected = 'forbidden'
            else if (page.parent === null) expected = 'invalid_input'
            else if (page.inherits && page.own.size === 0) expected = 'conflict'
            const got = await codeOf(restorePageAccess(deps, { pageId: pageIds[op.page] as string, actorId: ids[op.actor] as string }))
            expect(got, JSON.stringify(op)).toBe(expected)
            if (expected === null) {
              page.own.clear()
              page.inherits = true
            }
          } else if (op.t === 'role') {
            const from = m.roles[op.user] as Role
            if (op.role === 'removed') {
              const got = await codeOf(removeWorkspaceMember(deps, { workspaceId: workspace.id, userId: ids[op.user] as string, actorId: ids[0] as string }))
              expect(got, JSON.stringify(op)).toBe(from === 'removed' ? 'not_found' : null)
              if (from !== 'removed') {
                patRevoked.add(op.user)
                for (const p of m.pages) p.own.delete(`user:${ids[op.user]}`)
                for (const g of m.groups) g.delete(op.user)
              }
            } else if (from === 'removed') {
              await addMember(deps, workspace.id, { name: `U${op.user}`, email: `u${op.user}.r${run}@example.com`, role: op.role })
            } else {
              expect(await codeOf(changeMemberRole(deps, { workspaceId: workspace.id, actorId: ids[0] as string, userId: ids[op.user] as string, role: op.role }))).toBeNull()
              if (op.role === 'guest') for (const g of m.groups) g.delete(op.user)
            }
            m.roles[op.user] = op.role
          } else if (op.t === 'groupAdd') {
            const role = m.roles[op.user] as Role
            const expected = role === 'removed' ? 'not_found' : role === 'guest' ? 'invalid_input' : m.groups[op.g]?.has(op.user) ? 'conflict' : null
            const got = await codeOf(addGroupMember(deps, { workspaceId: workspace.id, actorId: ids[0] as string, groupId: groupIds[op.g] as string, userId: ids[op.user] as string }))
            expect(got, JSON.stringify(op)).toBe(expected)
            if (expected === null) m.groups[op.g]?.add(op.user)
          } else if (op.t === 'groupRemove') {
            const expected = m.groups[op.g]?.has(op.user) ? null : 'not_found'
            const got = await codeOf(removeGroupMember(deps, { workspaceId: workspace.id, actorId: ids[0] as string, groupId: groupIds[op.g] as string, userId: ids[op.user] as string }))
            expect(got, JSON.stringify(op)).toBe(expected)
            if (expected === null) m.groups[op.g]?.delete(op.user)
          } else if (op.t === 'move') {
            if (m.isDescendant(op.to, op.page)) continue // a cycle: the API refuses it; nothing to model
            await deps.store.transaction(async (trx) => {
              const node = await findBlock(trx, pageIds[op.page] as string)
              const parent = await findBlock(trx, pageIds[op.to] as string)
              await moveNode(trx, node!, { type: 'page_id', parent: parent! }, ids[0] as string, isoNow(deps.clock))
            })
            ;(m.pages[op.page] as ModelPage).parent = op.to
          }
          // After every step: each person's exact level on each page, as the API computes it.
          for (let u = 0; u < USERS; u++) {
            for (let i = 0; i < pageIds.length; i++) {
              const got = await personLevelOnPage(deps, { pageId: pageIds[i] as string, userId: ids[u] as string })
              expect(ROLE[got.level], `user ${u} (${m.roles[u]}) on P${i} after ${JSON.stringify(op)}; model acl ${JSON.stringify([...modelAcl(i)])}`).toBe(
                m.level(u, i, ids, groupIds),
              )
            }
          }
        }

        // Through /v1 with each person's PAT: a PAT works while its creator is a full member (the
        // plan admits all members) and was never removed (removal revokes it); it reads exactly the
        // pages the model lets its creator view.
        for (let u = 0; u < USERS; u++) {
          const client = pats[u] as Client
          const role = m.roles[u] as Role
          const full = (role === 'owner' || role === 'membership_admin' || role === 'member') && !patRevoked.has(u)
          for (let i = 0; i < pageIds.length; i++) {
            const visible = full && m.level(u, i, ids, groupIds) >= ROLE.view
            try {
              const page = await client.pages.retrieve({ page_id: pageIds[i] as string })
              expect(visible, `user ${u} (${role}) read P${i}`).toBe(true)
              expect(page.id).toBe(pageIds[i])
            } catch (e) {
              if (!(e instanceof APIResponseError)) throw e
              expect(visible, `user ${u} (${role}) denied P${i}: ${e.code}`).toBe(false)
              expect(e.status).toBe(full ? 404 : 401)
            }
          }
          if (full) {
            const found = await client.search({ filter: { property: 'object', value: 'page' }, page_size: 100 })
            const seen = new Set(found.results.map((r) => r.id))
            const expected = new Set(pageIds.filter((_, i) => m.level(u, i, ids, groupIds) >= ROLE.view))
            expect([...seen].sort(), `search for user ${u}`).toEqual([...expected].sort())
          }
        }
      }),
      { numRuns: 20 },
    )
  }, 120_000)
})
