import { randomUUID } from 'node:crypto'
import type { ApiCaller } from '../auth/principal.js'
import { isoNow } from '../domain/clock.js'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import { validationError } from '../errors/notion-error.js'
import {
  CUSTOM_EMOJI_MAX_BYTES,
  CUSTOM_EMOJI_TYPES,
  decideCustomEmoji,
  type CustomEmojiAction,
} from '../permissions/decide-custom-emoji.js'
import { enforce } from '../permissions/decide-workspace.js'
import { BlobTooLargeError } from '../storage/blobs/blob-store.js'
import {
  deleteCustomEmoji,
  findCustomEmoji,
  findCustomEmojiByName,
  insertCustomEmoji,
  listCustomEmojis,
  type CustomEmojiRow,
} from '../storage/repositories/custom-emojis.repository.js'
import { memberRole } from '../storage/repositories/workspaces.repository.js'
import type { Db } from '../storage/store.js'
import type { Deps } from './deps.js'

/**
 * A workspace's custom emojis (docs/custom-emojis-and-meeting-notes.md, ADR 27; Notion's "List custom
 * emojis" reference and docs/reference/notion-api-2026.md §5.1). Owners add and remove them from the
 * portal (Settings → Emoji), the CLI (`octavo emojis`) and the admin API (`decideCustomEmoji`); every
 * token of the workspace lists them (`GET /v1/custom_emojis`) and uses them as page and callout icons
 * (`{type:"custom_emoji", custom_emoji:{id}}`) and in mentions. The image is an external `https:` URL
 * or bytes kept in the blob store (storage/blobs/) and served at `/_octavo/emojis/{id}` without a
 * token (Notion's emoji images are public static URLs too; the id is random).
 */

/** The SDK's `CustomEmojiResponse`. */
export interface CustomEmoji {
  id: string
  name: string
  url: string
}

/** Who manages: a person (their role applies) or the operator (admin key acting as nobody, `null`). */
export type EmojiActor = string | null

/** The `url` of an emoji: its external URL, or where Octavo serves its stored image. */
export function presentEmoji(deps: Pick<Deps, 'publicUrl'>, row: CustomEmojiRow): CustomEmoji {
  return { id: row.id, name: row.name, url: row.source_url ?? `${deps.publicUrl}/_octavo/emojis/${row.id}` }
}

async function requireEmojiAction(db: Db, workspaceId: string, actorId: EmojiActor, action: CustomEmojiAction, name?: string) {
  const role = actorId === null ? 'operator' : ((await memberRole(db, workspaceId, actorId)) ?? null)
  const taken = name !== undefined && (await findCustomEmojiByName(db, workspaceId, name)) !== undefined
  enforce(decideCustomEmoji({ action, role, ...(name !== undefined ? { name } : {}), taken }))
}

/** An external image URL: absolute `https:` (or `http:`), no credentials, at most 2,000 characters. @throws DomainError invalid_input */
function checkImageUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new DomainError('invalid_input', 'The emoji image URL is not a valid URL.')
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || text.length > 2000) {
    throw new DomainError('invalid_input', 'The emoji image URL must be an http(s) URL without credentials, at most 2,000 characters.')
  }
  return url.href
}

/**
 * Adds emoji `name` to a workspace, its image an external `url` or `image` bytes (PNG, GIF, JPEG or
 * WebP, at most `CUSTOM_EMOJI_MAX_BYTES`) stored in the blob store. Appends `custom_emoji.created`.
 * @throws DomainError forbidden (not an owner) | invalid_input (name, URL, image) | conflict (name taken)
 */
export async function addCustomEmoji(
  deps: Deps,
  input: { workspaceId: string; actorId: EmojiActor; name: string; url?: string; image?: { bytes: Uint8Array; contentType: string } },
): Promise<CustomEmoji> {
  const { workspaceId, actorId, name } = input
  await requireEmojiAction(deps.store.db, workspaceId, actorId, 'add', name)
  if ((input.url === undefined) === (input.image === undefined)) {
    throw new DomainError('invalid_input', 'Give the emoji image as exactly one of a URL or an image file.')
  }
  const id = randomUUID()
  let image: Pick<CustomEmojiRow, 'source_url' | 'blob_key' | 'content_type' | 'size'>
  if (input.url !== undefined) {
    image = { source_url: checkImageUrl(input.url), blob_key: null, content_type: null, size: null }
  } else {
    const { bytes, contentType } = input.image as { bytes: Uint8Array; contentType: string }
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
    if (!(CUSTOM_EMOJI_TYPES as readonly string[]).includes(type)) {
      throw new DomainError('invalid_input', `An emoji image is PNG, GIF, JPEG or WebP; "${type.slice(0, 100)}" is not.`)
    }
    const key = `emoji/${id}`
    try {
      const size = await deps.blobs.put(
        key,
        (async function* () {
          yield bytes
        })(),
        CUSTOM_EMOJI_MAX_BYTES,
      )
      image = { source_url: null, blob_key: key, content_type: type, size }
    } catch (err) {
      if (err instanceof BlobTooLargeError)
        throw new DomainError('invalid_input', `An emoji image is at most ${CUSTOM_EMOJI_MAX_BYTES} bytes.`)
      throw err
    }
  }
  const row: CustomEmojiRow = {
    id,
    workspace_id: workspaceId,
    name,
    ...image,
    created_by: actorId === null ? 'admin' : `user:${actorId}`,
    created_time: isoNow(deps.clock),
  }
  try {
    await deps.store.transaction(async (trx) => {
      // Checked again in the transaction: two owners adding one name at once.
      if (await findCustomEmojiByName(trx, workspaceId, name))
        throw new DomainError('conflict', `This workspace already has an emoji named :${name}:.`)
      await insertCustomEmoji(trx, row, row.created_by)
    })
  } catch (err) {
    if (row.blob_key) await deps.blobs.delete(row.blob_key).catch(() => {})
    throw err
  }
  return presentEmoji(deps, row)
}

/**
 * Removes emoji `id` (by id, or by name) from a workspace and its stored image. Pages keep the icon
 * they had (Notion shows a removed emoji's last image). Appends `custom_emoji.deleted`.
 * @throws DomainError forbidden | not_found
 */
export async function removeCustomEmoji(
  deps: Deps,
  input: { workspaceId: string; actorId: EmojiActor; ref: string },
): Promise<CustomEmoji> {
  await requireEmojiAction(deps.store.db, input.workspaceId, input.actorId, 'remove')
  const removed = await deps.store.transaction(async (trx) => {
    const id = parseId(input.ref)
    const row = id
      ? await findCustomEmoji(trx, input.workspaceId, id)
      : await findCustomEmojiByName(trx, input.workspaceId, input.ref.replace(/^:|:$/g, ''))
    if (!row) throw new DomainError('not_found', `No custom emoji ${input.ref.slice(0, 100)} in this workspace.`)
    await deleteCustomEmoji(trx, row, isoNow(deps.clock), input.actorId === null ? 'admin' : `user:${input.actorId}`)
    return row
  })
  if (removed.blob_key) await deps.blobs.delete(removed.blob_key).catch(() => {})
  return presentEmoji(deps, removed)
}

/** Every emoji of a workspace by name, for the management surfaces. @throws DomainError forbidden (not a full member) */
export async function listWorkspaceEmojis(deps: Deps, workspaceId: string, actorId: EmojiActor): Promise<CustomEmoji[]> {
  await requireEmojiAction(deps.store.db, workspaceId, actorId, 'list')
  return (await listCustomEmojis(deps.store.db, { workspaceId, limit: 10_000 })).map((r) => presentEmoji(deps, r))
}

/**
 * `GET /v1/custom_emojis` (SDK `customEmojis.list`): the workspace's emojis by name, `page_size`
 * (default 100) at a time from `start_cursor` (the id of the first emoji of the page, as
 * `next_cursor` gives it), or only the one named exactly `name`. Any token of the workspace.
 * @throws NotionApiError validation_error (an unknown cursor)
 */
export async function listEmojisForApi(
  deps: Deps,
  caller: ApiCaller,
  query: { start_cursor?: string | undefined; page_size?: number | undefined; name?: string | undefined },
) {
  const db = deps.store.db
  const limit = query.page_size ?? 100
  let fromName: string | undefined
  if (query.start_cursor) {
    const id = parseId(query.start_cursor)
    const at = id ? await findCustomEmoji(db, caller.workspaceId, id) : undefined
    if (!at)
      throw validationError(
        `body failed validation: start_cursor should be a valid cursor, instead was \`"${query.start_cursor.slice(0, 100)}"\`.`,
      )
    fromName = at.name
  }
  const rows = await listCustomEmojis(db, {
    workspaceId: caller.workspaceId,
    ...(query.name !== undefined ? { name: query.name } : {}),
    ...(fromName !== undefined ? { fromName } : {}),
    limit: limit + 1,
  })
  const page = rows.slice(0, limit)
  const next = rows.length > limit ? (rows[limit] as CustomEmojiRow).id : null
  return {
    object: 'list' as const,
    type: 'custom_emoji' as const,
    results: page.map((r) => presentEmoji(deps, r)),
    has_more: next !== null,
    next_cursor: next,
  }
}

/**
 * Checks that emoji `id` exists in the caller's workspace and gives the stored icon
 * `{type:"custom_emoji", custom_emoji:{id, name, url}}`.
 * @throws NotionApiError validation_error (unknown emoji)
 */
export async function customEmojiIcon(deps: Pick<Deps, 'publicUrl'>, db: Db, workspaceId: string, id: string) {
  const row = await findCustomEmoji(db, workspaceId, id)
  if (!row) throw validationError(`Could not find custom emoji with ID: ${id}.`)
  return { type: 'custom_emoji', custom_emoji: presentEmoji(deps, row) }
}

/**
 * Refreshes, in place, the `name` and `url` of `custom_emoji` payloads `{id, …}` found in an answer
 * (icons, mentions; collected by `signFileRefs`) from the workspace's current emojis; a removed emoji
 * keeps what was stored. One lookup per distinct emoji; nothing when `found` is empty.
 */
export async function refreshCustomEmojis(deps: Deps, workspaceId: string, found: Array<{ id: string }>): Promise<void> {
  if (found.length === 0) return
  const rows = new Map<string, CustomEmojiRow>()
  for (const id of new Set(found.map((f) => f.id))) {
    const row = await findCustomEmoji(deps.store.db, workspaceId, id)
    if (row) rows.set(id, row)
  }
  for (const f of found) {
    const row = rows.get(f.id)
    if (row) Object.assign(f, presentEmoji(deps, row))
  }
}

const EMOJI_NAME_IN_TEXT = /:([a-z0-9][a-z0-9_-]{0,49}):/g
const HAS_EMOJI_NAME = /:[a-z0-9][a-z0-9_-]{0,49}:/

type TextItem = { type: string; text?: { content: string; link: unknown }; annotations?: unknown; plain_text?: string; href?: unknown }

/**
 * Turns `:name:` in the plain text runs of new blocks (stored form, from Markdown) into custom-emoji
 * mentions, as Notion reads its enhanced Markdown (docs/reference/notion-api-2026.md §2.5), for the
 * names the workspace has; other `:words:` stay text. Walks `rich_text` of every block, in place; no
 * query when no block holds a `:name:`, one lookup per distinct name otherwise (at most 100 names).
 */
export async function emojiMentionsFromText(
  deps: Pick<Deps, 'publicUrl'>,
  db: Db,
  workspaceId: string,
  blocks: Array<{ content: Record<string, unknown>; children: unknown[] }>,
): Promise<void> {
  const arrays: TextItem[][] = []
  const names = new Set<string>()
  const stack = blocks.filter((b) => b && typeof b === 'object' && 'content' in b)
  while (stack.length) {
    const b = stack.pop() as (typeof blocks)[number]
    const rt = b.content.rich_text
    if (
      Array.isArray(rt) &&
      (rt as TextItem[]).some((i) => i.type === 'text' && i.text && !i.text.link && HAS_EMOJI_NAME.test(i.text.content))
    ) {
      arrays.push(rt as TextItem[])
      for (const i of rt as TextItem[])
        if (i.type === 'text' && i.text) for (const m of i.text.content.matchAll(EMOJI_NAME_IN_TEXT)) names.add(m[1] as string)
    }
    if (Array.isArray(b.children)) stack.push(...(b.children as typeof blocks).filter((c) => c && typeof c === 'object' && 'content' in c))
  }
  if (names.size === 0) return
  const known = new Map<string, CustomEmoji>()
  for (const name of [...names].slice(0, 100)) {
    const row = await findCustomEmojiByName(db, workspaceId, name)
    if (row) known.set(name, presentEmoji(deps, row))
  }
  if (known.size === 0) return
  for (const rt of arrays) {
    const out: TextItem[] = []
    for (const item of rt) {
      if (item.type !== 'text' || !item.text || item.text.link) {
        out.push(item)
        continue
      }
      let last = 0
      const content = item.text.content
      const piece = (text: string) => {
        if (text !== '') out.push({ ...item, text: { content: text, link: null }, plain_text: text })
      }
      for (const m of content.matchAll(EMOJI_NAME_IN_TEXT)) {
        const emoji = known.get(m[1] as string)
        if (!emoji) continue
        piece(content.slice(last, m.index))
        out.push({
          type: 'mention',
          mention: { type: 'custom_emoji', custom_emoji: emoji },
          annotations: item.annotations,
          plain_text: `:${emoji.name}:`,
          href: null,
        } as TextItem)
        last = (m.index as number) + m[0].length
      }
      piece(content.slice(last))
    }
    rt.splice(0, rt.length, ...out)
  }
}
