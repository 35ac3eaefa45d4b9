import type { RequestContext } from '../../auth/principal.js'
import type { NewBlock } from '../../domain/blocks.js'
import { isoNow } from '../../domain/clock.js'
import { markdownToBlocks, type ParsedBlock } from '../../domain/markdown/parse.js'
import { blockKey, blocksToMarkdown, type MdNode } from '../../domain/markdown/render.js'
import { plainText, type RichTextItem } from '../../domain/rich-text.js'
import { v2Conflict } from '../../domain/markdown/v2.js'
import { afterMatchesBlockStart, markdownV1Refused, rangeReplaceRefused } from '../../domain/versions.js'
import { validationError } from '../../errors/notion-error.js'
import { REQUIRED_LEVEL } from '../../permissions/roles.js'
import { levelOn, loadAuthorized } from '../../services/access.js'
import { changeActorOf } from '../../services/change-actor.js'
import { emojiMentionsFromText } from '../../services/custom-emojis.service.js'
import type { Deps } from '../../services/deps.js'
import { requireWritableNode } from '../../services/trash.js'
import {
  deleteNode,
  findBlock,
  insertBlocks,
  listPageTree,
  touchPage,
  trashBlocks,
  type BlockRow,
  type ContentAt,
  type InsertAt,
  type PageTreeRow,
} from '../../storage/repositories/blocks.repository.js'
import type { Db } from '../../storage/store.js'
import type { UpdatePageMarkdownBody } from './page-markdown.schemas.js'

/**
 * Page content as Notion's enhanced Markdown: `GET` and `PATCH /v1/pages/{id}/markdown` (SDK
 * `pages.retrieveMarkdown` / `pages.updateMarkdown`) and the `markdown` of `POST /v1/pages`
 * (pages.service.ts calls `blocksFromMarkdown`). Shapes, operations and errors:
 * docs/reference/notion-api-2026.md §2 (from notion-api-2026.md §2). Edits are made on the rendered Markdown and
 * then reconciled block by block: top-level blocks whose Markdown is unchanged keep their id, the
 * others are trashed (`deleteNode`, `block.deleted`) and the new ones inserted (`insertBlocks`,
 * `block.appended`), all in one transaction.
 */

/** Blocks loaded for one Markdown answer; beyond it the answer is `truncated` (Notion: ≈ 20,000 records). */
export const MARKDOWN_LOAD_LIMIT = 20_000
/** Levels of blocks rendered; deeper blocks are left out and the answer is `truncated` (bounds recursion). */
export const MARKDOWN_DEPTH_LIMIT = 200
/** Most characters of page Markdown one edit may produce (2 MB: four times the largest request body). */
export const MARKDOWN_EDIT_LIMIT = 2_000_000
/** Most blocks one Markdown write may create. */
export const MARKDOWN_WRITE_LIMIT = 10_000

/** The `page_markdown` object (SDK `PageMarkdownResponse`). */
export interface PageMarkdown {
  object: 'page_markdown'
  id: string
  markdown: string
  truncated: boolean
  unknown_block_ids: string[]
}

interface LoadedTree {
  nodes: MdNode[]
  truncated: boolean
}

/**
 * The live block tree under `root` (a page, or any block), with child pages and databases the caller
 * cannot read marked hidden. At most `MARKDOWN_LOAD_LIMIT` rows are read; more → `truncated`.
 */
async function loadTree(db: Db, ctx: RequestContext, root: BlockRow): Promise<LoadedTree> {
  const pageId = root.type === 'child_page' ? root.id : root.page_id
  const listed = await listPageTree(db, pageId, MARKDOWN_LOAD_LIMIT + 1)
  const rows: PageTreeRow[] = [...listed.content, ...listed.nodes]
  const truncated = rows.length > MARKDOWN_LOAD_LIMIT
  const byParent = new Map<string, PageTreeRow[]>()
  for (const r of rows.slice(0, MARKDOWN_LOAD_LIMIT)) {
    const list = byParent.get(r.parent_id as string)
    if (list) list.push(r)
    else byParent.set(r.parent_id as string, [r])
  }
  const page = root.type === 'child_page' ? root : await findBlock(db, pageId)
  const ownerRoot = page?.perm_root_id ?? null
  // Child pages and databases the caller cannot read are shown as hidden (decided before the walk).
  const hidden = new Set<string>()
  for (const r of listed.nodes) {
    if (r.perm_root_id !== null && r.perm_root_id !== ownerRoot && (await levelOn(db, ctx.caller, r)) < REQUIRED_LEVEL.read)
      hidden.add(r.id)
  }
  const titles = new Map(listed.nodes.map((r) => [r.id, plainText((JSON.parse(r.properties ?? '{}') as { title?: RichTextItem[] }).title)]))
  let cut = false
  const build = (parentId: string, depth: number): MdNode[] => {
    const kids = (byParent.get(parentId) ?? []).sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
    const out: MdNode[] = []
    for (const r of kids) {
      if (r.type === 'child_page' || r.type === 'child_database') {
        out.push({
          id: r.id,
          type: r.type,
          content: {},
          children: [],
          title: titles.get(r.id) ?? '',
          hidden: hidden.has(r.id),
          position: r.position,
        })
        continue
      }
      let children: MdNode[] = []
      if (depth < MARKDOWN_DEPTH_LIMIT) children = build(r.id, depth + 1)
      else if (byParent.has(r.id)) cut = true
      out.push({ id: r.id, type: r.type, content: JSON.parse(r.content) as Record<string, unknown>, children, position: r.position })
    }
    return out
  }
  if (root.type === 'child_page') {
    const nodes = build(root.id, 0)
    return { nodes, truncated: truncated || cut }
  }
  const self: MdNode = {
    id: root.id,
    type: root.type,
    content: JSON.parse(root.content) as Record<string, unknown>,
    children: build(root.id, 1),
  }
  return { nodes: [self], truncated: truncated || cut }
}

function present(id: string, nodes: MdNode[], truncated: boolean, publicUrl: string, version: MarkdownVersion): PageMarkdown {
  const r = blocksToMarkdown(nodes, publicUrl, version)
  return { object: 'page_markdown', id, markdown: r.markdown, truncated: truncated || r.hiddenSeen, unknown_block_ids: r.unknownIds }
}

/** A Markdown format (docs/reference/notion-api-2026.md §2.5). */
export type MarkdownVersion = 'v1' | 'v2'

/**
 * The Markdown version of a request: `value` if sent, else v1 before 2026-12-01 and v2 from it
 * (`markdownV2Default`). v2 is served where it coincides with v1 (src/domain/markdown/v2.ts).
 * @throws NotionApiError validation_error (`"v1"` under 2026-12-01)
 */
export function markdownVersionOf(ctx: RequestContext, value: MarkdownVersion | undefined, where: string): MarkdownVersion {
  if (value === 'v1' && markdownV1Refused(ctx.version)) {
    throw validationError(`${where} should be \`"v2"\`, instead was \`"v1"\`. Markdown v1 is not available in this API version.`)
  }
  return value ?? (markdownV1Refused(ctx.version) ? 'v2' : 'v1')
}

/**
 * Parses request Markdown in `version`. v2 text that reads differently from v1 is refused rather than
 * guessed (docs/markdown.md, "Markdown v2").
 * @throws NotionApiError validation_error (a construct Octavo does not read in v2; nesting too deep)
 */
export function parseMarkdown(markdown: string, version: MarkdownVersion, where: string): ParsedBlock[] {
  if (version === 'v2') {
    const conflict = v2Conflict(markdown)
    if (conflict !== undefined) {
      throw validationError(
        `${where} uses ${conflict}, which Markdown v2 (Notion-flavored Markdown) reads differently from v1; this server reads only the v2 syntax shared with v1. Rewrite it, or send markdown_version "v1" (before Notion-Version 2026-12-01).`,
      )
    }
  }
  return markdownToBlocks(markdown)
}

/**
 * `GET /v1/pages/{id}/markdown`: the page (or, for a block id, that block and its subtree) as
 * enhanced Markdown. `include_transcript` is accepted (Octavo has no meeting notes yet).
 * @throws NotionApiError object_not_found (page missing or not shared) | restricted_resource (no read
 *   content capability) | validation_error (a database id; an unsupported `markdown_version`)
 */
export async function getPageMarkdown(
  deps: Deps,
  ctx: RequestContext,
  id: string,
  query: { markdown_version?: 'v1' | 'v2' },
): Promise<PageMarkdown> {
  const version = markdownVersionOf(ctx, query.markdown_version, 'query.markdown_version')
  const db = deps.store.db
  const node = await loadAuthorized(db, ctx.caller, id, { kind: 'block', action: 'read', capability: 'read_content', notFoundKind: 'page' })
  if (node.type === 'child_database')
    throw validationError(`Block ${node.id} is a database, not a page: its content cannot be read as Markdown.`)
  const tree = await loadTree(db, ctx, node)
  // A block listed in `unknown_block_ids` because v2 cannot show it (a toggle, a callout…): asked for
  // by id, it answers its children, so a client following `unknown_block_ids` always gets further.
  const self = tree.nodes[0]
  if (version === 'v2' && node.type !== 'child_page' && self && v2Conflict(blockKey(self, deps.publicUrl)) !== undefined) {
    return present(node.id, self.children, tree.truncated, deps.publicUrl, version)
  }
  return present(node.id, tree.nodes, tree.truncated, deps.publicUrl, version)
}

/**
 * Where `selection` ("start...end", or an exact text) matches in `markdown` (case-sensitive), or
 * undefined (no match; an empty selection, or `...` alone, matches nothing).
 */
export function findSelection(markdown: string, selection: string): { start: number; end: number } | undefined {
  const k = selection.indexOf('...')
  if (k < 0) {
    const s = markdown.indexOf(selection)
    return s < 0 || selection === '' ? undefined : { start: s, end: s + selection.length }
  }
  const head = selection.slice(0, k)
  const tail = selection.slice(k + 3)
  if (head === '' && tail === '') return undefined
  const s = markdown.indexOf(head)
  if (s < 0) return undefined
  const e = markdown.indexOf(tail, s + head.length)
  if (e < 0) return undefined
  return { start: s, end: e + tail.length }
}

function countOf(text: string, needle: string): number {
  let n = 0
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++
  return n
}

/** New blocks only (references to existing blocks dropped); `count` totals them. */
function newBlocksOf(parsed: ParsedBlock[]): NewBlock[] {
  const out: NewBlock[] = []
  for (const p of parsed) if ('type' in p) out.push({ type: p.type, content: p.content, children: newBlocksOf(p.children) })
  return out
}

function countNew(blocks: NewBlock[]): number {
  let n = 0
  const stack = [...blocks]
  while (stack.length) {
    const b = stack.pop() as NewBlock
    n++
    stack.push(...b.children)
  }
  return n
}

function requireWithinLimit(blocks: NewBlock[]): void {
  if (countNew(blocks) > MARKDOWN_WRITE_LIMIT) {
    throw validationError(`The markdown content is too large: at most ${MARKDOWN_WRITE_LIMIT} blocks can be written in one request.`, {
      limit_kind: 'block_count',
    } as never)
  }
}

/**
 * The page's Markdown after an edit may hold at most `MARKDOWN_EDIT_LIMIT` characters (checked before
 * the text is built, so `replace_all_matches` cannot grow it without bound).
 * @throws NotionApiError validation_error (Notion: "too large … for one call")
 */
function requireEditSize(length: number): void {
  if (length > MARKDOWN_EDIT_LIMIT) {
    throw validationError(
      `The page content after this edit would be too large: at most ${MARKDOWN_EDIT_LIMIT} characters of Markdown can be written in one request.`,
    )
  }
}

function toMdNode(b: NewBlock): MdNode {
  return { id: '', type: b.type, content: b.content, children: b.children.map(toMdNode) }
}

/**
 * Parses enhanced Markdown for `POST /v1/pages`: the blocks, and, when `takeTitle`, the first
 * `# heading` as the page title (removed from the content; Notion's "first h1 becomes the title").
 * @throws NotionApiError validation_error (too deep, too many blocks)
 */
export function blocksFromMarkdown(
  markdown: string,
  takeTitle: boolean,
  version: MarkdownVersion = 'v1',
): { blocks: NewBlock[]; title?: RichTextItem[] } {
  const blocks = newBlocksOf(parseMarkdown(markdown, version, 'body.markdown'))
  requireWithinLimit(blocks)
  if (takeTitle) {
    const i = blocks.findIndex((b) => b.type === 'heading_1')
    if (i >= 0) {
      const [h] = blocks.splice(i, 1) as [NewBlock]
      return { blocks: [...blocks.slice(0, i), ...h.children, ...blocks.slice(i)], title: h.content.rich_text as RichTextItem[] }
    }
  }
  return { blocks }
}

/** `markdown_version` and `allow_async` checks shared with `POST /v1/pages`. */
export function checkMarkdownOptions(ctx: RequestContext, body: { markdown_version?: 'v1' | 'v2' }): MarkdownVersion {
  return markdownVersionOf(ctx, body.markdown_version, 'body.markdown_version')
}

/**
 * `PATCH /v1/pages/{id}/markdown`: `insert_content` (at `position` start/end, after the block holding
 * the end of the `after` selection, or at the end), `replace_content_range` (refused from 2026-12-01),
 * `update_content` (each `old_str` must match once unless `replace_all_matches`) and
 * `replace_content`. Child pages and databases are kept unless `allow_deleting_content`. Answers the
 * page's Markdown after the edit. With `allow_async: true` the route answers 202 and runs this after (page-async.ts).
 * @throws NotionApiError validation_error | restricted_resource | object_not_found
 */
export async function updatePageMarkdown(deps: Deps, ctx: RequestContext, id: string, body: UpdatePageMarkdownBody): Promise<PageMarkdown> {
  const { caller } = ctx
  const version = markdownVersionOf(ctx, body.markdown_version, 'body.markdown_version')
  if (body.type === 'replace_content_range' && rangeReplaceRefused(ctx.version)) {
    throw validationError('replace_content_range is not supported in this API version. Use update_content instead.')
  }
  if (body.type === 'insert_content' && body.insert_content.after !== undefined && body.insert_content.position !== undefined) {
    throw validationError('body failed validation: insert_content.after and insert_content.position cannot both be provided.')
  }
  if (body.type === 'update_content') {
    for (const [i, u] of body.update_content.content_updates.entries()) {
      if (u.old_str === '')
        throw validationError(`body failed validation: body.update_content.content_updates[${i}].old_str should not be empty.`)
    }
  }
  const time = isoNow(deps.clock)
  const at: ContentAt = { by: caller.botId, actor: changeActorOf(caller), time }
  return deps.store.transaction(async (trx) => {
    const page = await loadAuthorized(trx, caller, id, {
      kind: 'block',
      action: 'edit',
      capability: 'update_content',
      notFoundKind: 'page',
    })
    if (page.type !== 'child_page') {
      throw validationError(`Block ${page.id} is not a page: only pages can be updated with markdown.`)
    }
    await requireWritableNode(trx, page)
    const tree = await loadTree(trx, ctx, page)
    // `replace_content` does not read the current Markdown: it is rendered only for the other edits.
    const rendered = body.type === 'replace_content' ? undefined : blocksToMarkdown(tree.nodes, deps.publicUrl, version)
    const current = rendered?.markdown ?? ''
    const segments = rendered?.segments ?? []
    let changed: boolean
    if (body.type === 'insert_content') {
      const { content, after, position } = body.insert_content
      const blocks = newBlocksOf(parseMarkdown(content, version, 'body.insert_content.content'))
      requireWithinLimit(blocks)
      await emojiMentionsFromText(deps, trx, caller.workspaceId, blocks)
      let place: InsertAt = { type: 'end' }
      const anchor =
        after ?? (position?.type === 'after_content' ? ('anchor' in position ? position.anchor : position.after_content.anchor) : undefined)
      if (anchor !== undefined) {
        const from = after !== undefined && afterMatchesBlockStart(ctx.version) ? blockStartOf(segments, current, after) : 0
        const found = findSelection(current.slice(from), anchor)
        const sel = found && { start: found.start + from, end: found.end + from }
        if (!sel) throw validationError(`Could not find the text "${anchor.slice(0, 200)}" in the page content (insert_content.after).`)
        const seg = segments.find((s) => sel.end <= s.end) ?? segments[segments.length - 1]
        place = seg ? { type: 'after_block', afterId: seg.id } : { type: 'end' }
      } else if (position?.type === 'start') place = { type: 'start' }
      await insert(trx, page, blocks, place, at, caller.workspaceId)
      changed = blocks.length > 0
    } else {
      let next: string
      let allowDeleting: boolean
      if (body.type === 'replace_content') {
        next = body.replace_content.new_str
        allowDeleting = body.replace_content.allow_deleting_content ?? false
      } else if (body.type === 'replace_content_range') {
        const { content, content_range } = body.replace_content_range
        const sel = findSelection(current, content_range)
        if (!sel) throw validationError(`Could not find the text "${content_range.slice(0, 200)}" in the page content (content_range).`)
        requireEditSize(current.length - (sel.end - sel.start) + content.length)
        next = current.slice(0, sel.start) + content + current.slice(sel.end)
        allowDeleting = body.replace_content_range.allow_deleting_content ?? false
      } else {
        next = current
        for (const [i, u] of body.update_content.content_updates.entries()) {
          const n = countOf(next, u.old_str)
          if (n === 0) throw validationError(`Could not find the text of content_updates[${i}].old_str in the page content.`)
          if (n > 1 && !u.replace_all_matches) {
            throw validationError(
              `content_updates[${i}].old_str matches ${n} places in the page content. Make it unique, or set replace_all_matches to true.`,
            )
          }
          requireEditSize(next.length + (u.replace_all_matches ? n : 1) * (u.new_str.length - u.old_str.length))
          next = u.replace_all_matches ? next.split(u.old_str).join(u.new_str) : next.replace(u.old_str, () => u.new_str)
        }
        allowDeleting = body.update_content.allow_deleting_content ?? false
      }
      const parsed = parseMarkdown(next, version, `body.${body.type}`)
      // `:name:` → custom-emoji mentions (services/custom-emojis.service.ts), so kept blocks still compare equal.
      await emojiMentionsFromText(deps, trx, caller.workspaceId, parsed as Parameters<typeof emojiMentionsFromText>[3])
      const result = await reconcile(trx, page, tree.nodes, parsed, {
        allowDeleting,
        at,
        publicUrl: deps.publicUrl,
        workspaceId: caller.workspaceId,
      })
      changed = result.changed
      // The page's blocks are known when every old top-level block was kept in place or trashed: the
      // answer is rendered from them, without reading the tree again.
      if (result.nodes && !tree.truncated) {
        if (changed) await touchPage(trx, page.id, at.by, time)
        return present(page.id, result.nodes, false, deps.publicUrl, version)
      }
    }
    if (changed) await touchPage(trx, page.id, at.by, time)
    const after = await loadTree(trx, ctx, (await findBlock(trx, page.id)) as BlockRow)
    return present(page.id, after.nodes, after.truncated, deps.publicUrl, version)
  })
}

/**
 * 2026-12-01 (`afterMatchesBlockStart`, docs/reference/notion-api-2026.md §6.1 row 5): the start text of
 * `insert_content.after` (before `...`, or all of it) must begin exactly one top-level block; returns
 * that block's offset in `current`, from which the selection is then matched.
 * @throws NotionApiError validation_error (no block, or several, start with it)
 */
function blockStartOf(segments: Array<{ start: number }>, current: string, after: string): number {
  const k = after.indexOf('...')
  const head = k < 0 ? after : after.slice(0, k)
  const starts = head === '' ? [] : segments.filter((s) => current.startsWith(head, s.start))
  if (starts.length !== 1) {
    throw validationError(
      `insert_content.after must match the start of exactly one block in this API version; "${head.slice(0, 200)}" starts ${starts.length} blocks. To insert after any text, use position: {type: "after_content", anchor: "…"}.`,
    )
  }
  return (starts[0] as { start: number }).start
}

async function insert(db: Db, page: BlockRow, blocks: NewBlock[], place: InsertAt, at: ContentAt, workspaceId: string): Promise<string[]> {
  return insertBlocks(db, {
    workspaceId,
    parentType: 'page_id',
    parentId: page.id,
    pageId: page.id,
    blocks,
    at: place,
    actor: at.by,
    time: at.time,
    eventActor: at.actor,
  })
}

/** What a top-level block is compared by: its own Markdown, or its id for blocks shown as references. */
function keyOfExisting(node: MdNode, publicUrl: string): string {
  if (node.hidden || node.type === 'child_page' || node.type === 'child_database') return `ref:${node.id}`
  const key = blockKey(node, publicUrl)
  return key.startsWith('<unknown ') || key.startsWith('<synced_block') || key.startsWith('<meeting-notes ') ? `ref:${node.id}` : key
}

/**
 * Makes the page's top-level blocks those of `markdown`: the longest common run of unchanged blocks
 * (by Markdown) stays, the rest of the old blocks are trashed and the new ones inserted in place.
 * Child pages and databases that would go need `allowDeleting` (validation_error naming them).
 * Returns whether anything changed, and the page's top-level nodes afterwards (new ones with their
 * ids) when their order is certain: every old block was either kept in place (in the common run) or
 * trashed — else `nodes` is undefined and the caller reads the tree.
 */
async function reconcile(
  db: Db,
  page: BlockRow,
  existing: MdNode[],
  parsed: ParsedBlock[],
  opts: { allowDeleting: boolean; at: ContentAt; publicUrl: string; workspaceId: string },
): Promise<{ changed: boolean; nodes?: MdNode[] }> {
  const existingIds = new Set(existing.map((n) => n.id))
  const next: Array<{ key: string; block?: NewBlock; ref?: string }> = []
  for (const p of parsed) {
    if ('ref' in p) {
      if (existingIds.has(p.ref)) next.push({ key: `ref:${p.ref}`, ref: p.ref })
      continue
    }
    const block = newBlocksOf([p])[0] as NewBlock
    next.push({ key: blockKey(toMdNode(block), opts.publicUrl), block })
  }
  requireWithinLimit(next.flatMap((n) => (n.block ? [n.block] : [])))
  const oldKeys = existing.map((n) => keyOfExisting(n, opts.publicUrl))
  const kept = lcs(
    oldKeys,
    next.map((n) => n.key),
  )
  const keptOld = new Set(kept.map(([i]) => i))
  const referenced = new Set(next.filter((n) => n.ref).map((n) => n.ref as string))
  const removed = existing.filter((n, i) => !keptOld.has(i) && !referenced.has(n.id) && !n.hidden)
  const protectedGone = removed.filter((n) => n.type === 'child_page' || n.type === 'child_database')
  if (protectedGone.length > 0 && !opts.allowDeleting) {
    throw validationError(
      `The update would delete ${protectedGone.length} child page(s) or database(s): ${protectedGone
        .map((n) => `${n.type === 'child_page' ? 'page' : 'database'} "${n.title ?? ''}" (${n.id})`)
        .join(', ')}. Set allow_deleting_content to true to delete them.`,
    )
  }
  // Child pages and databases go to the trash as pages do (`page.trashed`); content blocks in bulk.
  for (const n of removed.filter((r) => r.type === 'child_page' || r.type === 'child_database')) {
    const row = await findBlock(db, n.id)
    if (row) await deleteNode(db, row, opts.at)
  }
  const blocks = removed.filter((r) => r.type !== 'child_page' && r.type !== 'child_database')
  const descendants: string[] = []
  const stack = blocks.flatMap((b) => b.children)
  while (stack.length) {
    const n = stack.pop() as MdNode
    if (n.type === 'child_page' || n.type === 'child_database') continue
    descendants.push(n.id)
    stack.push(...n.children)
  }
  await trashBlocks(
    db,
    page,
    blocks.map((b) => b.id),
    descendants,
    opts.at,
  )
  // Insert the new blocks, run by run, after the block kept (or inserted) before them.
  const keptNew = new Map(kept.map(([i, j]) => [j, existing[i] as MdNode]))
  // After the last kept or referenced block (and with no hidden child left in place), a run goes at the
  // end: no later sibling needs its position shifted (trashed rows included, which pile up under a page).
  let lastAnchor = -1
  for (const [j, n] of next.entries()) if (keptNew.has(j) || n.ref) lastAnchor = j
  const atEnd = (j: number) => j > lastAnchor && !existing.some((n) => n.hidden)
  // A run that fits in the positions freed by the blocks it replaces (between the block before it and
  // the next live one) takes them: no sibling is shifted. Once a run had to shift, positions are stale.
  const removedIds = new Set(removed.map((n) => n.id))
  const livePositions = existing
    .filter((n) => !removedIds.has(n.id) && n.position !== undefined)
    .map((n) => n.position as number)
    .sort((a, b) => a - b)
  const positionOf = new Map(existing.map((n) => [n.id, n.position]))
  let positionsKnown = true
  let prev: string | undefined
  let prevPos: number | undefined
  let run: NewBlock[] = []
  let runStart = 0
  let inserted = 0
  const newIds = new Map<number, string>()
  // A leading run may take the positions of the old leading blocks it replaces.
  const firstPos =
    existing.length > 0 && existing.every((n) => n.position !== undefined)
      ? Math.min(...existing.map((n) => n.position as number))
      : undefined
  const flush = async () => {
    if (run.length === 0) return
    let place: InsertAt = atEnd(runStart) ? { type: 'end' } : prev ? { type: 'after_block', afterId: prev } : { type: 'start' }
    const before = prev === undefined && firstPos !== undefined ? firstPos - 1 : prevPos
    if (place.type !== 'end' && positionsKnown && before !== undefined) {
      const after = before
      const nextPos = livePositions.find((p) => p > after)
      if (nextPos !== undefined && nextPos - after - 1 >= run.length) place = { type: 'free_positions', first: after + 1 }
    }
    if (place.type === 'start' || place.type === 'after_block') positionsKnown = false
    const ids = await insert(db, page, run, place, opts.at, opts.workspaceId)
    for (const [k, id] of ids.entries()) newIds.set(runStart + k, id)
    inserted += run.length
    prev = ids[ids.length - 1]
    prevPos = place.type === 'free_positions' ? place.first + run.length - 1 : undefined
    run = []
  }
  for (const [j, n] of next.entries()) {
    const same = keptNew.get(j)
    if (same) {
      await flush()
      prev = same.id
      prevPos = positionOf.get(same.id)
    } else if (n.ref) {
      await flush()
      prev = n.ref
      prevPos = positionOf.get(n.ref)
    } else if (n.block) {
      if (run.length === 0) runStart = j
      run.push(n.block)
    }
  }
  await flush()
  const changed = removed.length > 0 || inserted > 0
  const settled = existing.every((n, i) => keptOld.has(i) || removedIds.has(n.id))
  if (!settled) return { changed }
  const nodes = next.map((n, j) => keptNew.get(j) ?? { ...toMdNode(n.block as NewBlock), id: newIds.get(j) as string })
  return { changed, nodes }
}

/**
 * Pairs `[i, j]` of a longest common subsequence of `a` and `b` (equal strings), in order. Common
 * prefix and suffix are matched directly; the middle is diffed over the keys both sides hold, and not
 * at all when that is more than 4 million cells (nothing kept there).
 */
export function lcs(a: string[], b: string[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = []
  let p = 0
  while (p < a.length && p < b.length && a[p] === b[p]) {
    pairs.push([p, p])
    p++
  }
  let sa = a.length
  let sb = b.length
  const tail: Array<[number, number]> = []
  while (sa > p && sb > p && a[sa - 1] === b[sb - 1]) {
    sa--
    sb--
    tail.unshift([sa, sb])
  }
  // Only keys present on both sides can pair: the table is built over those (a whole-page rewrite
  // sharing no block costs nothing; before, 1,000 × 1,000 cells).
  const inB = new Set(b.slice(p, sb))
  const ai: number[] = []
  for (let i = p; i < sa; i++) if (inB.has(a[i] as string)) ai.push(i)
  const inA = new Set(ai.map((i) => a[i] as string))
  const bj: number[] = []
  for (let j = p; j < sb; j++) if (inA.has(b[j] as string)) bj.push(j)
  const n = ai.length
  const m = bj.length
  if (n > 0 && m > 0 && n * m <= 4_000_000) {
    const w = m + 1
    const t = new Uint32Array((n + 1) * w)
    const ka = ai.map((i) => a[i] as string)
    const kb = bj.map((j) => b[j] as string)
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        t[i * w + j] =
          ka[i] === kb[j] ? (t[(i + 1) * w + j + 1] as number) + 1 : Math.max(t[(i + 1) * w + j] as number, t[i * w + j + 1] as number)
    let i = 0
    let j = 0
    while (i < n && j < m) {
      if (ka[i] === kb[j]) {
        pairs.push([ai[i] as number, bj[j] as number])
        i++
        j++
      } else if ((t[(i + 1) * w + j] as number) >= (t[i * w + j + 1] as number)) i++
      else j++
    }
  }
  return [...pairs, ...tail]
}
