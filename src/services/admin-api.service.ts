import { timingSafeEqual } from 'node:crypto'
import { isoNow } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { blocksToMarkdown, type MdNode } from '../domain/markdown/render.js'
import { DomainError } from '../errors/domain-error.js'
import { decideHeldDeletion, decideLegalHoldChange, decideWorkspaceExport, type HoldChange } from '../permissions/decide-legal-hold.js'
import type { At } from '../storage/repositories/at.js'
import * as exportsRepo from '../storage/repositories/exports.repository.js'
import * as holds from '../storage/repositories/legal-holds.repository.js'
import { revokeSessionsOf } from '../storage/repositories/portal-auth.repository.js'
import {
  findUser,
  findUserByEmail,
  findUsers,
  listWorkspaces,
  memberRole,
  workspacesOfUser,
} from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'
import { nodeTitle, readPage, visiblePageTree, type BlockTree } from './portal.service.js'
import { zipSync } from 'fflate'

/**
 * Notion's Admin API beyond users, PATs and groups (docs/notion-admin-api.md, docs/adr/0029-admin-api-holds-exports.md):
 * the organization's workspaces, managed users' sessions, legal holds and workspace exports. The
 * rules are permissions/decide-legal-hold.ts; the writes and their change events are
 * legal-holds.repository.ts, exports.repository.ts and portal-auth.repository.ts. Writes are credited
 * to `admin_api` (the organization bot token stands for Octavo's admin key).
 */

/**
 * Octavo's stand-in for the organization bot user: the `created_by` of what the Admin API creates
 * (Notion answers the bot's UUID there; Octavo has no organizations, so one fixed id).
 */
export const ADMIN_BOT_ID = '00000000-0000-4000-8000-00000000ad01'

const adminAt = (deps: Deps): At => ({ actor: 'admin_api', time: isoNow(deps.clock) })

/** Every workspace of the store (Octavo's "organization"), ordered by id as Notion documents: `{id, name}`. */
export async function listSpaces(deps: Deps): Promise<{ id: string; name: string }[]> {
  const all = await listWorkspaces(deps.store.db)
  return all.map((w) => ({ id: w.id, name: w.name })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/**
 * Ends every portal session of a person (Notion's `POST /v1/managed_users/revoke_session`): they must
 * sign in again. Event `user.sessions_revoked` (`data.sessions`).
 * @throws DomainError not_found (no person with that e-mail or id)
 */
export async function revokeManagedUserSessions(
  deps: Deps,
  who: { email: string } | { id: string },
): Promise<{ userId: string; sessions: number }> {
  const db = deps.store.db
  const user = 'email' in who ? await findUserByEmail(db, who.email) : await findUser(db, who.id)
  if (!user || user.type !== 'person')
    throw new DomainError(
      'not_found',
      'email' in who ? `Could not find user with email: ${who.email}.` : `Could not find user with ID: ${who.id}.`,
    )
  const sessions = await deps.store.transaction((trx) => revokeSessionsOf(trx, user.id, adminAt(deps)))
  return { userId: user.id, sessions }
}

// ---- Legal holds ----

/** Interactions a hold covers (Notion's `user_interaction_type`). Octavo records no page views. */
export const USER_INTERACTION_TYPES = ['page.created', 'page.edited', 'page.viewed'] as const
export type UserInteractionType = (typeof USER_INTERACTION_TYPES)[number]

/** A hold with its custodians and the workspaces they belong to. */
export interface LegalHold {
  row: holds.LegalHoldRow
  userIds: string[]
  workspaceIds: string[]
}

async function withPeople(db: Db, rows: holds.LegalHoldRow[]): Promise<LegalHold[]> {
  const users = await holds.legalHoldUsers(
    db,
    rows.map((r) => r.id),
  )
  const spacesOf = new Map<string, string[]>()
  const out: LegalHold[] = []
  for (const row of rows) {
    const userIds = users.get(row.id) ?? []
    const ws = new Set<string>()
    for (const u of userIds) {
      if (!spacesOf.has(u))
        spacesOf.set(
          u,
          (await workspacesOfUser(db, u)).map((w) => w.id),
        )
      for (const w of spacesOf.get(u) ?? []) ws.add(w)
    }
    out.push({ row, userIds, workspaceIds: [...ws].sort() })
  }
  return out
}

/** Every hold (active and released), optionally only those holding `userId`. */
export async function listLegalHolds(deps: Deps, userId?: string): Promise<LegalHold[]> {
  return withPeople(deps.store.db, await holds.listLegalHolds(deps.store.db, userId))
}

/** One hold. @throws DomainError not_found */
export async function getLegalHold(deps: Deps, id: string): Promise<LegalHold> {
  const row = await holds.findLegalHold(deps.store.db, id)
  if (!row) throw new DomainError('not_found', `Could not find legal hold with ID: ${id}.`)
  return (await withPeople(deps.store.db, [row]))[0] as LegalHold
}

/** Checks that every id names a person (a member of some workspace). @throws DomainError invalid_input */
async function requirePeople(db: Db, userIds: readonly string[]): Promise<void> {
  const found = new Map((await findUsers(db, [...userIds])).map((u) => [u.id, u]))
  for (const [i, id] of userIds.entries()) {
    if (found.get(id)?.type !== 'person' || (await workspacesOfUser(db, id)).length === 0)
      throw new DomainError('invalid_input', `body failed validation: body.user_ids[${i}] \`${id}\` is not a person of the organization.`)
  }
}

export interface CreateLegalHoldInput {
  name?: string | undefined
  description?: string | undefined
  icon?: string | undefined
  /** Epoch ms; default now. */
  startMs?: number | undefined
  endMs?: number | null | undefined
  userIds: string[]
  userInteractionType?: UserInteractionType[] | undefined
}

/**
 * Creates an active hold on `userIds` (Notion's `POST /v1/legal_holds`; body unverified). Event
 * `legal_hold.created`. @throws DomainError invalid_input (unknown person, end before start)
 */
export async function createLegalHold(deps: Deps, input: CreateLegalHoldInput): Promise<LegalHold> {
  const at = adminAt(deps)
  const startMs = input.startMs ?? Date.parse(at.time)
  const id = newId()
  await deps.store.transaction(async (trx) => {
    await requirePeople(trx, input.userIds)
    const d = decideLegalHoldChange({ status: 'active', startMs }, 'update', input.endMs)
    if (!d.allowed) throw new DomainError('invalid_input', d.message)
    await holds.insertLegalHold(
      trx,
      {
        id,
        name: input.name ?? null,
        description: input.description ?? null,
        icon: input.icon ?? null,
        status: 'active',
        user_interaction_type: JSON.stringify(input.userInteractionType ?? [...USER_INTERACTION_TYPES]),
        start_time: new Date(startMs).toISOString(),
        end_time: input.endMs == null ? null : new Date(input.endMs).toISOString(),
        created_by: ADMIN_BOT_ID,
        created_time: at.time,
        last_edited_time: at.time,
        released_time: null,
      },
      [...new Set(input.userIds)],
      at,
    )
  })
  return getLegalHold(deps, id)
}

/** Loads a hold in `trx` and applies decideLegalHoldChange. @throws DomainError not_found | invalid_input */
async function changeable(trx: Db, id: string, change: HoldChange, newEndMs?: number | null): Promise<holds.LegalHoldRow> {
  const row = await holds.findLegalHold(trx, id)
  if (!row) throw new DomainError('not_found', `Could not find legal hold with ID: ${id}.`)
  const d = decideLegalHoldChange({ status: row.status, startMs: Date.parse(row.start_time) }, change, newEndMs)
  if (!d.allowed) throw new DomainError('invalid_input', d.message)
  return row
}

/**
 * Changes a hold's name, description, icon, end date or interaction types (`PATCH /v1/legal_holds/{id}`;
 * body unverified). Event `legal_hold.updated`.
 * @throws DomainError not_found | invalid_input (released, end before start)
 */
export async function updateLegalHold(
  deps: Deps,
  id: string,
  patch: {
    name?: string | null
    description?: string | null
    icon?: string | null
    endMs?: number | null
    userInteractionType?: UserInteractionType[]
  },
): Promise<LegalHold> {
  const at = adminAt(deps)
  await deps.store.transaction(async (trx) => {
    const row = await changeable(trx, id, 'update', patch.endMs)
    const set: Parameters<typeof holds.updateLegalHold>[2] = {}
    if (patch.name !== undefined) set.name = patch.name
    if (patch.description !== undefined) set.description = patch.description
    if (patch.icon !== undefined) set.icon = patch.icon
    if (patch.endMs !== undefined) set.end_time = patch.endMs === null ? null : new Date(patch.endMs).toISOString()
    if (patch.userInteractionType !== undefined) set.user_interaction_type = JSON.stringify(patch.userInteractionType)
    await holds.updateLegalHold(trx, row, set, at)
  })
  return getLegalHold(deps, id)
}

/** Releases a hold (`POST /v1/legal_holds/{id}/release`). Event `legal_hold.released`. @throws DomainError not_found | invalid_input (already released) */
export async function releaseLegalHold(deps: Deps, id: string): Promise<LegalHold> {
  await deps.store.transaction(async (trx) => holds.releaseLegalHold(trx, await changeable(trx, id, 'release'), adminAt(deps)))
  return getLegalHold(deps, id)
}

/** Adds custodians (`POST /v1/legal_holds/{id}/users`). Event `legal_hold.users_added` when any is new. @throws DomainError not_found | invalid_input */
export async function addLegalHoldUsers(deps: Deps, id: string, userIds: string[]): Promise<LegalHold> {
  await deps.store.transaction(async (trx) => {
    const row = await changeable(trx, id, 'add_users')
    await requirePeople(trx, userIds)
    await holds.addLegalHoldUsers(trx, row, userIds, adminAt(deps))
  })
  return getLegalHold(deps, id)
}

/** Removes a custodian (`DELETE /v1/legal_holds/{id}/users/{user_id}`). Event `legal_hold.user_removed`. @throws DomainError not_found (hold, or person not on it) | invalid_input (released) */
export async function removeLegalHoldUser(deps: Deps, id: string, userId: string): Promise<LegalHold> {
  await deps.store.transaction(async (trx) => {
    const row = await changeable(trx, id, 'remove_user')
    if (!(await holds.removeLegalHoldUser(trx, row, userId, adminAt(deps))))
      throw new DomainError('not_found', `User ${userId} is not on legal hold ${id}.`)
  })
  return getLegalHold(deps, id)
}

/**
 * The pages a hold covers in one of its workspaces (`GET /v1/legal_holds/{id}/spaces/{space_id}/pages`):
 * pages its custodians created (`page.created`) or last edited (`page.edited`), trashed ones included,
 * oldest first. Octavo records no page views, so `page.viewed` adds nothing.
 * @throws DomainError not_found (hold; or the workspace is not one of the hold's)
 */
export async function legalHoldPages(deps: Deps, id: string, spaceId: string) {
  const hold = await getLegalHold(deps, id)
  if (!hold.workspaceIds.includes(spaceId))
    throw new DomainError('not_found', `Could not find space with ID: ${spaceId} on legal hold ${id}.`)
  const kinds = JSON.parse(hold.row.user_interaction_type) as string[]
  return holds.pagesTouchedBy(deps.store.db, spaceId, hold.userIds, {
    created: kinds.includes('page.created'),
    edited: kinds.includes('page.edited'),
  })
}

/** What a hold kept of permanently deleted content (Octavo's addition: `GET /v1/legal_holds/{id}/preserved`). @throws DomainError not_found */
export async function legalHoldPreserved(deps: Deps, id: string) {
  await getLegalHold(deps, id)
  return (await holds.listPreservedContent(deps.store.db, id)).map((r) => ({
    object_type: r.object_type,
    object_id: r.object_id,
    workspace_id: r.workspace_id,
    preserved_time: r.preserved_time,
    content: JSON.parse(r.content) as unknown,
  }))
}

/**
 * Called by every permanent deletion of content (comment deletion today; Octavo has no permanent
 * deletion of pages or blocks — the trash keeps them): when an active hold covers one of `authors`,
 * keeps a copy of `content` per hold (`legal_hold.content_preserved`), in the deleting transaction.
 */
export async function preserveIfHeld(
  trx: Db,
  input: { authors: readonly string[]; workspaceId: string; objectType: string; objectId: string; content: unknown },
  at: At,
): Promise<void> {
  const found = new Map<string, holds.LegalHoldRow>()
  for (const a of new Set(input.authors)) for (const h of await holds.activeHoldsOnUser(trx, a)) found.set(h.id, h)
  if (found.size === 0) return
  const d = decideHeldDeletion(
    [...found.values()].map((h) => ({
      id: h.id,
      status: h.status,
      startMs: Date.parse(h.start_time),
      endMs: h.end_time ? Date.parse(h.end_time) : null,
    })),
    Date.parse(at.time),
  )
  if (d.type === 'preserve') await holds.preserveHeldContent(trx, { ...input, holdIds: d.holdIds }, at)
}

// ---- Workspace exports ----

export type ExportFormat = 'html' | 'markdown' | 'pdf'

export interface EnqueueExportInput {
  spaceId: string
  exportType: ExportFormat
  onBehalfOfUserEmail: string
  options: Record<string, unknown>
}

/**
 * How many pages and databases an export writes at most (depth-first order; the rest is left out).
 * The ZIP is built in memory, so this bounds an export's memory with readPage's 1,000 blocks a page.
 */
export const EXPORT_PAGE_LIMIT = 5000

/**
 * Enqueues an export of a workspace as the owner named by e-mail (Notion's `POST /v1/exports`) and
 * runs it in the background: every page and database that person can see (portal.service.ts, the
 * portal's own reading), each as a file in a ZIP — Markdown (`.md`, enhanced Markdown) or HTML
 * (`.html`). PDF is accepted but the job fails (`error_type` `unsupported_export_type`): Octavo has
 * no PDF renderer. Events `export.created`, then `export.completed` or `export.failed`.
 * @returns the job id and a promise of its end (the route answers at once; tests may wait for it)
 * @throws DomainError not_found (space) | invalid_input (the person is no member or no owner)
 */
export async function enqueueWorkspaceExport(deps: Deps, input: EnqueueExportInput): Promise<{ id: string; done: Promise<void> }> {
  const db = deps.store.db
  const ws = (await listWorkspaces(db)).find((w) => w.id === input.spaceId)
  if (!ws) throw new DomainError('not_found', `Could not find space with ID: ${input.spaceId}.`)
  const person = await findUserByEmail(db, input.onBehalfOfUserEmail)
  const d = decideWorkspaceExport(person ? await memberRole(db, ws.id, person.id) : undefined)
  if (!d.allowed || !person) throw new DomainError('invalid_input', `body failed validation: ${d.allowed ? 'unknown person' : d.message}`)
  const at = adminAt(deps)
  const id = newId()
  await deps.store.transaction((trx) =>
    exportsRepo.insertExport(
      trx,
      {
        id,
        workspace_id: ws.id,
        export_format: input.exportType,
        requested_by: person.id,
        options: JSON.stringify(input.options),
        status: 'in_progress',
        pages_exported: 0,
        size_bytes: null,
        blob_key: null,
        error_type: null,
        error_message: null,
        created_time: at.time,
        updated_time: at.time,
      },
      at,
    ),
  )
  const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => runExport(deps, id, ws.id, person.id, input.exportType))
  return { id, done }
}

/** Writes the ZIP of a job and marks it completed, or failed with the reason. Never throws. */
async function runExport(deps: Deps, id: string, workspaceId: string, userId: string, format: ExportFormat): Promise<void> {
  const row = { id, workspace_id: workspaceId }
  try {
    if (format === 'pdf') {
      await deps.store.transaction((trx) =>
        exportsRepo.failExport(
          trx,
          row,
          { type: 'unsupported_export_type', message: 'Octavo cannot render PDF exports; use markdown or html.' },
          adminAt(deps),
        ),
      )
      return
    }
    const tree = (await visiblePageTree(deps, workspaceId, userId)).slice(0, EXPORT_PAGE_LIMIT)
    const files: Record<string, Uint8Array> = {}
    const used = new Set<string>()
    for (const n of tree) {
      const page = await readPage(deps, userId, n.id)
      const base = `${(page.title || 'Untitled').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 100)} ${n.id.replace(/-/g, '')}`
      let name = `${base}.${format === 'markdown' ? 'md' : 'html'}`
      for (let i = 2; used.has(name); i++) name = `${base} (${i}).${format === 'markdown' ? 'md' : 'html'}`
      used.add(name)
      const body =
        page.node.type === 'child_page'
          ? blocksToMarkdown(page.blocks.map(toMd), deps.publicUrl).markdown
          : page.rows.map((r) => `- ${r.title || 'Untitled'}`).join('\n')
      const text = format === 'markdown' ? `# ${page.title}\n\n${body}\n` : htmlDocument(page.title, body)
      files[name] = Buffer.from(text, 'utf8')
    }
    // Stored entries (level 0): text pages, and the ZIP is built in memory (capped at EXPORT_PAGE_LIMIT pages).
    const zip = zipSync(files, { level: 0 })
    const key = `export/${id}`
    const size = await deps.blobs.put(
      key,
      (async function* () {
        yield zip
      })(),
      zip.length,
    )
    await deps.store.transaction((trx) =>
      exportsRepo.completeExport(trx, row, { pagesExported: Object.keys(files).length, sizeBytes: size, blobKey: key }, adminAt(deps)),
    )
  } catch (err) {
    deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'workspace export failed')
    await deps.store
      .transaction((trx) => exportsRepo.failExport(trx, row, { type: 'internal_error', message: 'The export failed.' }, adminAt(deps)))
      .catch(() => {})
  }
}

const toMd = (t: BlockTree): MdNode => ({
  id: t.row.id,
  type: t.row.type,
  content: JSON.parse(t.row.content || '{}') as Record<string, unknown>,
  children: t.children.map(toMd),
  ...(t.row.type === 'child_page' || t.row.type === 'child_database' ? { title: nodeTitle(t.row) } : {}),
})

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** An export page as HTML: its title and its enhanced Markdown, preformatted (Octavo has no HTML renderer). */
function htmlDocument(title: string, markdown: string): string {
  const t = escapeHtml(title)
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${t}</title></head><body><h1>${t}</h1><pre>${escapeHtml(markdown)}</pre></body></html>\n`
}

/** A job of `spaceId`. @throws DomainError not_found (no such job in that space) */
export async function getWorkspaceExport(deps: Deps, id: string, spaceId: string): Promise<exportsRepo.WorkspaceExportRow> {
  const row = await exportsRepo.findExport(deps.store.db, id)
  if (!row || row.workspace_id !== spaceId) throw new DomainError('not_found', `Could not find export with ID: ${id}.`)
  return row
}

/** The bytes of a completed job's ZIP. @throws DomainError not_found (no such job, or not completed) */
export async function exportZip(deps: Deps, id: string): Promise<{ size: number; body: AsyncIterable<Uint8Array> }> {
  const row = await exportsRepo.findExport(deps.store.db, id)
  if (!row || row.status !== 'completed' || !row.blob_key || row.size_bytes === null)
    throw new DomainError('not_found', `Could not find export with ID: ${id}.`)
  return { size: row.size_bytes, body: deps.blobs.read(row.blob_key, row.size_bytes, 0, row.size_bytes - 1) }
}

/** How long an export's download URL works: one hour (as Octavo's signed file URLs; Notion's lifetime unverified). */
export const EXPORT_URL_TTL_MS = 60 * 60 * 1000

/**
 * The download URL of a completed export and its expiry (epoch ms): fetchable without a token, signed
 * with HMAC-SHA-256 over `export:<id>.<expires>` (the file-URL key; file-urls.ts), so the URL is the secret.
 */
export function signExportUrl(deps: Pick<Deps, 'secrets' | 'clock' | 'publicUrl'>, id: string): { url: string; expires: number } {
  const expires = deps.clock.now() + EXPORT_URL_TTL_MS
  const signature = deps.secrets.fileUrlMac(`export:${id}.${expires}`)
  return { url: `${deps.publicUrl}/admin/v1/exports/${id}/download?expires=${expires}&signature=${signature}`, expires }
}

/** Whether `expires` and `signature` are a valid, unexpired signature of export `id` (constant-time). */
export function verifyExportUrl(
  deps: Pick<Deps, 'secrets' | 'clock'>,
  id: string,
  expires: string | undefined,
  signature: string | undefined,
): boolean {
  if (!expires || !signature || !/^[0-9]{1,15}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return false
  if (Number(expires) < deps.clock.now()) return false
  const want = Buffer.from(deps.secrets.fileUrlMac(`export:${id}.${expires}`), 'hex')
  const got = Buffer.from(signature, 'hex')
  return want.length === got.length && timingSafeEqual(want, got)
}

/** The custodians of a hold as people (`id`, `name`, `avatar_url`, `email`), in the hold's order. */
export async function legalHoldPeople(deps: Deps, hold: LegalHold) {
  const byId = new Map((await findUsers(deps.store.db, hold.userIds)).map((u) => [u.id, u]))
  return hold.userIds.map((id) => {
    const u = byId.get(id)
    return { id, name: u?.name ?? null, avatar_url: u?.avatar_url ?? null, email: u?.email ?? null }
  })
}
