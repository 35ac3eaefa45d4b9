import { APIResponseError, Client, LogLevel } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { refreshToken, shareWithConnection, unshareFromConnection, updateCapabilities } from '../../src/services/connections.service.js'
import { removeWorkspaceMember } from '../../src/services/people.service.js'
import { createPat, revokePat } from '../../src/services/pats.service.js'
import { setPatPolicy } from '../../src/services/pat-policy.js'
import { listWorkspaceInstalls, removeInstall } from '../../src/services/oauth/installs.js'
import { updatePublicConnection } from '../../src/services/public-connections.service.js'
import { installApp } from '../support/oauth.js'
import { moveNode } from '../../src/services/tree.service.js'
import { findBlock } from '../../src/storage/repositories/blocks.repository.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createConnection } from '../../src/services/connections.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { startTestServer, type TestServer } from '../support/harness.js'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'

/**
 * The in-process caches (services/caches.ts) against changes made on another node: two Octavo servers
 * (A and B, each its own store handle and caches) over one store — one SQLite file, and one PostgreSQL
 * schema when OCTAVO_TEST_POSTGRES_URL is set. A seeded random sequence of changes is made through
 * node A (share and unshare, token refresh, capability change, move, member removal); after each, node B
 * answers every read as the last committed change says, through the official SDK. B's caches are warm
 * before each change (every pair was read after the previous one), so a missed invalidation shows up
 * as a stale answer. A second sequence does the same for personal access tokens (policy change,
 * revocation, expiry by the clock) and OAuth access tokens (refresh, the app's capability change, install
 * removal), which B caches too. The seed is printed with any failure; OCTAVO_TEST_SEED replays one.
 */
const STEPS = 40
const seed = Number(process.env.OCTAVO_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31))

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(s: number): () => number {
  let a = s >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const stores: ('sqlite' | 'postgres')[] = ['sqlite', ...(POSTGRES_URL ? (['postgres'] as const) : [])]
if (!POSTGRES_URL) console.warn('[octavo] caches-interleaved: OCTAVO_TEST_POSTGRES_URL is unset, the PostgreSQL run is skipped.')

describe.each(stores)('caches on two nodes over one %s store', { timeout: 180_000 }, (storeKind) => {
  let a: TestServer
  let b: RunningServer
  let dropSchema: (() => Promise<void>) | undefined
  /** Both nodes read one clock, moved forward to expire PATs. */
  let offsetMs = 0
  const clock = { now: () => Date.now() + offsetMs }

  beforeAll(async () => {
    const pg = storeKind === 'postgres' ? freshPostgresSchema() : undefined
    dropSchema = pg?.drop
    a = await startTestServer({ clock, env: { OCTAVO_CACHES: 'on', ...(pg ? { OCTAVO_DATABASE_URL: pg.url } : {}) } })
    // Node B: the same configuration (store, master key), its own process state.
    b = await startServer({ ...a.config, port: 0 }, { logger: createLogger('silent'), clock })
    expect(a.deps.caches).toBeDefined()
    expect(b.deps.caches).toBeDefined()
  })
  afterAll(async () => {
    await b?.close()
    await a?.stop()
    await dropSchema?.()
  })

  const sdk = (token: string) => new Client({ auth: token, baseUrl: b.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  /** The status of `GET /v1/pages/{id}` on node B (200 or the error's status). */
  const readOnB = async (token: string, pageId: string): Promise<number> => {
    try {
      await sdk(token).pages.retrieve({ page_id: pageId })
      return 200
    } catch (err) {
      if (err instanceof APIResponseError) return err.status
      throw err
    }
  }
  const meOnB = async (token: string): Promise<number> => {
    try {
      await sdk(token).users.me({})
      return 200
    } catch (err) {
      if (err instanceof APIResponseError) return err.status
      throw err
    }
  }

  it(`answers every read on B as the last change made on A says (${STEPS} random steps)`, async () => {
    const random = prng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const deps = a.deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Interleaved',
      plan: 'free',
      members: [
        { name: 'Olive Owner', email: 'olive@interleaved.test', role: 'owner' },
        { name: 'Mia Member', email: 'mia@interleaved.test', role: 'owner' },
      ],
    })
    const [owner, member] = members as [(typeof members)[0], (typeof members)[0]]
    // P0 → P1 → P2, and P3 at the top level; P2 moves between P1 and P3.
    const p0 = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'P0' })
    const p1 = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'P1', parentId: p0.id })
    const p2 = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'P2', parentId: p1.id })
    const p3 = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'P3' })
    const pages = [p0.id, p1.id, p2.id, p3.id]
    const parent = new Map<string, string | null>([
      [p0.id, null],
      [p1.id, p0.id],
      [p2.id, p1.id],
      [p3.id, null],
    ])
    const conns = await Promise.all(
      ['One', 'Two'].map(async (name) => {
        const c = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name })
        return { id: c.connection.id, token: c.token, oldTokens: [] as string[], readContent: true, shared: new Set<string>() }
      }),
    )
    const pat = await createPat(deps, { workspaceId: workspace.id, actorId: member.id, name: 'Mia PAT' })
    let memberRemoved = false

    const visible = (conn: (typeof conns)[0], pageId: string): boolean => {
      for (let p: string | null | undefined = pageId; p; p = parent.get(p)) if (conn.shared.has(p)) return true
      return false
    }
    const expected = (conn: (typeof conns)[0], pageId: string): number => (!conn.readContent ? 403 : visible(conn, pageId) ? 200 : 404)
    const log: string[] = []
    const checkAll = async () => {
      for (const conn of conns) {
        for (const old of conn.oldTokens.slice(-2)) expect(await readOnB(old, p0.id), `seed ${seed}: ${log.join('; ')}`).toBe(401)
        for (const p of pages) {
          expect(await readOnB(conn.token, p), `seed ${seed}, ${conn.id} reads ${p}: ${log.join('; ')}`).toBe(expected(conn, p))
        }
      }
      expect(await meOnB(pat.token), `seed ${seed}, PAT: ${log.join('; ')}`).toBe(memberRemoved ? 401 : 200)
    }

    await checkAll()
    for (let step = 0; step < STEPS; step++) {
      const conn = pick(conns)
      const op = pick(['share', 'share', 'unshare', 'unshare', 'refresh', 'capability', 'move', 'remove_member'] as const)
      if (op === 'share') {
        const p = pick(pages)
        await shareWithConnection(deps, conn.id, p, owner.id)
        conn.shared.add(p)
        log.push(`share ${p} with ${conn.id}`)
      } else if (op === 'unshare') {
        const p = conn.shared.size > 0 ? pick([...conn.shared]) : pick(pages)
        await unshareFromConnection(deps, conn.id, p, owner.id)
        conn.shared.delete(p)
        log.push(`unshare ${p} from ${conn.id}`)
      } else if (op === 'refresh') {
        conn.oldTokens.push(conn.token)
        conn.token = await refreshToken(deps, conn.id, owner.id)
        log.push(`refresh ${conn.id}`)
      } else if (op === 'capability') {
        conn.readContent = !conn.readContent
        await updateCapabilities(deps, conn.id, owner.id, { readContent: conn.readContent })
        log.push(`${conn.id} readContent=${conn.readContent}`)
      } else if (op === 'move') {
        const to = parent.get(p2.id) === p1.id ? p3.id : p1.id
        await deps.store.transaction(async (trx) => {
          const node = (await findBlock(trx, p2.id))!
          const target = (await findBlock(trx, to))!
          await moveNode(trx, node, { type: 'page_id', parent: target }, owner.id, new Date().toISOString())
        })
        parent.set(p2.id, to)
        log.push(`move P2 under ${to === p1.id ? 'P1' : 'P3'}`)
      } else if (!memberRemoved) {
        await removeWorkspaceMember(deps, { workspaceId: workspace.id, userId: member.id })
        memberRemoved = true
        log.push('remove member')
      }
      await checkAll()
    }
    // The caches were in use on B: most reads were hits.
    const stats = b.deps.caches!.stats
    expect(stats.tokenHits).toBeGreaterThan(0)
    expect(stats.aclHits).toBeGreaterThan(0)
  })

  it(`answers PAT and OAuth reads on B as the last change made on A says (${STEPS} random steps)`, async () => {
    const random = prng(seed + 1)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const deps = a.deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Interleaved bearers',
      plan: 'business',
      members: [
        { name: 'Olive Owner', email: 'olive@bearers.test', role: 'owner' },
        { name: 'Mia Member', email: 'mia@bearers.test', role: 'member' },
      ],
    })
    const [owner, member] = members as [(typeof members)[0], (typeof members)[0]]
    const page = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Shared with the app' })
    await setPatPolicy(deps, { workspaceId: workspace.id, actorId: owner.id, policy: 'all_members' })
    let allMembers = true
    // Olive's PAT expires after 7 days (the clock moves 8 days to expire it); Mia's depends on the policy.
    const olive = {
      ...(await createPat(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Olive', expiresInDays: 7 })),
      old: [] as string[],
    }
    const mia = await createPat(deps, { workspaceId: workspace.id, actorId: member.id, name: 'Mia' })
    const install = async () => {
      const { app, token } = await installApp(a, { workspaceId: workspace.id, ownerId: owner.id, userId: owner.id, pageIds: [page.id] })
      const installs = await listWorkspaceInstalls(deps, workspace.id, owner.id)
      const installId = installs.find((i) => i.bot_id === token.bot_id)!.id
      return { app, installId, access: token.access_token, refresh: token.refresh_token as string, readContent: true, removed: false }
    }
    let app = await install()
    const oldAccess: string[] = []
    const log: string[] = []
    const checkAll = async () => {
      const why = `seed ${seed + 1}: ${log.join('; ')}`
      expect(await meOnB(olive.token), `Olive's PAT, ${why}`).toBe(200)
      for (const old of olive.old.slice(-2)) expect(await meOnB(old), `Olive's old PAT, ${why}`).toBe(401)
      expect(await meOnB(mia.token), `Mia's PAT, ${why}`).toBe(allMembers ? 200 : 401)
      expect(await readOnB(app.access, page.id), `OAuth read, ${why}`).toBe(app.removed ? 401 : app.readContent ? 200 : 403)
      for (const old of oldAccess.slice(-2)) expect(await meOnB(old), `old OAuth token, ${why}`).toBe(401)
    }

    await checkAll()
    for (let step = 0; step < STEPS; step++) {
      const op = pick(['policy', 'policy', 'revoke', 'expire', 'refresh', 'capability', 'remove_install'] as const)
      if (op === 'policy') {
        allMembers = !allMembers
        await setPatPolicy(deps, { workspaceId: workspace.id, actorId: owner.id, policy: allMembers ? 'all_members' : 'owners_only' })
        log.push(`policy ${allMembers ? 'all_members' : 'owners_only'}`)
      } else if (op === 'revoke' || op === 'expire') {
        if (op === 'revoke') await revokePat(deps, olive.pat.id, { type: 'user', userId: owner.id })
        else offsetMs += 8 * 24 * 3600_000
        // The old token must now be refused on B (its entry there is warm); a new one replaces it.
        expect(await meOnB(olive.token), `seed ${seed + 1}: ${op} then read: ${log.join('; ')}`).toBe(401)
        olive.old.push(olive.token)
        Object.assign(olive, await createPat(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Olive', expiresInDays: 7 }))
        log.push(op === 'revoke' ? "revoke Olive's PAT" : 'clock +8 days')
      } else if (op === 'refresh' && !app.removed) {
        const sdkA = new Client({ baseUrl: a.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
        const next = await sdkA.oauth.token({
          client_id: app.app.clientId,
          client_secret: app.app.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: app.refresh,
        })
        oldAccess.push(app.access)
        app.access = next.access_token
        app.refresh = next.refresh_token as string
        log.push('refresh the OAuth token')
      } else if (op === 'capability' && !app.removed) {
        app.readContent = !app.readContent
        await updatePublicConnection(deps, app.app.clientId, owner.id, { capabilities: { readContent: app.readContent } })
        log.push(`app readContent=${app.readContent}`)
      } else if (op === 'remove_install') {
        if (app.removed) {
          app = await install()
          log.push('install again')
        } else {
          await removeInstall(deps, app.installId, owner.id)
          app.removed = true
          log.push('remove the install')
        }
      }
      await checkAll()
    }
    const stats = b.deps.caches!.stats
    expect(stats.bearerHits).toBeGreaterThan(0)
  })

  it(`answers content reads on B as the last edit made on A says (${STEPS} random steps, rows cached on B)`, async () => {
    // The row cache (ADR 44) keeps pages and blocks read by id and the page presenter's memo keeps
    // their presented form: both must give way to every content edit committed on another node.
    const random = prng(seed + 2)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const deps = a.deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Interleaved content',
      plan: 'business',
      members: [{ name: 'Olive Owner', email: 'olive@content.test', role: 'owner' }],
    })
    const owner = members[0]!
    const page = await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner.id, title: 'Draft 0' })
    const { connection, token } = await createConnection(deps, { workspaceId: workspace.id, actorId: owner.id, name: 'Editor' })
    await shareWithConnection(deps, connection.id, page.id, owner.id)
    const onA = a.client(token)
    const onB = sdk(token)
    const appended = await onA.blocks.children.append({
      block_id: page.id,
      children: [{ paragraph: { rich_text: [{ text: { content: 'Text 0' } }] } }],
    })
    const blockId = appended.results[0]!.id
    const want = { title: 'Draft 0', inTrash: false, emoji: null as string | null, text: 'Text 0' }
    const log: string[] = []
    const checkB = async () => {
      // Twice: the first read after an edit is the one a stale row would answer; the second comes from the cache.
      for (let round = 0; round < 2; round++) {
        const p = (await onB.pages.retrieve({ page_id: page.id })) as unknown as {
          in_trash: boolean
          icon: { emoji: string } | null
          properties: { title: { title: Array<{ plain_text: string }> } }
        }
        const where = `seed ${seed}, round ${round}: ${log.join('; ')}`
        expect(p.properties.title.title.map((t) => t.plain_text).join(''), where).toBe(want.title)
        expect(p.in_trash, where).toBe(want.inTrash)
        expect(p.icon?.emoji ?? null, where).toBe(want.emoji)
        if (!want.inTrash) {
          const blk = (await onB.blocks.retrieve({ block_id: blockId })) as unknown as {
            paragraph: { rich_text: Array<{ plain_text: string }> }
          }
          expect(blk.paragraph.rich_text.map((t) => t.plain_text).join(''), where).toBe(want.text)
        }
      }
    }
    await checkB()
    for (let step = 1; step <= STEPS; step++) {
      const op = want.inTrash ? 'restore' : pick(['rename', 'rename', 'icon', 'text', 'text', 'trash'] as const)
      if (op === 'rename') {
        want.title = `Draft ${step}`
        await onA.pages.update({ page_id: page.id, properties: { title: { title: [{ text: { content: want.title } }] } } })
      } else if (op === 'icon') {
        want.emoji = want.emoji === '🍐' ? '🍏' : '🍐'
        await onA.pages.update({ page_id: page.id, icon: { type: 'emoji', emoji: want.emoji as '🍐' } })
      } else if (op === 'text') {
        want.text = `Text ${step}`
        await onA.blocks.update({ block_id: blockId, paragraph: { rich_text: [{ text: { content: want.text } }] } })
      } else {
        want.inTrash = op === 'trash'
        await onA.pages.update({ page_id: page.id, in_trash: want.inTrash })
      }
      log.push(op)
      await checkB()
    }
    const stats = b.deps.caches!.stats
    expect(stats.rowHits).toBeGreaterThan(0)
  })
})
