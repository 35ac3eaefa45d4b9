/**
 * `OCTAVO_DATABASE_URL` helpers that need no database driver, so the CLI can name a store without
 * loading PostgreSQL's (postgres-store.ts is imported only when a PostgreSQL store opens).
 */

/** The URL with its password replaced by `***`, for logs and health output. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(unparseable URL)'
  }
}
