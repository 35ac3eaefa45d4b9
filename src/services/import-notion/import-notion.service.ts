import type { Client } from '@notionhq/client'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isoNow } from '../../domain/clock.js'
import { type NewBlock } from '../../domain/blocks.js'
import { commentAttachmentCategory } from '../../domain/file-types.js'
import { parseId } from '../../domain/ids.js'
import type { Schema } from '../../domain/properties.js'
import { writePropertyValues } from '../../domain/property-values.js'
import { type RichTextItem } from '../../domain/rich-text.js'
import { parseNewSchema } from '../../domain/schema.js'
import { DomainError } from '../../errors/domain-error.js'
import { findBlock, findBlocks, insertBlocks, updateNode, type InsertAt } from '../../storage/repositories/blocks.repository.js'
import { commentWorkspace, insertComment } from '../../storage/repositories/comments.repository.js'
import { findDataSource, saveSchema, schemaOf } from '../../storage/repositories/data-sources.repository.js'
import {
  attachFileUpload,
  completeFileUpload,
  findFileUploadAnywhere,
  insertFileUpload,
  recordUploadPart,
  type FileUploadRow,
} from '../../storage/repositories/file-uploads.repository.js'
import { addMember, insertPerson } from '../../storage/repositories/people.repository.js'
import { findUser, findUserByEmail, findWorkspace, listMembers, listWorkspaces } from '../../storage/repositories/workspaces.repository.js'
import type { Db } from '../../storage/store.js'
import { addDataSource, createDatabase } from '../databases-core.js'
import type { Deps } from '../deps.js'
import { checkImportUrl, fetchExternalFile } from '../file-import.js'
import { fileMarker } from '../file-urls.js'
import { createNode } from '../tree.service.js'
import { createWorkspace, type PersonInput } from '../workspaces.service.js'
import {
  blockRequest,
  finishBlock,
  imageRequest,
  parseBlock,
  propertyRequest,
  storedRichText,
  valueRequest,
  type ConvertedBlock,
  type HostedFile,
  type IdMap,
} from './convert.js'

/**
 * `octavo import-notion` (issue 18, ADR 31, docs/emulator.md "Import from Notion"): copies what a
 * Notion token can see — users, pages with their block trees, databases with their data sources,
 * schemas and rows, comments and Notion-hosted files — into an Octavo workspace, reading through the
 * official SDK (any server speaking Notion's API: api.notion.com, or another Octavo) and writing through
 * the same repository write paths as the API (createNode, createDatabase/addDataSource, insertBlocks,
 * saveSchema, updateNode, insertComment, the file-upload functions, insertPerson/addMember), so every
 * write appends its change events.
 *
 * Order: users → the page tree from its roots, parents before children (each page or database row with
 * its whole content in one transaction; a database with all its data sources in one) → second pass per
 * data source: relation, rollup and formula properties, once every data source exists, then relation
 * values → comments.
 *
 * Ids and resumability: Notion ids are kept. An id the target store already holds **in the target
 * workspace** means that object was copied by an earlier run (a page and its content commit together),
 * so a re-run after an interruption skips it; an id held **in another workspace** (the same source
 * imported twice) gets a new id derived from (target workspace, source id), the same on every run, so a
 * re-run finds it again. The state file records the id mapping, the finished phases and the counts.
 *
 * Errors: the source's failures propagate (the SDK already retried 429 with Retry-After and some 5xx);
 * what was committed stays, and the next run continues. Content Octavo cannot hold is skipped and
 * counted in `skipped` with the reason.
 */

/** What `importNotion` needs. */
export interface ImportNotionInput {
  /** An SDK client for the source token (its `baseUrl` picks the server). */
  source: Client
  /** The source's base URL (its own file URLs may be on a private address; other file hosts must be public). */
  sourceBaseUrl: string
  /** Target workspace (default: the only one, or the first). */
  workspaceId?: string
  /** Create this workspace instead, owned by `owner`. */
  newWorkspace?: { name: string; owner: PersonInput }
  /** The acting person in the target (default: the workspace's first owner). */
  actorId?: string
  /** Where the state file lives (a directory; the file is `import-notion-<source bot id>.json`). */
  stateDir: string
  /** Progress lines (one per copied object and phase). */
  progress?: (line: string) => void
}

/** What was copied, and the connections to create. */
export interface ImportNotionResult {
  workspace: { id: string; name: string }
  state_file: string
  counts: Record<'users' | 'pages' | 'databases' | 'data_sources' | 'rows' | 'blocks' | 'comments' | 'files', number>
  /** Objects already present from an earlier run. */
  already_present: number
  skipped: { what: string; id: string; reason: string }[]
  /** Every id whose source id was taken in another workspace (this run's and earlier runs'): source → target. */
  remapped: Record<string, string>
  /** Share these pages with a new connection named like the source's, since tokens are not importable. */
  connections: { name: string; share: { id: string; title: string }[]; capabilities_note: string }[]
}

interface State {
  version: 1
  source_bot_id: string
  workspace_id: string
  ids: Record<string, string>
  phases: Record<string, boolean>
}

/** Files Octavo accepts by import: Notion's paid-plan ceiling (5 GiB). */
const MAX_FILE_BYTES = 5 * 1024 * 1024 * 1024

const NODE_TYPES = new Set(['child_page', 'child_database'])

interface SrcBlock {
  block: any
  children: SrcBlock[]
}

interface DataSourceWork {
  src: any
  targetId: string
  rows: { targetId: string; properties: Record<string, any> }[]
}

/**
 * Imports what `input.source` can see. See the module comment for order, ids and resumability.
 * @throws DomainError not_found (workspace), invalid_input (no workspace to import into);
 *   the SDK's `APIResponseError` / `RequestTimeoutError` when the source fails.
 */
export async function importNotion(deps: Deps, input: ImportNotionInput): Promise<ImportNotionResult> {
  const log = input.progress ?? (() => {})
  const src = input.source
  const sourceOrigin = new URL(input.sourceBaseUrl).origin
  const me = (await src.users.me({})) as any
  const sourceBot = { id: String(me.id), name: String(me.name ?? 'Imported connection') }

  // Target workspace and acting person.
  let workspace: { id: string; name: string }
  // Without a user-information capability the source refuses the list (403): people are then not copied.
  let usersRefused = false
  const users = await paginate((cursor) => src.users.list({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) })).catch(
    (err: unknown) => {
      if ((err as { code?: string }).code !== 'restricted_resource') throw err
      usersRefused = true
      return [] as any[]
    },
  )
  if (input.newWorkspace) {
    // The new owner keeps their source id when the source knows them by e-mail and the store does not.
    const email = input.newWorkspace.owner.email.toLowerCase()
    const known = users.find((u) => u.type === 'person' && String(u.person?.email ?? '').toLowerCase() === email)
    if (known && !(await findUserByEmail(deps.store.db, email)) && !(await findUser(deps.store.db, parseId(known.id) ?? known.id)))
      await deps.store.transaction((trx) =>
        insertPerson(trx, {
          id: parseId(known.id) ?? known.id,
          type: 'person',
          name: input.newWorkspace!.owner.name,
          avatar_url: known.avatar_url ?? null,
          email,
          created_time: isoNow(deps.clock),
        }),
      )
    const made = await createWorkspace(deps, { name: input.newWorkspace.name, members: [input.newWorkspace.owner] })
    workspace = { id: made.workspace.id, name: made.workspace.name }
  } else if (input.workspaceId) {
    const w = await findWorkspace(deps.store.db, input.workspaceId)
    if (!w) throw new DomainError('not_found', `No workspace with id ${input.workspaceId}.`)
    workspace = { id: w.id, name: w.name }
  } else {
    const all = await listWorkspaces(deps.store.db)
    if (all.length === 0)
      throw new DomainError('invalid_input', 'The store has no workspace; pass --new-workspace <name> --owner "Name <email>".')
    workspace = { id: all[0]!.id, name: all[0]!.name }
  }
  const members = await listMembers(deps.store.db, workspace.id)
  const actor = input.actorId ?? members.find((m) => m.role === 'owner')?.id
  if (!actor) throw new DomainError('invalid_input', `Workspace ${workspace.name} has no owner to import as.`)
  const eventActor = `user:${actor}`

  const statePath = `${input.stateDir}/import-notion-${sourceBot.id}.json`
  const state: State = loadState(statePath, sourceBot.id, workspace.id)
  const save = () => saveState(statePath, state)

  const result: ImportNotionResult = {
    workspace,
    state_file: statePath,
    counts: { users: 0, pages: 0, databases: 0, data_sources: 0, rows: 0, blocks: 0, comments: 0, files: 0 },
    already_present: 0,
    skipped: [],
    remapped: {},
    connections: [],
  }
  const skip = (what: string, id: string, reason: string) => {
    result.skipped.push({ what, id, reason })
    log(`skipped ${what} ${id}: ${reason}`)
  }

  // --- id mapping ------------------------------------------------------------------------------
  const derived = (id: string) => {
    const h = createHash('sha256').update(`${workspace.id}:${id}`).digest('hex')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
  }
  const map: IdMap = (id) => {
    const key = parseId(id) ?? id
    return state.ids[key] ?? key
  }
  const remember = (srcId: string, targetId: string) => {
    if (srcId !== targetId) {
      state.ids[srcId] = targetId
      result.remapped[srcId] = targetId
    }
  }
  /** The target id of a block-table object (page, database, row, block) and whether it is already there. */
  const placeNode = async (srcId: string): Promise<{ id: string; present: boolean }> => {
    const key = parseId(srcId) ?? srcId
    const known = state.ids[key]
    const id = known ?? key
    const row = await findBlock(deps.store.db, id)
    if (!row) return { id, present: false }
    if (row.workspace_id === workspace.id) return { id, present: true }
    const other = derived(key)
    remember(key, other)
    return { id: other, present: !!(await findBlock(deps.store.db, other)) }
  }

  // --- users -----------------------------------------------------------------------------------
  const knownUsers = new Set<string>()
  for (const m of members) knownUsers.add(m.id)
  const bots: { id: string; name: string }[] = []
  for (const u of users) {
    if (u.type !== 'person') {
      bots.push({ id: u.id, name: u.name ?? 'bot' })
      continue
    }
    const id = await deps.store.transaction(async (trx) => copyPerson(trx, u))
    knownUsers.add(id)
  }
  if (usersRefused) skip('users', sourceBot.id, 'the token has no user information capability')
  if (!state.phases.users) log(`users: ${result.counts.users} people added`)
  state.phases.users = true
  save()

  async function copyPerson(trx: Db, u: any): Promise<string> {
    const email: string | null = u.person?.email ? String(u.person.email).toLowerCase() : null
    const time = isoNow(deps.clock)
    let user = email ? await findUserByEmail(trx, email) : undefined
    if (!user) {
      const existing = await findUser(trx, map(u.id))
      if (existing && existing.type === 'person' && existing.email === email) user = existing
      else {
        const id = existing ? derived(u.id) : map(u.id)
        if (existing) remember(u.id, id)
        user = (await findUser(trx, id)) ?? undefined
        if (!user) {
          user = { id, type: 'person', name: u.name ?? null, avatar_url: u.avatar_url ?? null, email, created_time: time }
          await insertPerson(trx, user)
        }
      }
    } else if (user.id !== u.id) remember(u.id, user.id)
    if (!members.some((m) => m.id === user.id)) {
      await addMember(trx, { workspaceId: workspace.id, userId: user.id, role: 'member' }, { actor: eventActor, time })
      members.push({ ...user, role: 'member' } as any)
      result.counts.users++
    }
    return user.id
  }

  // --- files -----------------------------------------------------------------------------------
  interface Downloaded {
    row: FileUploadRow
    key: string
    size: number
    apply: HostedFile['apply']
  }
  /** Downloads hosted files into the blob store (before the owner's transaction). */
  const download = async (files: HostedFile[], ownerId: string): Promise<Downloaded[]> => {
    const out: Downloaded[] = []
    for (const [i, f] of files.entries()) {
      const id = derived(`file:${ownerId}:${i}`)
      const url = new URL(f.url)
      // The source's own host may be private (a local Octavo, a proxy); anything else must be public.
      const allowPrivate = deps.files.importAllowPrivate || url.origin === sourceOrigin
      const timeoutMs = deps.files.importTimeoutSeconds * 1000
      let fetched: Awaited<ReturnType<typeof fetchExternalFile>>
      try {
        fetched = await fetchExternalFile(
          checkImportUrl(f.url, allowPrivate),
          { allowPrivate, timeoutMs, maxBytes: MAX_FILE_BYTES },
          AbortSignal.timeout(timeoutMs),
        )
      } catch (err) {
        throw new DomainError(
          'conflict',
          `Downloading a file of ${ownerId} from ${url.host} failed (${(err as Error).message}); run the import again to retry.`,
        )
      }
      const key = `${id}/${randomUUID()}`
      const size = await deps.blobs.put(key, fetched.body, MAX_FILE_BYTES)
      const name = fetched.filename ? decodeURIComponent(fetched.filename) : 'file'
      const now = isoNow(deps.clock)
      const contentType = (fetched.contentType ?? 'application/octet-stream').split(';')[0]!.trim()
      out.push({
        key,
        size,
        apply: f.apply,
        row: {
          id,
          workspace_id: workspace.id,
          created_by: actor,
          created_by_type: 'person',
          created_time: now,
          last_edited_time: now,
          mode: 'single_part',
          status: 'pending',
          filename: name,
          content_type: contentType,
          content_length: null,
          number_of_parts: null,
          expiry_time: new Date(deps.clock.now() + 3600_000).toISOString(),
          external_url: null,
          import_result: null,
          attached_type: null,
          attached_id: null,
          attached_time: null,
        },
      })
    }
    return out
  }
  /** Stores the downloaded uploads (in the owner's transaction) and puts their markers in place. */
  const storeUploads = async (trx: Db, files: Downloaded[]) => {
    const now = isoNow(deps.clock)
    for (const f of files) {
      if (await findFileUploadAnywhere(trx, f.row.id)) {
        f.apply(fileMarker(f.row.id, f.row.filename), { filename: f.row.filename ?? 'file' })
        continue
      }
      await insertFileUpload(trx, f.row, eventActor)
      await recordUploadPart(trx, f.row, { upload_id: f.row.id, part_number: 1, size: f.size, blob_key: f.key, sent_time: now }, eventActor)
      await completeFileUpload(
        trx,
        f.row,
        { filename: f.row.filename, content_type: f.row.content_type, content_length: f.size, time: now },
        eventActor,
      )
      f.apply(fileMarker(f.row.id, f.row.filename), { filename: f.row.filename ?? 'file' })
      result.counts.files++
    }
  }
  const attachUploads = async (trx: Db, files: Downloaded[], owners: Map<Downloaded, { type: string; id: string }>) => {
    const now = isoNow(deps.clock)
    for (const f of files) {
      const row = await findFileUploadAnywhere(trx, f.row.id)
      if (row && row.attached_id === null) await attachFileUpload(trx, row, owners.get(f)!, now, eventActor)
    }
  }
  const discard = async (files: Downloaded[]) => {
    for (const f of files) await deps.blobs.delete(f.key).catch(() => {})
  }

  // --- reading the source ----------------------------------------------------------------------
  const readChildren = (id: string) =>
    paginate((cursor) => src.blocks.children.list({ block_id: id, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }))
  const readTree = async (id: string): Promise<SrcBlock[]> => {
    const out: SrcBlock[] = []
    for (const b of await readChildren(id)) {
      out.push({ block: b, children: b.has_children && !NODE_TYPES.has(b.type) ? await readTree(b.id) : [] })
    }
    return out
  }

  /** Content block ids already taken in another workspace (the same source imported twice) get derived ids. */
  const placeBlocks = async (tree: SrcBlock[]) => {
    const all: string[] = []
    const walk = (list: SrcBlock[]) => {
      for (const s of list) {
        if (NODE_TYPES.has(s.block.type)) continue
        all.push(parseId(s.block.id) ?? s.block.id)
        walk(s.children)
      }
    }
    walk(tree)
    for (let i = 0; i < all.length; i += 500) {
      const taken = await findBlocks(
        deps.store.db,
        all.slice(i, i + 500).map((id) => state.ids[id] ?? id),
      )
      for (const b of taken) if (b.workspace_id !== workspace.id) remember(b.id, derived(b.id))
    }
  }

  /**
   * Converts a page's block tree: content blocks (ids kept), the uploads they need, the nodes among them
   * (each with the sibling it follows, for its position) and every block id (for comments).
   */
  const convertTree = (tree: SrcBlock[]) => {
    const files: { file: HostedFile; blockId: string }[] = []
    const nodes: { block: any; after: string | null; nested: boolean }[] = []
    const blockIds: string[] = []
    const fixups: { block: NewBlock; converted: ConvertedBlock }[] = []
    const walk = (list: SrcBlock[], top: boolean): NewBlock[] => {
      const out: NewBlock[] = []
      let prev: string | null = null
      for (const s of list) {
        const b = s.block
        if (NODE_TYPES.has(b.type)) {
          nodes.push({ block: b, after: top ? prev : null, nested: !top })
          if (top) prev = map(b.id)
          continue
        }
        const own: HostedFile[] = []
        const converted = blockRequest(b, map, own)
        let parsed: NewBlock
        try {
          if (!converted) throw new Error('not a block type the API can create')
          parsed = parseBlock(map(b.id), converted)
        } catch (err) {
          skip(`block (${b.type})`, b.id, (err as Error).message)
          continue
        }
        for (const f of own) files.push({ file: f, blockId: parsed.id! })
        fixups.push({ block: parsed, converted: converted! })
        parsed.children = walk(s.children, false)
        blockIds.push(parsed.id!)
        out.push(parsed)
        if (top) prev = parsed.id!
      }
      return out
    }
    const blocks = walk(tree, true)
    return { blocks, files, nodes, blockIds, fixups }
  }

  // --- writing the tree ------------------------------------------------------------------------
  const copiedPages: { srcId: string; targetId: string; blockIds: string[] }[] = []
  const dataSources: DataSourceWork[] = []
  const visited = new Set<string>()
  const time = () => isoNow(deps.clock)

  type Parent = { type: 'workspace' } | { type: 'page_id'; id: string }

  /** Writes a page node (or a database row) with its content in one transaction, then its child nodes. */
  const copyPage = async (
    page: any,
    parent: Parent | { type: 'data_source_id'; id: string; databaseId: string; schema: Schema },
    at?: InsertAt,
  ) => {
    const srcId = parseId(page.id) ?? page.id
    if (visited.has(srcId)) return
    visited.add(srcId)
    const place = await placeNode(srcId)
    const tree = await readTree(srcId)
    if (!place.present) await placeBlocks(tree)
    const conv = convertTree(tree)
    const isRow = parent.type === 'data_source_id'
    if (place.present) result.already_present++
    else {
      const ownFiles: HostedFile[] = []
      const stored: { icon?: Record<string, unknown>; cover?: Record<string, unknown> } = {}
      const icon = imageRequest(page.icon, ownFiles, (s) => (stored.icon = s))
      const cover = page.cover?.type === 'emoji' ? null : imageRequest(page.cover, ownFiles, (s) => (stored.cover = s))
      const pageFiles = await download(ownFiles, place.id)
      const blockFiles = await download(
        conv.files.map((f) => f.file),
        `${place.id}:blocks`,
      )
      const valueFiles = isRow ? await downloadValueFiles(page.properties ?? {}, place.id) : new Map<string, Downloaded>()
      const owners = new Map<Downloaded, { type: string; id: string }>()
      for (const f of valueFiles.values()) owners.set(f, { type: 'page', id: place.id })
      pageFiles.forEach((f) => owners.set(f, { type: 'page', id: place.id }))
      blockFiles.forEach((f, i) => owners.set(f, { type: 'block', id: conv.files[i]!.blockId }))
      try {
        await deps.store.transaction(async (trx) => {
          await storeUploads(trx, [...pageFiles, ...blockFiles, ...valueFiles.values()])
          for (const fx of conv.fixups) finishBlock(fx.block, fx.converted)
          const titleProp = Object.values(page.properties ?? {}).find((p: any) => p?.type === 'title') as any
          const title = storedRichText(titleProp?.title ?? [], map)
          let properties: Record<string, unknown> = { title }
          if (isRow) properties = await rowValues(trx, parent.id, parent.schema, page.properties ?? {}, valueFiles)
          await createNode(trx, {
            id: place.id,
            workspaceId: workspace.id,
            parent: isRow ? { type: 'data_source_id', id: parent.id, databaseId: parent.databaseId } : parent,
            kind: 'page',
            title,
            properties,
            icon: stored.icon ?? icon,
            cover: stored.cover ?? cover,
            actor,
            time: time(),
            ...(at ? { at } : {}),
          })
          await insertBlocks(trx, {
            workspaceId: workspace.id,
            parentType: 'page_id',
            parentId: place.id,
            pageId: place.id,
            blocks: conv.blocks,
            at: { type: 'end' },
            actor,
            time: time(),
          })
          await attachUploads(trx, [...pageFiles, ...blockFiles, ...valueFiles.values()], owners)
        })
      } catch (err) {
        await discard([...pageFiles, ...blockFiles, ...valueFiles.values()])
        throw err
      }
      result.counts[isRow ? 'rows' : 'pages']++
      result.counts.blocks += conv.blockIds.length
      log(`${isRow ? 'row' : 'page'} ${plain(page)} (${place.id}): ${conv.blockIds.length} blocks`)
    }
    if (place.id !== srcId) remember(srcId, place.id)
    copiedPages.push({ srcId, targetId: place.id, blockIds: conv.blockIds })
    save()
    await copyNodes(conv.nodes, place.id)
  }

  /** Child pages and databases found in a page's content, in order, placed after their source sibling. */
  const copyNodes = async (nodes: { block: any; after: string | null; nested: boolean }[], pageId: string) => {
    for (const n of nodes) {
      const at: InsertAt = n.nested ? { type: 'end' } : n.after ? { type: 'after_block', afterId: n.after } : { type: 'start' }
      const parent: Parent = { type: 'page_id', id: pageId }
      try {
        if (n.block.type === 'child_page') {
          const page = await src.pages.retrieve({ page_id: n.block.id })
          await copyPage(page, parent, at)
        } else await copyDatabase(n.block.id, parent, at)
      } catch (err) {
        // A linked database (a view of a database elsewhere) is a child_database block whose id the API
        // cannot retrieve: Notion answers 404.
        if ((err as { code?: string }).code !== 'object_not_found') throw err
        skip(n.block.type, n.block.id, 'the source cannot retrieve it (a linked database or a page the token cannot read)')
      }
    }
  }

  /** A row's stored values (relations later): through `writePropertyValues`, as `POST /v1/pages` checks them. */
  /** Hosted files of a row's `files` values, downloaded before its transaction, by source URL. */
  const downloadValueFiles = async (props: Record<string, any>, rowId: string): Promise<Map<string, Downloaded>> => {
    const hosted: HostedFile[] = []
    for (const v of Object.values(props))
      if (v?.type === 'files')
        for (const f of v.files ?? []) if (f.type === 'file' && f.file?.url) hosted.push({ url: f.file.url, apply: () => {} })
    const got = await download(hosted, `${rowId}:values`)
    return new Map(got.map((d, i) => [hosted[i]!.url, d]))
  }

  const rowValues = async (trx: Db, dsId: string, schema: Schema, props: Record<string, any>, valueFiles: Map<string, Downloaded>) => {
    const request: Record<string, unknown> = {}
    const files: Record<string, unknown> = {}
    for (const [name, v] of Object.entries(props)) {
      const prop = Object.values(schema).find((p) => p.name === name)
      if (!prop) continue
      if (v?.type === 'files') {
        const out: unknown[] = []
        for (const f of v.files ?? []) {
          if (f.type === 'external') out.push({ name: f.name, type: 'external', external: { url: f.external.url } })
          else if (f.type === 'file' && valueFiles.has(f.file?.url)) {
            const d = valueFiles.get(f.file.url)!
            out.push({ name: f.name, ...fileMarker(d.row.id, d.row.filename) })
          }
        }
        files[prop.id] = out
        continue
      }
      const r = valueRequest(v, map, knownUsers)
      if (r !== undefined) request[name] = r
    }
    const { values, schemaChanged } = writePropertyValues(schema, request, { create: true, actor })
    if (schemaChanged) await saveSchema(trx, dsId, schema, { by: actor, actor: eventActor, time: time() })
    return { ...values, ...files }
  }

  /** A database and all its data sources (schemas without relations, rollups, formulas), then its rows. */
  const copyDatabase = async (databaseId: string, parent: Parent, at?: InsertAt) => {
    const srcId = parseId(databaseId) ?? databaseId
    if (visited.has(srcId)) return
    visited.add(srcId)
    const database = dbObjects.get(srcId) ?? ((await src.databases.retrieve({ database_id: srcId })) as any)
    const sources: any[] = []
    for (const ref of database.data_sources ?? []) sources.push(await src.dataSources.retrieve({ data_source_id: ref.id }))
    const place = await placeNode(srcId)
    const dsIds = sources.map((s) => placeDataSource(s.id))
    const resolved = await Promise.all(dsIds)
    if (place.present) result.already_present++
    else {
      const ownFiles: HostedFile[] = []
      const stored: { icon?: Record<string, unknown>; cover?: Record<string, unknown> } = {}
      const icon = imageRequest(database.icon, ownFiles, (s) => (stored.icon = s))
      const cover = imageRequest(database.cover, ownFiles, (s) => (stored.cover = s))
      const files = await download(ownFiles, place.id)
      try {
        await deps.store.transaction(async (trx) => {
          await storeUploads(trx, files)
          const title = storedRichText(database.title ?? [], map)
          const description = storedRichText(database.description ?? [], map)
          for (const [i, s] of sources.entries()) {
            const schema = firstPassSchema(s)
            const dsTitle = storedRichText(s.title ?? database.title ?? [], map)
            if (i === 0) {
              await createDatabase(trx, {
                workspaceId: workspace.id,
                parent,
                title,
                description,
                isInline: !!database.is_inline,
                icon: stored.icon ?? icon,
                cover: stored.cover ?? cover,
                schema,
                actor,
                time: time(),
                databaseId: place.id,
                dataSourceId: resolved[i]!,
                ...(at ? { at } : {}),
              })
            } else
              await addDataSource(trx, {
                id: resolved[i]!,
                workspaceId: workspace.id,
                databaseId: place.id,
                title: dsTitle,
                schema,
                actor,
                time: time(),
              })
          }
          for (const f of files)
            await attachFileUpload(
              trx,
              (await findFileUploadAnywhere(trx, f.row.id))!,
              { type: 'database', id: place.id },
              time(),
              eventActor,
            )
        })
      } catch (err) {
        await discard(files)
        throw err
      }
      result.counts.databases++
      result.counts.data_sources += sources.length
      log(`database ${plainTitle(database.title)} (${place.id}): ${sources.length} data source(s)`)
    }
    if (place.id !== srcId) remember(srcId, place.id)
    save()
    for (const [i, s] of sources.entries()) {
      const dsId = resolved[i]!
      const work: DataSourceWork = { src: s, targetId: dsId, rows: [] }
      dataSources.push(work)
      const rows = await paginate((cursor) =>
        src.dataSources.query({ data_source_id: s.id, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
      )
      const ds = await findDataSource(deps.store.db, dsId)
      if (!ds) throw new Error(`Data source ${dsId} is missing after its database was copied.`)
      for (const row of rows) {
        const schema = schemaOf((await findDataSource(deps.store.db, dsId))!)
        await copyPage(row, { type: 'data_source_id', id: dsId, databaseId: place.id, schema })
        work.rows.push({ targetId: map(row.id), properties: row.properties ?? {} })
      }
    }
  }

  const placeDataSource = async (srcId: string): Promise<string> => {
    const key = parseId(srcId) ?? srcId
    const id = state.ids[key] ?? key
    const ds = await findDataSource(deps.store.db, id)
    if (!ds || ds.workspace_id === workspace.id) return id
    const other = derived(key)
    remember(key, other)
    return other
  }

  /** A data source's schema without its relation, rollup and formula properties, keeping property ids. */
  const firstPassSchema = (s: any): Schema => {
    const schema: Schema = {}
    for (const [name, p] of Object.entries<any>(s.properties ?? {})) {
      const req = propertyRequest(p)
      if (!req) continue
      try {
        const parsed = parseNewSchema({ [name]: req }, ['properties'], { legacy: false }).schema
        const one = Object.values(parsed).find((x) => x.name === name)!
        const id = one.type === 'title' ? 'title' : String(p.id)
        keepOptionIds(one.config, p[p.type])
        schema[id] = { ...one, id }
      } catch (err) {
        skip(`property "${name}"`, s.id, (err as Error).message)
      }
    }
    if (!Object.values(schema).some((p) => p.type === 'title'))
      schema.title = { id: 'title', name: 'Name', type: 'title', description: null, config: {} }
    return schema
  }

  // --- the walk --------------------------------------------------------------------------------
  const found = await paginate((cursor) => src.search({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }))
  const pages = new Map<string, any>()
  const databases = new Set<string>()
  for (const o of found) {
    if (o.object === 'page' && o.parent?.type !== 'data_source_id' && o.parent?.type !== 'database_id') pages.set(parseId(o.id)!, o)
    else if (o.object === 'data_source' && o.parent?.database_id) databases.add(parseId(o.parent.database_id)!)
    else if (o.object === 'database') databases.add(parseId(o.id)!)
  }
  const visibleParent = (o: any) => {
    const p = o.parent ?? {}
    if (p.type === 'page_id') return pages.has(parseId(p.page_id)!)
    if (p.type === 'block_id') return true // reached through its page's blocks, if that page is visible
    return false
  }
  const roots: { kind: 'page' | 'database'; id: string; title: string }[] = []
  for (const [id, p] of pages) if (!visibleParent(p)) roots.push({ kind: 'page', id, title: plain(p) })
  const dbObjects = new Map<string, any>()
  for (const id of databases) {
    const d = (await src.databases.retrieve({ database_id: id })) as any
    dbObjects.set(id, d)
    if (!visibleParent(d)) roots.push({ kind: 'database', id, title: plainTitle(d.title) })
  }
  log(`source: ${pages.size} pages, ${databases.size} databases visible; ${roots.length} roots`)
  for (const r of roots) {
    if (r.kind === 'page') await copyPage(pages.get(r.id), { type: 'workspace' })
    else await copyDatabase(r.id, { type: 'workspace' })
  }
  // Visible objects under a parent that was not reached (a page in a block of an unshared page): at the top.
  for (const [id, p] of pages)
    if (!visited.has(id)) {
      roots.push({ kind: 'page', id, title: plain(p) })
      await copyPage(p, { type: 'workspace' })
    }
  for (const id of databases)
    if (!visited.has(id)) {
      roots.push({ kind: 'database', id, title: plainTitle(dbObjects.get(id)?.title) })
      await copyDatabase(id, { type: 'workspace' })
    }

  // --- second pass: relations, rollups, formulas, relation values -------------------------------
  for (const work of dataSources) {
    await deps.store.transaction(async (trx) => {
      const ds = await findDataSource(trx, work.targetId)
      if (!ds) return
      const schema = schemaOf(ds)
      let changed = false
      const props = Object.entries<any>(work.src.properties ?? {})
      const order = ['relation', 'rollup', 'formula']
      props.sort((a, b) => order.indexOf(a[1].type) - order.indexOf(b[1].type))
      for (const [name, p] of props) {
        if (!order.includes(p.type) || schema[p.id]) continue
        let config: Record<string, unknown>
        if (p.type === 'relation') {
          const target = await findDataSource(trx, map(p.relation.data_source_id))
          if (!target || target.workspace_id !== workspace.id) {
            skip(`relation "${name}"`, work.src.id, 'its data source is not visible to the token')
            continue
          }
          config = { ...p.relation, data_source_id: target.id, database_id: target.database_id }
        } else if (p.type === 'rollup') {
          if (!schema[String(p.rollup?.relation_property_id)]) {
            skip(`rollup "${name}"`, work.src.id, 'its relation property was not copied')
            continue
          }
          config = { ...p.rollup }
        } else {
          try {
            const parsed = parseNewSchema({ [name]: { formula: { expression: p.formula?.expression ?? '' } } }, ['properties'], {
              legacy: false,
            })
            config = Object.values(parsed.schema).find((x) => x.name === name)!.config
          } catch (err) {
            skip(`formula "${name}"`, work.src.id, (err as Error).message)
            continue
          }
        }
        schema[p.id] = { id: p.id, name, type: p.type, description: p.description ?? null, config }
        changed = true
      }
      if (changed) await saveSchema(trx, ds.id, schema, { by: actor, actor: eventActor, time: time() })
      const relationProps = Object.values(schema).filter((p) => p.type === 'relation')
      if (relationProps.length === 0) return
      for (const row of work.rows) {
        const node = await findBlock(trx, row.targetId)
        if (!node) continue
        const current = JSON.parse(node.properties ?? '{}') as Record<string, unknown>
        const next = { ...current }
        for (const p of relationProps) {
          const v = Object.values<any>(row.properties).find((x) => x?.id === p.id && x?.type === 'relation')
          if (!v) continue
          const ids = (v.relation ?? []).map((r: any) => map(r.id))
          const present = new Set((await findBlocks(trx, ids)).filter((b) => b.workspace_id === workspace.id).map((b) => b.id))
          next[p.id] = ids.filter((id: string) => present.has(id)).map((id: string) => ({ id }))
        }
        const text = JSON.stringify(next)
        if (text !== node.properties) await updateNode(trx, node, { properties: text }, { by: actor, actor: eventActor, time: time() })
      }
    })
  }
  if (!state.phases.relations) log(`relations: ${dataSources.length} data sources checked`)
  state.phases.relations = true
  save()

  // --- comments --------------------------------------------------------------------------------
  const sourceIdOf = new Map(Object.entries(state.ids).map(([from, to]) => [to, from]))
  for (const p of copiedPages) {
    for (const target of [p.targetId, ...p.blockIds]) {
      const srcTarget = sourceIdOf.get(target) ?? target
      let comments: any[]
      try {
        comments = await paginate((cursor) =>
          src.comments.list({ block_id: srcTarget, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
        )
      } catch (err) {
        if ((err as { code?: string }).code === 'restricted_resource') {
          skip('comments', srcTarget, 'the token lacks the read comments capability')
          break
        }
        throw err
      }
      for (const c of comments) await copyComment(c, p.targetId, target)
    }
  }
  state.phases.comments = true
  save()

  async function copyComment(c: any, pageId: string, parentId: string) {
    const srcId = parseId(c.id) ?? c.id
    const where = await commentWorkspace(deps.store.db, state.ids[srcId] ?? srcId)
    let id = state.ids[srcId] ?? srcId
    if (where === workspace.id) {
      result.already_present++
      return
    }
    if (where !== undefined) {
      id = derived(srcId)
      remember(srcId, id)
      if ((await commentWorkspace(deps.store.db, id)) !== undefined) {
        result.already_present++
        return
      }
    }
    let richText: RichTextItem[]
    try {
      richText = storedRichText(c.rich_text ?? [], map)
    } catch (err) {
      skip('comment', srcId, (err as Error).message)
      return
    }
    const hosted: HostedFile[] = []
    for (const a of Array.isArray(c.attachments) ? c.attachments : []) if (a?.file?.url) hosted.push({ url: a.file.url, apply: () => {} })
    const files = await download(hosted, `comment:${id}`)
    const author = map(c.created_by?.id ?? '')
    const created = typeof c.created_time === 'string' ? c.created_time : time()
    await deps.store
      .transaction(async (trx) => {
        await storeUploads(trx, files)
        const attachments = files.map((f, i) => ({
          category: c.attachments[i]?.category ?? commentAttachmentCategory(f.row.content_type ?? ''),
          file: fileMarker(f.row.id, f.row.filename).file,
        }))
        await insertComment(
          trx,
          {
            id,
            workspace_id: workspace.id,
            discussion_id: map(c.discussion_id),
            parent_type: parentId === pageId ? 'page_id' : 'block_id',
            parent_id: parentId,
            page_id: pageId,
            rich_text: JSON.stringify(richText),
            display_name: JSON.stringify(c.display_name ?? { type: 'user', resolved_name: '' }),
            created_by: knownUsers.has(author) ? author : actor!,
            created_time: created,
            last_edited_time: typeof c.last_edited_time === 'string' ? c.last_edited_time : created,
            attachments: attachments.length ? JSON.stringify(attachments) : null,
          },
          eventActor,
        )
        for (const f of files) {
          const row = await findFileUploadAnywhere(trx, f.row.id)
          if (row && row.attached_id === null) await attachFileUpload(trx, row, { type: 'comment', id }, time(), eventActor)
        }
      })
      .catch(async (err: unknown) => {
        await discard(files)
        throw err
      })
    result.counts.comments++
  }

  // --- connections to create -------------------------------------------------------------------
  result.connections.push({
    name: sourceBot.name,
    share: roots.map((r) => ({ id: map(r.id), title: r.title })),
    capabilities_note: 'Give it the capabilities the source connection had; its token is new (tokens are not importable).',
  })
  for (const b of bots)
    if (b.id !== sourceBot.id)
      result.connections.push({
        name: b.name,
        share: [],
        capabilities_note: 'Also in the source workspace; what it is shared with is not visible to this token.',
      })
  result.remapped = { ...state.ids }
  log(`done: ${JSON.stringify(result.counts)}`)
  return result
}

/** Every result of a paginated SDK list. */
async function paginate(call: (cursor: string | undefined) => Promise<any>): Promise<any[]> {
  const out: any[] = []
  let cursor: string | undefined
  do {
    const page = await call(cursor)
    out.push(...(page.results ?? []))
    cursor = page.has_more ? (page.next_cursor ?? undefined) : undefined
  } while (cursor)
  return out
}

/**
 * Select, multi-select and status options keep their source ids (a request cannot name new option ids,
 * so they are set after Octavo's grammar built the config); status keeps its source options and groups.
 */
function keepOptionIds(config: Record<string, unknown>, source: any): void {
  if (!source || !Array.isArray(source.options)) return
  if (Array.isArray(source.groups)) {
    config.options = source.options.map((o: Record<string, unknown>) => ({ ...o }))
    config.groups = source.groups
    return
  }
  const byName = new Map<string, string>(source.options.map((o: any) => [String(o.name), String(o.id)]))
  for (const o of (config.options as { id: string; name: string }[] | undefined) ?? []) o.id = byName.get(o.name) ?? o.id
}

const plainTitle = (items: unknown) => (Array.isArray(items) ? items.map((i: any) => i.plain_text ?? '').join('') : '')
const plain = (page: any) => plainTitle((Object.values(page.properties ?? {}).find((p: any) => p?.type === 'title') as any)?.title)

function loadState(path: string, botId: string, workspaceId: string): State {
  if (existsSync(path)) {
    try {
      const s = JSON.parse(readFileSync(path, 'utf8')) as State
      if (s.version === 1 && s.workspace_id === workspaceId) return s
    } catch {
      // an unreadable state file is replaced: the store itself tells what was copied
    }
  }
  return { version: 1, source_bot_id: botId, workspace_id: workspaceId, ids: {}, phases: {} }
}

function saveState(path: string, state: State): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, path)
}
