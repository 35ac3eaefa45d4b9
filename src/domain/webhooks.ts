/**
 * Notion's webhook events as Octavo names them (docs/reference/notion-api-2026.md §7.4–7.6, the SDK's
 * `api-endpoints/webhooks.d.ts`): the catalogue a subscription chooses from, which `api_version`s
 * receive each, the capability each needs, and the retry schedule. Pure.
 */

/** The `api_version`s a subscription may choose (the SDK's `BaseWebhookPayload.api_version`). */
export const WEBHOOK_API_VERSIONS = ['2022-06-28', '2025-09-03', '2026-03-11'] as const
export type WebhookApiVersion = (typeof WEBHOOK_API_VERSIONS)[number]

/** Which subscriptions receive an event type: every one, only 2022-06-28 ones, or only ≥ 2025-09-03 ones. */
export type WebhookFamily = 'all' | 'legacy' | 'data_sources'

/** One event type of the catalogue: its family and the connection capability it needs. */
export interface WebhookEventSpec {
  family: WebhookFamily
  capability: 'read_content' | 'read_comments'
  /** Bursts about one entity collapse into one delivery within the aggregation window. */
  aggregated: boolean
}

const content = (family: WebhookFamily = 'all', aggregated = false): WebhookEventSpec => ({
  family,
  capability: 'read_content',
  aggregated,
})

/** Every event type Notion documents (§7.5), whether or not an Octavo write produces it yet. */
export const WEBHOOK_EVENTS: Record<string, WebhookEventSpec> = {
  'page.created': content(),
  'page.deleted': content(),
  'page.undeleted': content(),
  'page.moved': content(),
  'page.content_updated': content('all', true),
  'page.properties_updated': content('all', true),
  'page.locked': content(),
  'page.unlocked': content(),
  'page.transcription_block.transcript_deleted': content(),
  'database.created': content(),
  'database.deleted': content(),
  'database.undeleted': content(),
  'database.moved': content(),
  'database.content_updated': content('legacy', true),
  'database.schema_updated': content('legacy', true),
  'data_source.created': content('data_sources'),
  'data_source.deleted': content('data_sources'),
  'data_source.undeleted': content('data_sources'),
  'data_source.moved': content('data_sources'),
  'data_source.content_updated': content('data_sources', true),
  'data_source.schema_updated': content('data_sources', true),
  'comment.created': { family: 'all', capability: 'read_comments', aggregated: false },
  'comment.updated': { family: 'all', capability: 'read_comments', aggregated: false },
  'comment.deleted': { family: 'all', capability: 'read_comments', aggregated: false },
  'file_upload.created': content(),
  'file_upload.completed': content(),
  'file_upload.expired': content(),
  'file_upload.upload_failed': content(),
  'view.created': content('data_sources'),
  'view.updated': content('data_sources'),
  'view.deleted': content('data_sources'),
}

/** Whether a subscription on `apiVersion` receives events of `family` (§7.6). */
export function versionReceives(apiVersion: string, family: WebhookFamily): boolean {
  if (family === 'all') return true
  const legacy = apiVersion < '2025-09-03'
  return family === 'legacy' ? legacy : !legacy
}

/** Whether `v` is a webhook `api_version`. */
export function isWebhookApiVersion(v: string): v is WebhookApiVersion {
  return (WEBHOOK_API_VERSIONS as readonly string[]).includes(v)
}

/**
 * When attempt `attempt + 1` is due after attempt `attempt` (1-based) failed: `baseMs * 2^(attempt-1)`
 * after `nowMs`; null when `attempt` was the last (`maxAttempts`). With Notion's 8 attempts and a
 * base of 680 s the last try is about 24 h after the first.
 */
export function nextAttemptAt(nowMs: number, attempt: number, opts: { baseMs: number; maxAttempts: number }): number | null {
  if (attempt >= opts.maxAttempts) return null
  return nowMs + opts.baseMs * 2 ** (attempt - 1)
}

/** `{id, type}` of an author or reader in a payload: `bot:<id>` → bot, `user:<id>` → person; others none. */
export function authorOf(actor: string): { id: string; type: 'person' | 'bot' } | null {
  if (actor.startsWith('bot:')) return { id: actor.slice(4), type: 'bot' }
  if (actor.startsWith('user:')) return { id: actor.slice(5), type: 'person' }
  return null
}
