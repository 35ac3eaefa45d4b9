import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0002 from './0002-people.js'
import * as m0003 from './0003-personal-access-tokens.js'
import * as m0004 from './0004-data-source-values.js'
import * as m0005 from './0005-portal.js'
import * as m0006 from './0006-comment-order.js'
import * as m0007 from './0007-public-connections.js'
import * as m0008 from './0008-change-events.js'
import * as m0011 from './0011-views.js'
import * as m0012 from './0012-webhooks.js'
import * as m0009 from './0009-file-uploads.js'
import * as m0013 from './0013-storage-quota.js'
import * as m0014 from './0014-async-tasks-custom-emojis.js'
import * as m0016 from './0016-admin-api.js'
import * as m0019 from './0019-title-search-index.js'
import * as m0021 from './0021-partial-value-indexes.js'

/**
 * The ordered list of migrations, registered statically so the same list runs from `tsx`, vitest and
 * `dist/` alike. Append new files here; never edit a migration that has shipped.
 */
export const migrationProvider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => ({
    '0001-initial': m0001,
    '0002-people': m0002,
    '0003-personal-access-tokens': m0003,
    '0004-data-source-values': m0004,
    '0005-portal': m0005,
    '0006-comment-order': m0006,
    '0007-public-connections': m0007,
    '0008-change-events': m0008,
    '0011-views': m0011,
    '0012-webhooks': m0012,
    '0009-file-uploads': m0009,
    '0013-storage-quota': m0013,
    '0014-async-tasks-custom-emojis': m0014,
    '0016-admin-api': m0016,
    '0019-title-search-index': m0019,
    '0021-partial-value-indexes': m0021,
  }),
}
