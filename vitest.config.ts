import { defineConfig } from 'vitest/config'

/**
 * Two projects. `sqlite` runs everything on the default store. `postgres` re-runs every store test
 * and every SDK conformance, security and admin test on PostgreSQL (a fresh schema per server, see
 * test/support/stores.ts); it exists only when OCTAVO_TEST_POSTGRES_URL is set (`.ci/run` sets it).
 * The multi-node tests in test/scale/ run in the `sqlite` project (they bring their own PostgreSQL
 * schema and Redis, and skip with a message when the URLs are unset).
 */
const postgresUrl = process.env.OCTAVO_TEST_POSTGRES_URL
if (!postgresUrl) {
  console.warn('[octavo] OCTAVO_TEST_POSTGRES_URL is unset: the postgres project (conformance and store tests on PostgreSQL) is skipped.')
}

const shared = { testTimeout: 30_000, hookTimeout: 60_000 }

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...shared } },
      ...(postgresUrl
        ? [
            {
              test: {
                name: 'postgres',
                include: [
                  'src/storage/**/*.test.ts',
                  'test/conformance/**/*.test.ts',
                  'test/security/**/*.test.ts',
                  'test/admin/**/*.test.ts',
                  'test/clients/**/*.test.ts',
                  'test/portal/**/*.test.ts',
                  'test/storage/**/*.test.ts',
                  'test/architecture/**/*.test.ts',
                  'test/emulator/**/*.test.ts',
                  'test/webhooks/**/*.test.ts',
                ],
                env: { OCTAVO_TEST_STORE: 'postgres' },
                ...shared,
              },
            },
          ]
        : []),
    ],
  },
})
