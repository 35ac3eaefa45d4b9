import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0004 from './0004-data-source-values.js'

/**
 * The ordered list of migrations, registered statically so the same list runs from `tsx`, vitest and
 * `dist/` alike. Append new files here; never edit a migration that has shipped.
 */
export const migrationProvider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => ({
    '0001-initial': m0001,
    '0004-data-source-values': m0004,
  }),
}
