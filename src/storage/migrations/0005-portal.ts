import type { Kysely } from 'kysely'

/**
 * The web portal (issue 5): people's password hashes and portal sessions. Dialect-neutral DDL.
 * - `user_password`: one argon2id PHC string per person (`$argon2id$v=19$m=…`); never a plain password.
 * - `portal_session`: a signed-in browser. `id_digest` is SHA-256 (hex) of the random session id the
 *   cookie carries, so a copy of the database does not hold usable session ids.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('user_password')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('user.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_time', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('portal_session')
    .addColumn('id_digest', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('created_time', 'text', (c) => c.notNull())
    .addColumn('expires_time', 'text', (c) => c.notNull())
    .addColumn('last_seen_time', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('portal_session_user').on('portal_session').column('user_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('portal_session').execute()
  await db.schema.dropTable('user_password').execute()
}
