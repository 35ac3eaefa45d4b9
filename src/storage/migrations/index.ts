import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0006 from './0006-comment-order.js'

/**
 * The ordered list of migrations, registered statically so the same list runs from `tsx`, vitest and
 * `dist/` alike. Append new files here; never edit a migration that has shipped.
 */
export const migrationProvider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => ({
    '0001-initial': m0001,
    '0006-comment-order': m0006,
  }),
}
