import { APIResponseError, type Client } from '@notionhq/client'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isoNow } from '../../src/domain/clock.js'
import { textRun } from '../../src/domain/rich-text.js'
import type { Schema } from '../../src/domain/properties.js'
import { DomainError } from '../../src/errors/domain-error.js'
import { ROLE } from '../../src/permissions/roles.js'
import { levelOn } from '../../src/services/access.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createDatabase } from '../../src/services/databases-core.js'
import {
  personLevelOnPage,
  restorePageAccess,
  setPageAccess,
  type AccessLevelName,
  type ShareTarget,
} from '../../src/services/page-permissions.service.js'
import { createPat } from '../../src/services/pats.service.js'
import {
  addGroupMember,
  changeMemberRole,
  createGroup,
  removeGroupMember,
  removeWorkspaceMember,
} from '../../src/services/people.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createNode, moveNode } from '../../src/services/tree.service.js'
import { addMember, createWorkspace } from '../../src/services/workspaces.service.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { findDataSource, schemaOf } from '../../src/storage/repositories/data-sources.repository.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { TEST_STORE } from '../support/stores.js'
import {
  CONNECTION_LEVEL,
  LEVEL,
  PermissionModel,
  PortalAgent,
  listedTitles,
  propertySettings,
  sidebarIds,
  type ModelNode,
  type Principal,
  type Role,
} from '../support/permission-model.js'

/**
 * Property: for random page trees with databases and rows, grants (workspace / group / person, every
 * level, on pages, databases and rows), groups, role changes (restricted member, guest, leaving and
 * coming back), moves, shares with a connection and relation changes, the real server agrees with
 * an independent reference model of ADR 4 and ADR 9 (test/support/permission-model.ts): no read or
 * operation the model forbids, no denial it allows.
 *
 * Checked after every step: each person's exact level on every node, and the connection's, as the
 * services compute them. Each operation is done as the model's actor and must be allowed or refused
 * exactly as the model says (with the model's error code), and leave the state the model predicts.
 * At the end of each scenario, through HTTP:
 * - `GET /v1/pages/{id}`, `GET /v1/databases/{id}`, `POST /v1/search` and
 *   `POST /v1/data_sources/{id}/query` with each person's PAT and with the connection's token: exactly
 *   the nodes and rows the model lets them read (a row with its own restricted access included);
 *   a PAT is refused (401) while its creator is not a full member, and for good once they were removed;
 * - the portal, signed in as each person: each page opens (200) or not (404) as the model says, its
 *   body lists exactly the child pages, databases or rows the person can open, and the sidebar lists
 *   exactly the pages and databases the person can open.
 *
 * Runs: 200 by default on SQLite, with a fixed seed; 40 on PostgreSQL (the `postgres` project re-runs
 * this file for the store's SQL; the rules under test do not depend on the store, and a PostgreSQL run
 * costs about five times as much). `OCTAVO_PROPERTY_RUNS=5000` for a soak, `OCTAVO_PROPERTY_SEED` for
 * another seed, `OCTAVO_PROPERTY_PATH` to replay a counterexample. One server and one set of people
 * serve every run; each run gets a workspace of its own.
 */

const SETTINGS = propertySettings(TEST_STORE === 'postgres' ? 40 : 200, 20_240_917)
const USERS = 5 // user 0 is the owner and stays one
const GROUPS = 2
const PW = 'correct horse battery'
const LEVELS: AccessLevelName[] = ['none', 'view', 'comment', 'edit_content', 'edit', 'full']
const ROLES: Role[] = ['owner', 'membership_admin', 'member', 'restricted_member', 'guest', 'removed']
const TITLE_SCHEMA: Schema = { title: { id: 'title', name: 'Name', type: 'title', description: null, config: {} } }

type ShareTo = { type: 'workspace' } | { type: 'group'; i: number } | { type: 'user'; i: number }
type Op =
  | { t: 'share'; actor: number; node: number; target: ShareTo; level: number }
  | { t: 'restore'; actor: number; node: number }
  | { t: 'role'; user: number; role: Role }
  | { t: 'groupAdd'; g: number; user: number }
  | { t: 'groupRemove'; g: number; user: number }
  | { t: 'move'; node: number; to: number } // set-up move by the operator, no permission check
  | { t: 'apiMove'; actor: number; node: number; to: { type: 'page'; i: number } | { type: 'data_source'; d: number } }
  | { t: 'connShare'; actor: number; node: number }
  | { t: 'relation'; actor: number; a: number; self: boolean; dual: boolean } // to data source a+1, or a itself

const shareToArb: fc.Arbitrary<ShareTo> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ type: 'workspace' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('group' as const), i: fc.nat(GROUPS - 1) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('user' as const), i: fc.nat(USERS - 1) }) },
)
const often = (value: boolean) => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constant(!value) })

const opArb = (pages: number, dbs: number, rows: number): fc.Arbitrary<Op> => {
  const actor = fc.nat(USERS - 1)
  const node = fc.nat(pages + dbs + rows - 1)
  // Databases come up more often than their share of the nodes: their access decides relations and queries.
  const sharedNode = fc.oneof({ weight: 3, arbitrary: node }, { weight: 1, arbitrary: fc.integer({ min: pages, max: pages + dbs - 1 }) })
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant('share' as const),
        actor,
        node: sharedNode,
        target: shareToArb,
        level: fc.nat(5),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const), actor, node }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('role' as const),
        user: fc.integer({ min: 1, max: USERS - 1 }),
        role: fc.constantFrom(...ROLES),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('groupAdd' as const), g: fc.nat(GROUPS - 1), user: fc.nat(USERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('groupRemove' as const), g: fc.nat(GROUPS - 1), user: fc.nat(USERS - 1) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('move' as const), node, to: node }) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('apiMove' as const),
        actor,
        node,
        to: fc.oneof(
          { weight: 3, arbitrary: fc.record({ type: fc.constant('page' as const), i: node }) },
          { weight: 1, arbitrary: fc.record({ type: fc.constant('data_source' as const), d: fc.nat(dbs - 1) }) },
        ),
      }),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('connShare' as const), actor, node }) },
    {
      weight: 4,
      arbitrary: fc.record({ t: fc.constant('relation' as const), actor, a: fc.nat(dbs - 1), self: often(false), dual: often(true) }),
    },
  )
}

/**
 * Nodes: pages 0…n-1 (page i under an earlier page, or top level in the workspace section (-1) or in
 * a person's private section), then two databases (each under a page), then rows (each in a database).
 */
const scenarioArb = fc
  .record({ n: fc.integer({ min: 2, max: 5 }), dbs: fc.constant(2), rows: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, dbs, rows }) =>
    fc.record({
      parents: fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.nat(i - 1), { freq: 3 })))),
      sections: fc.array(fc.integer({ min: -1, max: USERS - 1 }), { minLength: n, maxLength: n }),
      dbParents: fc.array(fc.nat(n - 1), { minLength: dbs, maxLength: dbs }),
      rowDbs: fc.array(fc.nat(dbs - 1), { minLength: rows, maxLength: rows }),
      // Set-up shares by the creators, checked like every other operation: on databases, mostly less
      // than edit (what relations hinge on); on rows, mostly removing access (what queries hinge on).
      setup: fc.tuple(
        fc.array(fc.record({ node: fc.integer({ min: n, max: n + dbs - 1 }), target: shareToArb, level: fc.constantFrom(1, 2, 3, 4) }), {
          maxLength: 2,
        }),
        fc.array(
          fc.record({
            node: fc.integer({ min: n + dbs, max: n + dbs + rows - 1 }),
            target: shareToArb,
            level: fc.constantFrom(0, 0, 1, 3),
          }),
          { maxLength: 2 },
        ),
      ),
      ops: fc.array(opArb(n, dbs, rows), { minLength: 1, maxLength: 10 }),
    }),
  )

/** The DomainError code of a service call, or null when it succeeds. */
async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p
    return null
  } catch (e) {
    if (e instanceof DomainError) return e.code
    throw e
  }
}

/** The Notion error code of an API call, or null when it succeeds. */
async function apiCodeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p
    return null
  } catch (e) {
    if (e instanceof APIResponseError) return e.code
    throw e
  }
}

/** The model's answer to an access check done by the API: 404 below view, 403 below `min`. */
const apiDenial = (level: number, min: number): string | null =>
  level < LEVEL.view ? 'object_not_found' : level < min ? 'restricted_resource' : null

describe('people and page permissions: property against a reference model', () => {
  let server: TestServer
  let userIds: string[]
  const emails = Array.from({ length: USERS }, (_, u) => `u${u}@proptest.example.com`)
  const portal: PortalAgent[] = []
  let run = 0

  beforeAll(async () => {
    server = await startTestServer()
    // The same five people serve every run (each run has its own workspace): they sign in to the
    // portal once here.
    const { members } = await createWorkspace(server.deps, {
      name: 'Home',
      members: emails.map((email, u) => ({ name: `U${u}`, email, role: u === 0 ? ('owner' as const) : ('member' as const) })),
    })
    userIds = members.map((m) => m.id)
    for (const id of userIds) await setPassword(server.deps, id, PW)
    for (const email of emails) portal.push(await PortalAgent.signedIn(server, email, PW))
  }, 60_000)
  afterAll(async () => server?.stop())

  it(
    `every read and operation agrees with the model (${SETTINGS.numRuns} runs, seed ${SETTINGS.seed})`,
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ parents, sections, dbParents, rowDbs, setup, ops }) => {
          run++
          const deps = server.deps
          const db = deps.store.db
          const ids = userIds
          const { workspace } = await createWorkspace(deps, {
            name: `W${run}`,
            plan: 'plus', // every full member may create a PAT
            members: emails.map((email, u) => ({ name: `U${u}`, email, role: u === 0 ? ('owner' as const) : ('member' as const) })),
          })
          const groupIds: string[] = []
          for (let g = 0; g < GROUPS; g++)
            groupIds.push((await createGroup(deps, { workspaceId: workspace.id, actorId: ids[0] as string, name: `G${g}` })).id)
          const m = new PermissionModel(workspace.id, ids, groupIds)
          m.roles = ids.map((_, u) => (u === 0 ? 'owner' : 'member'))
          for (let g = 0; g < GROUPS; g++) m.groups.push(new Set())

          // The tree: pages, then databases under pages, then rows in databases.
          const nodeIds: string[] = []
          const creatorOf: number[] = []
          const add = (id: string, creator: number, node: ModelNode) => {
            nodeIds.push(id)
            creatorOf.push(creator)
            m.nodes.push(node)
          }
          for (let i = 0; i < parents.length; i++) {
            const parent = parents[i] ?? null
            const section = sections[i] as number
            const creator = parent === null ? Math.max(0, section) : (creatorOf[parent] as number)
            const created = await createPageAsUser(deps, {
              workspaceId: workspace.id,
              actorId: ids[creator] as string,
              title: `N${i}`,
              parentId: parent === null ? undefined : nodeIds[parent],
              private: parent === null && section >= 0,
            })
            const top = new Map([[section >= 0 ? `user:${ids[section]}` : `members:${workspace.id}`, ROLE.full]])
            add(created.id, creator, { kind: 'page', parent, inherits: true, own: parent === null ? top : new Map() })
          }
          const dataSourceIds: string[] = []
          const dbNode: number[] = []
          const schemaSize: number[] = []
          await deps.store.transaction(async (trx) => {
            const time = isoNow(deps.clock)
            for (const parent of dbParents) {
              const title = [textRun(`N${nodeIds.length}`)]
              const creator = creatorOf[parent] as number
              const { database, dataSource } = await createDatabase(trx, {
                workspaceId: workspace.id,
                parent: { type: 'page_id', id: nodeIds[parent] as string },
                title,
                schema: structuredClone(TITLE_SCHEMA),
                actor: ids[creator] as string,
                time,
              })
              dbNode.push(nodeIds.length)
              dataSourceIds.push(dataSource.id)
              schemaSize.push(1)
              add(database.id, creator, { kind: 'database', parent, inherits: true, own: new Map() })
            }
            for (const d of rowDbs) {
              const title = [textRun(`N${nodeIds.length}`)]
              const database = dbNode[d] as number
              const row = await createNode(trx, {
                workspaceId: workspace.id,
                parent: { type: 'data_source_id', id: dataSourceIds[d] as string, databaseId: nodeIds[database] as string },
                kind: 'page',
                title,
                properties: { title },
                actor: ids[creatorOf[database] as number] as string,
                time,
              })
              add(row.id, creatorOf[database] as number, { kind: 'page', parent: database, inherits: true, own: new Map() })
            }
          })
          const titleOf = new Map(nodeIds.map((id, i) => [id, `N${i}`]))

          const conn = await createConnection(deps, { workspaceId: workspace.id, actorId: ids[0] as string, name: 'Prop bot' })
          const botId = conn.connection.bot_id
          const bot = server.client(conn.token)

          // PATs: one per person made now, and a current one per full member, made again after a
          // person stops being one. A PAT works only while its creator is a full member, and removing
          // a person revokes their PATs for good (re-adding them revives nothing).
          const removedOnce = new Set<number>()
          const firstPat: Client[] = []
          const currentPat: (Client | null)[] = []
          for (let u = 0; u < USERS; u++) {
            const { token } = await createPat(deps, { workspaceId: workspace.id, actorId: ids[u] as string, name: `pat ${u}` })
            firstPat.push(server.client(token))
            currentPat.push(firstPat[u] as Client)
          }
          const patOf = async (u: number): Promise<Client> => {
            if (!m.isFull(u)) return firstPat[u] as Client // refused: 401 whatever its history
            if (!currentPat[u]) {
              const { token } = await createPat(deps, { workspaceId: workspace.id, actorId: ids[u] as string, name: `pat ${u} again` })
              currentPat[u] = server.client(token)
            }
            return currentPat[u] as Client
          }
          const principalKey = (t: ShareTo): Principal =>
            t.type === 'workspace' ? `members:${workspace.id}` : t.type === 'group' ? `group:${groupIds[t.i]}` : `user:${ids[t.i]}`
          const describeNode = (i: number) =>
            `N${i} (${m.nodes[i]?.kind}${m.isRow(i) ? ' row' : ''}, parent ${m.nodes[i]?.parent ?? '-'}, acl ${JSON.stringify([...m.acl(i)])})`

          const setupShares = setup.flat().map((x): Op => ({ t: 'share', actor: creatorOf[x.node] as number, ...x }))
          for (const [k, op] of [...setupShares, ...ops].entries()) {
            const what = `op ${k} ${JSON.stringify(op)}`
            if (op.t === 'share') {
              const actorLevel = m.level(op.actor, op.node)
              const principal = principalKey(op.target)
              const node = m.nodes[op.node] as ModelNode
              const own = node.own.get(principal) ?? 0
              const inherited = m.inherited(op.node, principal)
              let expected: string | null = null
              if (m.roles[op.actor] === 'removed') expected = 'forbidden'
              else if (actorLevel < ROLE.view) expected = 'not_found'
              else if (actorLevel < ROLE.full) expected = 'forbidden'
              else if (op.target.type === 'user' && m.roles[op.target.i] === 'removed') expected = 'not_found'
              else if (op.level === 0 && Math.max(own, inherited) === 0) expected = 'not_found'
              const target: ShareTarget =
                op.target.type === 'workspace'
                  ? { type: 'workspace' }
                  : {
                      type: op.target.type,
                      id: op.target.type === 'group' ? (groupIds[op.target.i] as string) : (ids[op.target.i] as string),
                    }
              const got = await codeOf(
                setPageAccess(deps, {
                  pageId: nodeIds[op.node] as string,
                  actorId: ids[op.actor] as string,
                  target,
                  level: LEVELS[op.level] as AccessLevelName,
                }),
              )
              expect(got, what).toBe(expected)
              if (expected === null) {
                if (op.level === 0) {
                  if (inherited > 0) m.breakAt(op.node)
                  node.own.delete(principal)
                } else {
                  if (inherited > op.level) m.breakAt(op.node)
                  node.own.set(principal, op.level)
                }
              }
            } else if (op.t === 'restore') {
              const node = m.nodes[op.node] as ModelNode
              const actorLevel = m.level(op.actor, op.node)
              let expected: string | null = null
              if (m.roles[op.actor] === 'removed') expected = 'forbidden'
              else if (actorLevel < ROLE.view) expected = 'not_found'
              else if (actorLevel < ROLE.full) expected = 'forbidden'
              else if (node.parent === null) expected = 'invalid_input'
              else if (node.inherits && m.ownPeople(op.node) === 0) expected = 'conflict'
              const got = await codeOf(restorePageAccess(deps, { pageId: nodeIds[op.node] as string, actorId: ids[op.actor] as string }))
              expect(got, what).toBe(expected)
              if (expected === null) m.restore(op.node)
            } else if (op.t === 'role') {
              const from = m.roles[op.user] as Role
              if (op.role === 'removed') {
                const got = await codeOf(
                  removeWorkspaceMember(deps, { workspaceId: workspace.id, userId: ids[op.user] as string, actorId: ids[0] as string }),
                )
                expect(got, what).toBe(from === 'removed' ? 'not_found' : null)
                if (from !== 'removed') {
                  removedOnce.add(op.user)
                  for (const n of m.nodes) n.own.delete(`user:${ids[op.user]}`)
                  for (const g of m.groups) g.delete(op.user)
                }
              } else if (from === 'removed') {
                await addMember(deps, workspace.id, { name: `U${op.user}`, email: emails[op.user] as string, role: op.role })
              } else {
                expect(
                  await codeOf(
                    changeMemberRole(deps, {
                      workspaceId: workspace.id,
                      actorId: ids[0] as string,
                      userId: ids[op.user] as string,
                      role: op.role,
                    }),
                  ),
                  what,
                ).toBeNull()
                if (op.role === 'guest') for (const g of m.groups) g.delete(op.user)
              }
              m.roles[op.user] = op.role
              if (!m.isFull(op.user)) currentPat[op.user] = null
            } else if (op.t === 'groupAdd') {
              const role = m.roles[op.user] as Role
              const expected =
                role === 'removed' ? 'not_found' : role === 'guest' ? 'invalid_input' : m.groups[op.g]?.has(op.user) ? 'conflict' : null
              const got = await codeOf(
                addGroupMember(deps, {
                  workspaceId: workspace.id,
                  actorId: ids[0] as string,
                  groupId: groupIds[op.g] as string,
                  userId: ids[op.user] as string,
                }),
              )
              expect(got, what).toBe(expected)
              if (expected === null) m.groups[op.g]?.add(op.user)
            } else if (op.t === 'groupRemove') {
              const expected = m.groups[op.g]?.has(op.user) ? null : 'not_found'
              const got = await codeOf(
                removeGroupMember(deps, {
                  workspaceId: workspace.id,
                  actorId: ids[0] as string,
                  groupId: groupIds[op.g] as string,
                  userId: ids[op.user] as string,
                }),
              )
              expect(got, what).toBe(expected)
              if (expected === null) m.groups[op.g]?.delete(op.user)
            } else if (op.t === 'move') {
              // The operator rearranges the tree (no permission check): under a page or row, never a cycle.
              if (m.nodes[op.to]?.kind !== 'page' || m.isDescendant(op.to, op.node)) continue
              await deps.store.transaction(async (trx) => {
                const node = await findBlock(trx, nodeIds[op.node] as string)
                const parent = await findBlock(trx, nodeIds[op.to] as string)
                await moveNode(trx, node!, { type: 'page_id', parent: parent! }, ids[0] as string, isoNow(deps.clock))
              })
              ;(m.nodes[op.node] as ModelNode).parent = op.to
            } else if (op.t === 'apiMove') {
              // POST /v1/pages/{id}/move with the actor's PAT: edit access on the page and on the new
              // parent (a page, or a data source's database); a database is not a page (404).
              const to = op.to.type === 'page' ? op.to.i : (dbNode[op.to.d] as number)
              let expected: string | null
              if (!m.isFull(op.actor)) expected = 'unauthorized'
              else if (m.nodes[op.node]?.kind !== 'page') expected = 'object_not_found'
              else expected = apiDenial(m.level(op.actor, op.node), ROLE.edit)
              if (expected === null) {
                if (op.to.type === 'page' && m.nodes[to]?.kind !== 'page') expected = 'object_not_found'
                else expected = apiDenial(m.level(op.actor, to), ROLE.edit)
              }
              if (expected === null && m.isDescendant(to, op.node)) expected = 'validation_error'
              const client = await patOf(op.actor)
              const parent =
                op.to.type === 'page' ? { page_id: nodeIds[to] as string } : { data_source_id: dataSourceIds[op.to.d] as string }
              const got = await apiCodeOf(client.pages.move({ page_id: nodeIds[op.node] as string, parent }))
              expect(
                got,
                `${what}: actor ${m.roles[op.actor]} level ${m.level(op.actor, op.node)} on ${describeNode(op.node)}, ${m.level(op.actor, to)} on ${describeNode(to)}`,
              ).toBe(expected)
              if (expected === null) (m.nodes[op.node] as ModelNode).parent = to
            } else if (op.t === 'connShare') {
              // Adding a connection to a page needs full access on it (ADR 4, ADR 9) — owners included —
              // and is never a guest's to do (they are outside the workspace).
              const level = m.level(op.actor, op.node)
              const allowed = m.roles[op.actor] !== 'removed' && m.roles[op.actor] !== 'guest' && level >= ROLE.full
              const got = await codeOf(shareWithConnection(deps, conn.connection.id, nodeIds[op.node] as string, ids[op.actor] as string))
              const because = `${what}: actor ${m.roles[op.actor]} level ${level} on ${describeNode(op.node)}`
              if (allowed) expect(got, because).toBeNull()
              else if (level >= ROLE.view || m.roles[op.actor] === 'removed') expect(got, because).toBe('forbidden')
              else expect(['forbidden', 'not_found'], because).toContain(got) // not_found would not reveal the page
              if (allowed) {
                const own = (m.nodes[op.node] as ModelNode).own
                own.set(`bot:${botId}`, Math.max(own.get(`bot:${botId}`) ?? 0, CONNECTION_LEVEL))
              }
            } else if (op.t === 'relation') {
              // PATCH /v1/data_sources/{a} adding a relation to b: edit on a; b readable; a two-way
              // relation also writes b's schema, so it needs edit on b too.
              const ob = op.self ? op.a : (op.a + 1) % dataSourceIds.length
              const [a, b] = [dbNode[op.a] as number, dbNode[ob] as number]
              let expected: string | null
              if (!m.isFull(op.actor)) expected = 'unauthorized'
              else expected = apiDenial(m.level(op.actor, a), ROLE.edit)
              if (expected === null && !op.self) expected = apiDenial(m.level(op.actor, b), op.dual ? ROLE.edit : ROLE.view)
              const client = await patOf(op.actor)
              const relation = op.dual
                ? { data_source_id: dataSourceIds[ob] as string, type: 'dual_property' as const, dual_property: {} }
                : { data_source_id: dataSourceIds[ob] as string, type: 'single_property' as const, single_property: {} }
              const got = await apiCodeOf(
                client.dataSources.update({ data_source_id: dataSourceIds[op.a] as string, properties: { [`Rel${k}`]: { relation } } }),
              )
              expect(
                got,
                `${what}: actor ${m.roles[op.actor]} level ${m.level(op.actor, a)} on ${describeNode(a)}, ${m.level(op.actor, b)} on ${describeNode(b)}`,
              ).toBe(expected)
              if (expected === null) {
                schemaSize[op.a] = (schemaSize[op.a] as number) + 1
                if (op.dual) schemaSize[ob] = (schemaSize[ob] as number) + 1
              }
              for (const [d, dsId] of dataSourceIds.entries()) {
                const schema = schemaOf((await findDataSource(db, dsId))!)
                expect(Object.keys(schema).length, `${what}: properties of data source ${d}`).toBe(schemaSize[d])
              }
            }
            // After every step: each person's exact level on each node, and the connection's, as the API computes them.
            for (let i = 0; i < nodeIds.length; i++) {
              for (let u = 0; u < USERS; u++) {
                const got = await personLevelOnPage(deps, { pageId: nodeIds[i] as string, userId: ids[u] as string })
                expect(ROLE[got.level], `user ${u} (${m.roles[u]}) on ${describeNode(i)} after ${what}`).toBe(m.level(u, i))
              }
              const row = await findBlock(db, nodeIds[i] as string)
              expect(await levelOn(db, { principals: [`bot:${botId}`] }, row!), `connection on ${describeNode(i)} after ${what}`).toBe(
                m.botLevel(botId, i),
              )
            }
          }

          // Through /v1: each full member's PAT and the connection read exactly what the model lets
          // them read — pages, databases, search, and each data source's rows.
          const readers: { who: string; client: Client; level: (i: number) => number }[] = [
            { who: 'connection', client: bot, level: (i) => m.botLevel(botId, i) },
          ]
          for (let u = 0; u < USERS; u++) {
            if (m.isFull(u)) readers.push({ who: `user ${u} (${m.roles[u]})`, client: await patOf(u), level: (i) => m.level(u, i) })
            if (!m.isFull(u) || removedOnce.has(u)) {
              const e = await apiCodeOf((firstPat[u] as Client).users.me({}))
              expect(e, `user ${u} (${m.roles[u]}${removedOnce.has(u) ? ', removed and added back' : ''}): their first PAT`).toBe(
                'unauthorized',
              )
            }
          }
          // Each node is read through GET by one reader per run, in turn (every pair comes up over the runs).
          for (let i = 0; i < nodeIds.length; i++) {
            const { who, client, level } = readers[(i + run) % readers.length] as (typeof readers)[0]
            const id = nodeIds[i] as string
            const got = await apiCodeOf(
              m.nodes[i]?.kind === 'database' ? client.databases.retrieve({ database_id: id }) : client.pages.retrieve({ page_id: id }),
            )
            expect(got, `${who} reads ${describeNode(i)}`).toBe(level(i) >= ROLE.view ? null : 'object_not_found')
          }
          for (const { who, client, level } of readers) {
            // Search: every page (rows included) and every data source of every database it can read.
            const found = await client.search({ page_size: 100 })
            const expected = nodeIds.flatMap((id, i) =>
              level(i) < ROLE.view ? [] : m.nodes[i]?.kind === 'page' ? [id] : [dataSourceIds[dbNode.indexOf(i)] as string],
            )
            expect(found.results.map((r) => r.id).sort(), `search for ${who}`).toEqual(expected.sort())
            for (const [d, dsId] of dataSourceIds.entries()) {
              const database = dbNode[d] as number
              const rows = nodeIds.filter((_, i) => m.nodes[i]?.parent === database && level(i) >= ROLE.view)
              const because = `${who} queries data source of ${describeNode(database)}; rows ${m
                .listedIn(database)
                .map((i) => `${describeNode(i)} level ${level(i)}`)
                .join('; ')}`
              try {
                const res = await client.dataSources.query({ data_source_id: dsId })
                expect(level(database), because).toBeGreaterThanOrEqual(ROLE.view)
                expect(res.results.map((r) => r.id).sort(), because).toEqual(rows.sort())
              } catch (e) {
                if (!(e instanceof APIResponseError)) throw e
                expect([level(database), e.code], because).toEqual([0, 'object_not_found'])
              }
            }
          }

          // The portal, signed in as each person: pages open as the model says, a page lists only what
          // the person can open (its child pages and databases, or a database's rows), and the sidebar
          // lists the pages and databases they can open. Viewed per person: every page they can open
          // that has something they cannot open below it, and one other node in turn.
          for (let u = 0; u < USERS; u++) {
            const agent = portal[u] as PortalAgent
            const sidebar = nodeIds.filter((_, i) => !m.isRow(i) && m.level(u, i) >= ROLE.view).sort()
            const hides = (i: number) => m.level(u, i) >= ROLE.view && m.listedIn(i).some((j) => m.level(u, j) < ROLE.view)
            const viewed = nodeIds.flatMap((_, i) => (hides(i) ? [i] : []))
            const others = nodeIds.flatMap((_, i) => (hides(i) ? [] : [i]))
            if (others.length > 0) viewed.push(others[(run + u) % others.length] as number)
            for (const i of viewed) {
              const res = await agent.req(`/w/${workspace.id}/pages/${nodeIds[i]}`)
              const level = m.level(u, i)
              expect(res.status, `portal: user ${u} (${m.roles[u]}) opens ${describeNode(i)}, level ${level}`).toBe(
                level >= ROLE.view ? 200 : 404,
              )
              if (res.status !== 200) continue
              const listed = listedTitles(res.text).sort()
              const expected = m
                .listedIn(i)
                .filter((j) => m.level(u, j) >= ROLE.view)
                .map((j) => titleOf.get(nodeIds[j] as string) as string)
                .sort()
              const because = `portal: user ${u} (${m.roles[u]}) views ${describeNode(i)}; listed children ${m
                .listedIn(i)
                .map((j) => `${describeNode(j)} level ${m.level(u, j)}`)
                .join('; ')}`
              expect(listed, because).toEqual(expected)
              expect(sidebarIds(res.text).sort(), `portal sidebar of user ${u} (${m.roles[u]})`).toEqual(sidebar)
            }
          }
        }),
        SETTINGS,
      )
    },
    Math.max(300_000, SETTINGS.numRuns * 2_000),
  )
})
