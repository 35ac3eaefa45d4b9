import { Client, LogLevel } from '@notionhq/client'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { isAdjustable } from '../../src/domain/clock.js'
import { sweepFileUploads } from '../../src/services/file-sweep.js'
import { createLogger } from '../../src/logger.js'
import { startServer, type RunningServer } from '../../src/server.js'
import { createConnection, shareWithConnection } from '../../src/services/connections.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { POSTGRES_URL, freshPostgresSchema } from '../support/stores.js'

/**
 * Two Octavo nodes on one PostgreSQL schema (ADR 11, ADR 18): a multi-part upload whose parts go to
 * node A and node B alternately completes on either, and both nodes serve the file's bytes (the
 * database blob store), with one master key; both nodes sweeping at once free each expired upload
 * exactly once (advisory lock). Skipped without OCTAVO_TEST_POSTGRES_URL.
 */

const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.skipIf(!POSTGRES_URL)('file uploads across two nodes', () => {
  let schema: ReturnType<typeof freshPostgresSchema>
  const nodes: RunningServer[] = []
  const dirs: string[] = []
  let token = ''
  let pageId = ''
  beforeAll(async () => {
    schema = freshPostgresSchema()
    const key = randomBytes(32).toString('hex')
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'octavo-node-'))
      dirs.push(dir)
      const config = loadConfig({
        OCTAVO_DATA_DIR: dir,
        OCTAVO_PORT: '0',
        OCTAVO_DEMO: 'off',
        OCTAVO_RATE_LIMITS: 'off',
        OCTAVO_SECRET_KEY: key,
        OCTAVO_DATABASE_URL: schema.url,
        OCTAVO_FILE_SWEEP_INTERVAL: '0',
      })
      nodes.push(await startServer(config, { logger: createLogger('silent') }))
    }
    const deps = (nodes[0] as RunningServer).deps
    const { workspace, members } = await createWorkspace(deps, {
      name: 'Nodes',
      plan: 'plus',
      members: [{ name: 'Owner', email: 'owner@example.com', role: 'owner' }],
    })
    const owner = (members[0] as { id: string }).id
    pageId = (await createPageAsUser(deps, { workspaceId: workspace.id, actorId: owner, title: 'Root' })).id
    const conn = await createConnection(deps, { workspaceId: workspace.id, actorId: owner, name: 'Bot' })
    await shareWithConnection(deps, conn.connection.id, pageId, owner)
    token = conn.token
  })
  afterAll(async () => {
    for (const n of nodes) await n.close()
    await schema?.drop()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('parts to A and B alternately, complete on B, both nodes serve the bytes', async () => {
    const [a, b] = nodes.map((n) => new Client({ auth: token, baseUrl: n.url, retry: false, logLevel: LogLevel.ERROR })) as [Client, Client]
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(123_457)]
    const { id } = await a.fileUploads.create({ mode: 'multi_part', filename: 'movie.mp4', content_type: 'video/mp4', number_of_parts: 3 })
    for (const [i, bytes] of parts.entries()) {
      await (i % 2 === 0 ? a : b).fileUploads.send({
        file_upload_id: id,
        part_number: String(i + 1),
        file: { data: new Blob([bytes], { type: 'video/mp4' }) },
      })
    }
    expect(await b.fileUploads.complete({ file_upload_id: id })).toMatchObject({ status: 'uploaded', content_length: 10 * MiB + 123_457 })
    const appended = await a.blocks.children.append({ block_id: pageId, children: [{ video: { file_upload: { id } } }] })
    const blockId = appended.results[0]?.id as string
    const all = Buffer.concat(parts)
    for (const client of [a, b]) {
      const block = (await client.blocks.retrieve({ block_id: blockId })) as unknown as { video: { file: { url: string } } }
      const res = await fetch(block.video.file.url)
      expect(res.status).toBe(200)
      expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(all))
    }
    // A URL signed by node A works on node B (same master key): swap the origin.
    const fromA = ((await a.blocks.retrieve({ block_id: blockId })) as unknown as { video: { file: { url: string } } }).video.file.url
    const onB = fromA.replace((nodes[0] as RunningServer).url, (nodes[1] as RunningServer).url)
    const ranged = await fetch(onB, { headers: { range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` } })
    expect(ranged.status).toBe(206)
    expect(Buffer.from(await ranged.arrayBuffer()).equals(all.subarray(5 * MiB - 2, 5 * MiB + 2))).toBe(true)
  })

  it('both nodes sweeping at once: each expired upload is freed exactly once', async () => {
    const a = new Client({ auth: token, baseUrl: (nodes[0] as RunningServer).url, retry: false, logLevel: LogLevel.ERROR })
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      const { id } = await a.fileUploads.create({ filename: `f${i}.txt`, content_type: 'text/plain' })
      await a.fileUploads.send({
        file_upload_id: id,
        file: { filename: `f${i}.txt`, data: new Blob([`file ${i}`], { type: 'text/plain' }) },
      })
      ids.push(id)
    }
    for (const n of nodes) if (isAdjustable(n.deps.clock)) n.deps.clock.advance(2 * 60 * 60 * 1000)
    const results = await Promise.all(nodes.flatMap((n) => [sweepFileUploads(n.deps), sweepFileUploads(n.deps)]))
    // Two calls on one node share its sweep in flight (same result object): count each sweep once.
    expect([...new Set(results)].reduce((sum, r) => sum + r.expired, 0)).toBe(ids.length)
    const db = (nodes[0] as RunningServer).deps.store.db
    const events = await db
      .selectFrom('change_event')
      .select('object_id')
      .where('type', '=', 'file_upload.expired')
      .where('object_id', 'in', ids)
      .execute()
    expect(events.map((e) => e.object_id).sort()).toEqual([...ids].sort())
    expect(await db.selectFrom('file_upload_part').select('blob_key').where('upload_id', 'in', ids).execute()).toEqual([])
    expect(await db.selectFrom('blob_chunk').select('blob_key').where('blob_key', 'like', `${ids[0]}/%`).execute()).toEqual([])
  })
})
