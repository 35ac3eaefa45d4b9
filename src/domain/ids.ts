import { randomUUID } from 'node:crypto'

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PLAIN = /^[0-9a-f]{32}$/i

/**
 * Normalises a Notion id: accepts dashed or dash-less, any case ("You may omit dashes from the ID",
 * digest §0) and returns dashed lower-case, or `undefined` when the text is not a UUID.
 */
export function parseId(text: string): string | undefined {
  if (DASHED.test(text)) return text.toLowerCase()
  if (PLAIN.test(text)) {
    const t = text.toLowerCase()
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}`
  }
  return undefined
}

/** A new random UUIDv4, dashed lower-case. */
export function newId(): string {
  return randomUUID()
}

/** The 32-hex form used in Notion URLs. */
export function compactId(id: string): string {
  return id.replace(/-/g, '')
}
