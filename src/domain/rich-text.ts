import * as z from 'zod'
import { NotionId } from './ids.js'
import { parseWith } from './validation.js'

/**
 * Rich text, as Notion's request and response types define it (docs/reference/notion-api.md §2.4; SDK
 * `RichTextItemRequest` / `RichTextItemResponse`). Requests may omit `type` and any annotation;
 * responses always carry `type`, every annotation, `plain_text` and `href`.
 * Limits: `text.content` ≤ 2000 characters, `text.link.url` ≤ 2000, `equation.expression` ≤ 1000,
 * arrays ≤ 100 items (docs/reference/notion-api.md §6).
 */

export const API_COLORS = [
  'default',
  'gray',
  'brown',
  'orange',
  'yellow',
  'green',
  'blue',
  'purple',
  'pink',
  'red',
  'default_background',
  'gray_background',
  'brown_background',
  'orange_background',
  'yellow_background',
  'green_background',
  'blue_background',
  'purple_background',
  'pink_background',
  'red_background',
] as const
/** zod schema of Notion's `ApiColor` (text and background colours). */
export const ApiColor = z.enum(API_COLORS)

const Annotations = z
  .object({
    bold: z.boolean().optional(),
    italic: z.boolean().optional(),
    strikethrough: z.boolean().optional(),
    underline: z.boolean().optional(),
    code: z.boolean().optional(),
    color: ApiColor.optional(),
  })
  .strict()

/** A text link: `{url}`, or `{type: "url", url}` as @tryfabric/martian sends it and Notion accepts. */
const Link = z
  .object({ type: z.literal('url').optional(), url: z.string().max(2000) })
  .strict()
  .nullable()
  .optional()

const TextItem = z
  .object({
    type: z.literal('text').optional(),
    text: z.object({ content: z.string().max(2000), link: Link }).strict(),
    annotations: Annotations.optional(),
    plain_text: z.string().optional(),
    href: z.string().nullable().optional(),
  })
  .strict()

const EquationItem = z
  .object({
    type: z.literal('equation').optional(),
    equation: z.object({ expression: z.string().max(1000) }).strict(),
    annotations: Annotations.optional(),
    plain_text: z.string().optional(),
    href: z.string().nullable().optional(),
  })
  .strict()

const DateValue = z
  .object({
    start: z.string(),
    end: z.string().nullable().optional(),
    time_zone: z.string().nullable().optional(),
  })
  .strict()

const Mention = z.union([
  z.object({ type: z.literal('user').optional(), user: z.object({ id: NotionId, object: z.literal('user').optional() }).loose() }).strict(),
  z.object({ type: z.literal('page').optional(), page: z.object({ id: NotionId }).strict() }).strict(),
  z.object({ type: z.literal('database').optional(), database: z.object({ id: NotionId }).strict() }).strict(),
  z.object({ type: z.literal('date').optional(), date: DateValue }).strict(),
  z.object({ type: z.literal('link_preview').optional(), link_preview: z.object({ url: z.string().max(2000) }).strict() }).strict(),
  z
    .object({
      type: z.literal('custom_emoji').optional(),
      custom_emoji: z.object({ id: NotionId, name: z.string().max(200).optional(), url: z.string().max(2000).optional() }).strict(),
    })
    .strict(),
  z
    .object({
      type: z.literal('template_mention').optional(),
      template_mention: z.union([
        z.object({ type: z.literal('template_mention_date').optional(), template_mention_date: z.enum(['today', 'now']) }).strict(),
        z.object({ type: z.literal('template_mention_user').optional(), template_mention_user: z.literal('me') }).strict(),
      ]),
    })
    .strict(),
])

const MentionItem = z
  .object({
    type: z.literal('mention').optional(),
    mention: Mention,
    annotations: Annotations.optional(),
    plain_text: z.string().optional(),
    href: z.string().nullable().optional(),
  })
  .strict()

/** One rich-text item in a request. */
export const RichTextItemRequest = z.union([TextItem, MentionItem, EquationItem])
export type RichTextItemRequest = z.output<typeof RichTextItemRequest>

/** A rich-text array in a request (≤ 100 items). */
export const RichTextRequest = z.array(RichTextItemRequest).max(100)

/** A rich-text item as stored and returned. */
export interface RichTextItem {
  type: 'text' | 'mention' | 'equation'
  text?: { content: string; link: { url: string } | null }
  mention?: Record<string, unknown>
  equation?: { expression: string }
  annotations: {
    bold: boolean
    italic: boolean
    strikethrough: boolean
    underline: boolean
    code: boolean
    color: string
  }
  plain_text: string
  href: string | null
}

/**
 * Validates a rich-text array from a request body found at `at` (e.g. `['properties', 'Name',
 * 'title']`) and returns it in response form. Every place that accepts rich text validates it this way
 * (or with `RichTextRequest` in its zod schema) before `normalizeRichText` sees it.
 * @throws NotionApiError validation_error "body failed validation: body.properties.Name.title[0]
 *   should be an object, instead was `null`." (Notion's grammar, docs/reference/notion-api.md §3.3)
 */
export function parseRichText(input: unknown, at: PropertyKey[]): RichTextItem[] {
  return normalizeRichText(parseWith(RichTextRequest, input, 'body', at))
}

/** Turns validated request items (see `RichTextRequest`, `parseRichText`) into their full response form. Mention `plain_text` is the caller's or a placeholder. */
export function normalizeRichText(items: RichTextItemRequest[]): RichTextItem[] {
  return items.map((item) => {
    const annotations = {
      bold: item.annotations?.bold ?? false,
      italic: item.annotations?.italic ?? false,
      strikethrough: item.annotations?.strikethrough ?? false,
      underline: item.annotations?.underline ?? false,
      code: item.annotations?.code ?? false,
      color: item.annotations?.color ?? 'default',
    }
    if ('text' in item) {
      const link = item.text.link ? { url: item.text.link.url } : null
      return {
        type: 'text',
        text: { content: item.text.content, link },
        annotations,
        plain_text: item.text.content,
        href: link?.url ?? null,
      }
    }
    if ('equation' in item) {
      return {
        type: 'equation',
        equation: { expression: item.equation.expression },
        annotations,
        plain_text: item.equation.expression,
        href: null,
      }
    }
    const m = item.mention
    let mention: Record<string, unknown>
    let plain = item.plain_text ?? ''
    if ('user' in m) {
      mention = { type: 'user', user: { object: 'user', id: m.user.id } }
      plain ||= '@Anonymous'
    } else if ('page' in m) {
      mention = { type: 'page', page: { id: m.page.id } }
      plain ||= 'Untitled'
    } else if ('database' in m) {
      mention = { type: 'database', database: { id: m.database.id } }
      plain ||= 'Untitled'
    } else if ('date' in m) {
      mention = { type: 'date', date: { start: m.date.start, end: m.date.end ?? null, time_zone: m.date.time_zone ?? null } }
      plain ||= m.date.end ? `${m.date.start} → ${m.date.end}` : m.date.start
    } else if ('link_preview' in m) {
      mention = { type: 'link_preview', link_preview: { url: m.link_preview.url } }
      plain ||= m.link_preview.url
    } else if ('custom_emoji' in m) {
      // `name` and `url` are refreshed from the workspace's emojis when answered (services/custom-emojis.ts).
      const e = m.custom_emoji
      mention = { type: 'custom_emoji', custom_emoji: { id: e.id, name: e.name ?? '', url: e.url ?? '' } }
      plain ||= e.name ? `:${e.name}:` : ''
    } else {
      const t = m.template_mention
      mention = {
        type: 'template_mention',
        template_mention:
          'template_mention_date' in t
            ? { type: 'template_mention_date', template_mention_date: t.template_mention_date }
            : { type: 'template_mention_user', template_mention_user: t.template_mention_user },
      }
      plain ||= 'template_mention_date' in t ? `@${t.template_mention_date}` : '@me'
    }
    const href = 'page' in m ? `https://www.notion.so/${m.page.id.replace(/-/g, '')}` : null
    return { type: 'mention', mention, annotations, plain_text: plain, href }
  })
}

/** Concatenated `plain_text` of a rich-text array. */
export function plainText(items: readonly { plain_text: string }[] | undefined | null): string {
  return (items ?? []).map((i) => i.plain_text).join('')
}

/** A single plain text run, e.g. for seeding. */
export function textRun(content: string, annotations: Partial<RichTextItem['annotations']> = {}, link?: string): RichTextItem {
  return normalizeRichText([{ text: { content, link: link ? { url: link } : null }, annotations: annotations as never }])[0] as RichTextItem
}
