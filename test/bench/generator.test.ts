import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateWorkspace, type Manifest, type WorkspaceSpec } from '../../bench/lib/generate.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { createDeps } from '../../src/server.js'
import { levelOnRoot } from '../../src/storage/repositories/acl.repository.js'

/**
 * The benchmark workspace generator (bench/lib/generate.ts) at a tiny size: the shape asked for,
 * permission roots that the real ACL check accepts (the bulk path must write what createNode
 * would), and the same content from the same seed. The benchmark itself never runs in `npm test`.
 */

const TINY: WorkspaceSpec = { pages: 1_000, blocks: 1_500, maxDepth: 50, shares: 30, members: 6, groups: 1, rows: 40 }
const dirs: string[] = []

async function generate(seed: number) {
  const dir = mkdtempSync(join(tmpdir(), 'octavo-gen-test-'))
  dirs.push(dir)
  const config = loadConfig({ OCTAVO_SECRET_KEY: 'c1'.repeat(32), OCTAVO_ADMIN_KEY: 'test_admin_key_0123456789' }, { dataDir: dir })
  const deps = await createDeps(config, { logger: createLogger('silent') })
  const manifest = await generateWorkspace(deps, TINY, { seed, databasePath: config.databasePath })
  const db = deps.store.db
  const bots = new Map((await db.selectFrom('connection').select(['bot_id', 'name']).execute()).map((c) => [`bot:${c.bot_id}`, c.name]))
  const pages = await db
    .selectFrom('block')
    .select(['id', 'parent_id', 'title_text', 'path', 'perm_root_id', 'position'])
    .where('type', '=', 'child_page')
    .where('parent_type', '!=', 'data_source_id')
    .orderBy('id')
    .execute()
  const blocks = await db
    .selectFrom('block')
    .select(['id', 'page_id', 'position', 'type', 'content'])
    .where('type', 'not in', ['child_page', 'child_database'])
    .orderBy('id')
    .execute()
  const rows = await db.selectFrom('block').select(['id', 'properties']).where('parent_type', '=', 'data_source_id').orderBy('id').execute()
  const grants = (await db.selectFrom('page_grant').select(['page_id', 'principal', 'role']).where('principal', 'like', 'bot:%').execute())
    .map((g) => `${g.page_id}|${bots.get(g.principal)}|${g.role}`)
    .sort()
  const members = await db.selectFrom('workspace_member').select('role').where('workspace_id', '=', manifest.workspaceId).execute()
  const benchBot = [...bots].find(([, name]) => name === 'Bench reader')?.[0] as string
  const rootOf = (id: string) => pages.find((p) => p.id === id)?.perm_root_id as string
  const levels = {
    deepest: await levelOnRoot(db, rootOf(manifest.ids.spine[50] as string), [benchBot]),
    unshared: await levelOnRoot(db, rootOf(manifest.ids.unsharedPage), [benchBot]),
  }
  await deps.store.close()
  return { manifest, pages, blocks, rows, grants, members, levels }
}

describe('benchmark workspace generator', () => {
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('produces the requested shape, with permission roots the ACL check accepts', async () => {
    const g = await generate(42)
    const m: Manifest = g.manifest
    expect(g.pages).toHaveLength(TINY.pages)
    expect(g.blocks).toHaveLength(TINY.blocks)
    expect(g.rows).toHaveLength(TINY.rows)
    expect(g.grants).toHaveLength(TINY.shares)
    expect(g.members).toHaveLength(TINY.members)
    expect(g.members.filter((x) => x.role === 'owner')).toHaveLength(1)
    expect(m.counts).toMatchObject({ pages: TINY.pages, blocks: TINY.blocks, rows: TINY.rows, shares: TINY.shares, groups: TINY.groups })
    expect(m.counts.groupMembers).toBe(g.members.filter((x) => x.role !== 'owner' && x.role !== 'guest').length)
    // The spine is 50 levels deep below its top-level page, and the deepest page is readable
    // through the share on the top one; the unshared page is not.
    const deepest = g.pages.find((p) => p.id === m.ids.spine[50])
    expect(deepest?.path?.split('/').filter(Boolean)).toHaveLength(50)
    expect(g.levels.deepest).toBeGreaterThan(0)
    expect(g.levels.unshared).toBe(0)
    // Content pages carry 120 child blocks in order; the search connection sees about 10% of pages.
    const first = g.blocks
      .filter((b) => b.page_id === m.ids.contentPages[0])
      .map((b) => b.position)
      .sort((a, b) => a - b)
    expect(first).toEqual(Array.from({ length: 120 }, (_, i) => i))
    expect(m.counts.searchVisiblePages / TINY.pages).toBeGreaterThanOrEqual(0.1)
    expect(m.counts.searchVisiblePages / TINY.pages).toBeLessThan(0.2)
  })

  it('generates the same content from the same seed, and other content from another', async () => {
    const [a, b, c] = [await generate(7), await generate(7), await generate(8)]
    expect(b.pages).toEqual(a.pages)
    expect(b.blocks).toEqual(a.blocks)
    expect(b.rows).toEqual(a.rows)
    expect(b.grants).toEqual(a.grants)
    expect(c.pages.map((p) => p.title_text)).not.toEqual(a.pages.map((p) => p.title_text))
  })
})
