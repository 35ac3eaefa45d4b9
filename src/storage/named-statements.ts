/**
 * Names for PostgreSQL prepared statements (issue 19, docs/adr/0032-title-search-index.md §4). The
 * hot statements compiled once (`storage/repositories/compiled.ts`) register their SQL text here; the
 * PostgreSQL store's pool sends a registered text as `{ name, text, values }` (node-postgres), so each
 * pooled connection parses and plans it once and then only binds and executes it (one round trip, no
 * Parse message). Any other text goes as before (an unnamed statement).
 *
 * Names are `octavo_<n>` in registration order, the same for every connection of the process. A named
 * statement lives as long as its connection; the text and its tables never change under it (schema
 * changes happen only in migrations, before any request, and restores refill tables in place).
 */
const names = new Map<string, string>()

/** Registers `sql` (a compiled statement's exact text) and returns its statement name. */
export function nameStatement(sql: string): string {
  let name = names.get(sql)
  if (!name) {
    name = `octavo_${names.size + 1}`
    names.set(sql, name)
  }
  return name
}

/** The statement name of `sql`, or undefined when it was not registered. */
export function statementName(sql: string): string | undefined {
  return names.get(sql)
}
