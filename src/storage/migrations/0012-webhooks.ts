import { SqliteAdapter, sql, type Kysely } from 'kysely'

/**
 * Webhooks (issue 17, docs/adr/0021-webhooks.md): a reader of the change-event outbox (ADR 15).
 *
 * - `webhook_subscription`: one subscription of an internal connection (`connection_kind` `internal`)
 *   or a public connection (`public`) — endpoint URL, event types (JSON array), the payloads'
 *   `api_version`, status (`pending_verification`, `active`, `paused`). The verification token (the
 *   HMAC key of `X-Notion-Signature`) is stored only AES-GCM sealed (`token_sealed`, AAD
 *   `webhook|<id>`). `start_seq`: the subscription sees change events after this `seq` only.
 * - `webhook_delivery`: the delivery outbox and log: one row per event (or aggregate of events) per
 *   subscription, plus handshakes (`kind` `verification`) and test events; status `pending`,
 *   `delivering` (claimed until `lease_until`), `delivered`, `failed`, `skipped`.
 * - `webhook_cursor`: how far the dispatcher has read the outbox (one row, `name` = `dispatcher`).
 * - `webhook_dispatched`: the `seq`s fanned out within the re-read window behind the cursor (on
 *   PostgreSQL a `seq` is taken at insert, not at commit, so a late commit can land behind it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
  const seqType = sqlite ? 'integer' : 'bigint'
  await db.schema
    .createTable('webhook_subscription')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('connection_kind', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('auto_verify', 'integer', (c) => c.notNull())
    .addColumn('token_sealed', 'text', (c) => c.notNull())
    .addColumn('start_seq', seqType, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('verified_time', 'text')
    .execute()
  await db.schema.createIndex('webhook_subscription_connection').on('webhook_subscription').columns(['connection_id']).execute()

  await db.schema
    .createTable('webhook_delivery')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('webhook_subscription.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('entity_type', 'text')
    .addColumn('access_id', 'text')
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_time', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_attempt_time', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('last_payload', 'text')
    .addColumn('created_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('webhook_delivery_due').on('webhook_delivery').columns(['status', 'next_attempt_time']).execute()
  await db.schema.createIndex('webhook_delivery_log').on('webhook_delivery').columns(['subscription_id', 'created_time']).execute()

  await db.schema
    .createTable('webhook_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', seqType, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('webhook_dispatched')
    .addColumn('seq', seqType, (c) => c.primaryKey())
    .execute()
  // Start after what is already in the outbox: webhooks never replay history.
  await sql`insert into webhook_cursor (name, seq) select 'dispatcher', coalesce(max(seq), 0) from change_event`.execute(db)
}
