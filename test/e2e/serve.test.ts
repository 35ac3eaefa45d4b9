import { APIErrorCode, Client, LogLevel, isFullBlock, isFullPage, iteratePaginatedAPI } from '@notionhq/client'
import type { BlockObjectResponse } from '@notionhq/client'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiError } from '../support/harness.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve, serveHuman, type ServeInfo, type Served } from './cli-process.js'

/**
 * `octavo serve` as a subprocess on a temporary data directory: the demo is seeded into the empty
 * store and usable with the printed token through the official SDK; SIGTERM stops it cleanly; a
 * restart keeps everything and seeds nothing.
 */

type AdminPage = { id: string; object: 'page' | 'database'; title: string; parent_id: string | null; depth: number; is_row: boolean }

const client = (url: string, token: string) =>
  new Client({ auth: token, baseUrl: url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })

async function adminGet<T>(info: ServeInfo, path: string): Promise<T> {
  const key = readFileSync(info.admin_key_file as string, 'utf8').trim()
  const res = await fetch(`${info.admin_url}${path}`, { headers: { authorization: `Bearer ${key}` } })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

/**
 * Walks the block tree below `pageId` with blocks.children.list (child pages included) and returns
 * the page depth (1 = the page alone) and every block seen.
 */
async function walk(
  notion: Client,
  pageId: string,
  seen: BlockObjectResponse[] = [],
): Promise<{ depth: number; seen: BlockObjectResponse[] }> {
  let deepest = 0
  const visit = async (id: string): Promise<void> => {
    for await (const block of iteratePaginatedAPI(notion.blocks.children.list, { block_id: id })) {
      if (!isFullBlock(block)) continue
      seen.push(block)
      if (block.type === 'child_page') deepest = Math.max(deepest, (await walk(notion, block.id, seen)).depth)
      else if (block.has_children) await visit(block.id)
    }
  }
  await visit(pageId)
  return { depth: deepest + 1, seen }
}

describe('octavo serve', { timeout: 120_000 }, () => {
  let dir: string
  let first: Served
  let info: ServeInfo
  let exitCode: number | null

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'octavo-serve-'))
    // Logs on (to stderr), so the tests can check that no secret reaches them.
    first = await serve(dir, [], { OCTAVO_LOG_LEVEL: 'info' })
    info = first.info
  })
  afterAll(async () => {
    if (first.child.exitCode === null) await first.stop('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('prints where it listens, where the admin key lives, and the demo tokens', () => {
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.api_url).toBe(`${info.url}/v1`)
    expect(info.admin_url).toBe(`${info.url}/_octavo/admin`)
    expect(info.admin_key_file).toBe(join(dir, 'admin.key'))
    expect(info.demo).toMatchObject({ seeded: true, workspace_name: 'Octavo Demo', owner: 'Ada Lovelace <ada@octavo.test>' })
    expect(info.demo?.connections.map((c) => [c.name, c.shared])).toEqual([
      ['Demo integration', ['Getting started']],
      ['Unshared integration', []],
    ])
    for (const c of info.demo?.connections ?? []) expect(c.token).toMatch(/^ntn_/)
    // The admin key itself is never printed, and no secret reaches the logs.
    const key = readFileSync(join(dir, 'admin.key'), 'utf8').trim()
    expect(JSON.stringify(info)).not.toContain(key)
    for (const c of info.demo?.connections ?? []) expect(first.stderr()).not.toContain(c.token)
    expect(first.stderr()).not.toContain(key)
  })

  it('serves the demo through the SDK with the printed token', async () => {
    const [demo, unshared] = info.demo?.connections as unknown as [{ token: string }, { token: string }]
    const notion = client(info.url, demo.token)
    const me = await notion.users.me({})
    expect(me).toMatchObject({ object: 'user', type: 'bot', name: 'Demo integration' })

    const { pages } = await adminGet<{ pages: AdminPage[] }>(info, `/workspaces/${info.demo?.workspace_id}/pages`)
    const gettingStarted = pages.find((p) => p.depth === 0 && p.title === 'Getting started') as AdminPage
    expect(gettingStarted).toBeDefined()
    const page = await notion.pages.retrieve({ page_id: gettingStarted.id })
    expect(isFullPage(page) && page.properties.title).toMatchObject({ type: 'title', title: [{ plain_text: 'Getting started' }] })
    const tree = await walk(notion, gettingStarted.id)
    expect(tree.depth).toBeGreaterThanOrEqual(5)
    const types = new Set(tree.seen.map((b) => b.type))
    for (const t of [
      'paragraph',
      'heading_1',
      'heading_2',
      'heading_3',
      'bulleted_list_item',
      'numbered_list_item',
      'to_do',
      'toggle',
      'code',
      'quote',
      'callout',
      'divider',
      'bookmark',
      'image',
      'equation',
      'table',
      'table_row',
      'column_list',
      'column',
      'child_page',
      'child_database',
    ]) {
      expect(types, t).toContain(t)
    }
    const rich = tree.seen.flatMap(
      (b) =>
        (b as unknown as Record<string, { rich_text?: { annotations: Record<string, unknown>; href: string | null; type: string }[] }>)[
          b.type
        ]?.rich_text ?? [],
    )
    expect(rich.some((r) => r.annotations.bold)).toBe(true)
    expect(rich.some((r) => r.annotations.code)).toBe(true)
    expect(rich.some((r) => r.href?.startsWith('https://'))).toBe(true)
    expect(rich.some((r) => r.type === 'mention')).toBe(true)
    expect(tree.seen.some((b) => b.type === 'toggle' && b.has_children)).toBe(true)

    // The deepest page is readable through the share of its level-1 ancestor.
    const deepest = pages.filter((p) => !p.is_row).reduce((a, b) => (b.depth > a.depth ? b : a))
    expect(deepest.depth).toBeGreaterThanOrEqual(4)
    expect((await notion.pages.retrieve({ page_id: deepest.id })).id).toBe(deepest.id)

    // Tasks: ≥ 50 rows, with every property type of the schema.
    const tasks = pages.find((p) => p.object === 'database' && p.title === 'Tasks') as AdminPage
    const rows = pages.filter((p) => p.is_row && p.parent_id === tasks.id)
    expect(rows.length).toBeGreaterThanOrEqual(50)
    const row = await notion.pages.retrieve({ page_id: (rows[0] as AdminPage).id })
    if (!isFullPage(row)) throw new Error('partial page')
    expect(Object.fromEntries(Object.entries(row.properties).map(([name, p]) => [name, p.type]))).toEqual({
      Name: 'title',
      Status: 'select',
      Tags: 'multi_select',
      Estimate: 'number',
      Due: 'date',
      Done: 'checkbox',
      Assignee: 'people',
      Link: 'url',
      Notes: 'rich_text',
    })
    expect(row.parent).toMatchObject({ type: 'data_source_id', database_id: tasks.id })

    // Nothing outside "Getting started" is visible, and the unshared connection sees nothing.
    const teamHome = pages.find((p) => p.title === 'Team Home') as AdminPage
    const hidden = await apiError(notion.pages.retrieve({ page_id: teamHome.id }))
    expect([hidden.status, hidden.code]).toEqual([404, APIErrorCode.ObjectNotFound])
    const none = await apiError(client(info.url, unshared.token).pages.retrieve({ page_id: gettingStarted.id }))
    expect([none.status, none.code, none.message]).toEqual([
      404,
      APIErrorCode.ObjectNotFound,
      `Could not find page with ID: ${gettingStarted.id}. Make sure the relevant pages and databases are shared with your integration "Unshared integration".`,
    ])
  })

  it('stops on SIGTERM, and a restart keeps everything without seeding again', async () => {
    const before = await adminGet<{ pages: AdminPage[] }>(info, `/workspaces/${info.demo?.workspace_id}/pages`)
    exitCode = await first.stop('SIGTERM')
    expect(exitCode).toBe(0)
    // Requests were logged, but never a token or the admin key.
    const logs = first.stderr()
    expect(logs).toContain('"level":30')
    for (const c of info.demo?.connections ?? []) expect(logs).not.toContain(c.token)
    expect(logs).not.toContain(readFileSync(join(dir, 'admin.key'), 'utf8').trim())
    expect(logs).toContain('SIGTERM received, stopping')

    const second = await serve(dir)
    try {
      const again = second.info
      expect(again.demo).toMatchObject({ seeded: false, workspace_id: info.demo?.workspace_id })
      expect(again.demo?.connections.map((c) => [c.id, c.token])).toEqual(info.demo?.connections.map((c) => [c.id, c.token]))
      const token = (info.demo?.connections[0] as { token: string }).token
      expect((await client(again.url, token).users.me({})).name).toBe('Demo integration')

      const { workspaces } = await adminGet<{ workspaces: { id: string }[] }>(again, '/workspaces')
      expect(workspaces.map((w) => w.id)).toEqual([info.demo?.workspace_id])
      const after = await adminGet<{ pages: AdminPage[] }>(again, `/workspaces/${info.demo?.workspace_id}/pages`)
      expect(after.pages.map((p) => p.id)).toEqual(before.pages.map((p) => p.id))
      const { connections } = await adminGet<{ connections: { id: string }[] }>(again, `/workspaces/${info.demo?.workspace_id}/connections`)
      expect(connections).toHaveLength(2)
    } finally {
      expect(await second.stop('SIGINT')).toBe(0)
    }
  })

  it('keeps stdout for its one --json line: the webhook thread logs to stderr with the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'octavo-serve-thread-'))
    try {
      const s = await serve(dir, ['--no-demo'], { OCTAVO_WEBHOOK_THREAD: 'on', OCTAVO_LOG_LEVEL: 'debug' })
      try {
        const line = 'webhook worker running in its thread'
        for (let i = 0; i < 200 && !s.stderr().includes(line); i++) await new Promise((r) => setTimeout(r, 50))
        const logged = s
          .stderr()
          .split('\n')
          .filter((l) => l.includes(line))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
        expect(logged).toEqual([expect.objectContaining({ level: 20, thread: 'webhooks', dialect: 'sqlite', msg: line })])
        expect(s.stdout().trimEnd().split('\n')).toEqual([JSON.stringify(s.info)])
      } finally {
        expect(await s.stop()).toBe(0)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('with --no-demo leaves an empty store empty and says how to administer it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'octavo-serve-empty-'))
    try {
      const s = await serveHuman(empty, ['--no-demo'])
      try {
        expect(s.banner).toMatch(/^Octavo is running at http:\/\/127\.0\.0\.1:\d+\n/)
        expect(s.banner).toContain(`Admin key    in ${join(empty, 'admin.key')}`)
        expect(s.banner).toContain('Administer in the web portal, or with the CLI or the admin API')
        expect(s.banner).toMatch(
          /Web portal {3}http:\/\/127\.0\.0\.1:\d+\/ {3}\(sign in; passwords: npm run octavo -- .*user set-password <e-mail>\)/,
        )
        expect(s.banner).toContain('The store is empty (demo off).')
        expect(s.banner).not.toContain('ntn_')
        expect(s.banner).not.toContain(readFileSync(join(empty, 'admin.key'), 'utf8').trim())
      } finally {
        expect(await s.stop()).toBe(0)
      }
      const seeded = await serve(empty)
      try {
        // The first start with the demo on seeds the (still empty) store.
        expect(seeded.info.demo?.seeded).toBe(true)
      } finally {
        await seeded.stop()
      }
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })
})
