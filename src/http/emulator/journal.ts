import type { Explanation, ExplainedCaller } from '../../errors/notion-error.js'

/**
 * The request journal (ADR 22, docs/emulator.md): the last N `/v1` requests of each workspace, kept
 * in memory in one fixed-size ring buffer per workspace (requests whose credential names no
 * workspace — a malformed or unknown token, an unknown URL — share one more buffer). Bounded: at most
 * `size` entries per buffer and `maxWorkspaces` buffers (the least recently written is dropped), and
 * bodies are kept only when `bodies` is on, redacted and capped (http/emulator/redact.ts).
 *
 * Per process: a cluster of nodes has one journal per node; a restart empties it. Read it through
 * `GET /_octavo/admin/requests` and `octavo requests tail`.
 */

/** One journal entry, as the admin API returns it (snake_case, like the rest of the admin API). */
export interface JournalEntry {
  /** Increasing per process; `after=<id>` continues a tail. */
  id: number
  /** ISO-8601 UTC, read from the server's clock when the request arrived. */
  time: string
  request_id: string
  workspace_id: string | null
  /** The credential, by kind, id and name; null when the request named none Octavo knows. */
  caller: { type: ExplainedCaller['type']; id: string; name: string } | null
  /** The SDK method the route serves (`pages.retrieve`), or null (unknown URL, OAuth endpoints). */
  endpoint: string | null
  method: string
  /** Path without the query string. */
  path: string
  status: number
  /** Notion's error `code` for a failed request, else null. */
  error_code: string | null
  /** Why the request was refused, from the permission engine (401/403/404/429 and injected faults). */
  explanation: { kind: string; reason: string; fix: string } | null
  /** The fault rule that acted on this request, if any. */
  fault: string | null
  /** Milliseconds from arrival to the response, one decimal. */
  duration_ms: number
  /** Redacted request body, when bodies are on. */
  request_body?: unknown
  /** Redacted response body, when bodies are on. */
  response_body?: unknown
}

/** Filters of `list`; every given filter must match. */
export interface JournalFilter {
  workspace?: string
  /** Caller id or name (case-insensitive). */
  caller?: string
  endpoint?: string
  /** `404`, or a class: `4xx`, `5xx`. */
  status?: string
  /** ISO-8601 bounds on `time`, inclusive. */
  since?: string
  until?: string
  /** Only entries with a larger id (for `tail --follow`). */
  after?: number
  /** At most this many, the newest ones (default 100, at most the buffer size). */
  limit?: number
}

/** A fixed-size ring buffer: `push` overwrites the oldest entry once full. */
class Ring {
  private readonly items: (JournalEntry | undefined)[]
  private next = 0
  count = 0
  constructor(readonly size: number) {
    this.items = new Array<JournalEntry | undefined>(size)
  }
  push(e: JournalEntry): void {
    this.items[this.next] = e
    this.next = (this.next + 1) % this.size
    if (this.count < this.size) this.count++
  }
  /** Oldest first. */
  *entries(): Generator<JournalEntry> {
    const start = (this.next - this.count + this.size) % this.size
    for (let i = 0; i < this.count; i++) yield this.items[(start + i) % this.size] as JournalEntry
  }
}

const NO_WORKSPACE = ''

export interface JournalOptions {
  /** Entries kept per workspace (`OCTAVO_JOURNAL_SIZE`); 0 turns the journal off. */
  size: number
  /** Keep redacted request and response bodies (`OCTAVO_JOURNAL_BODIES`). */
  bodies: boolean
  /** Most workspaces with a buffer at once (default 1,000). */
  maxWorkspaces?: number
}

export class Journal {
  readonly size: number
  readonly bodies: boolean
  private readonly maxWorkspaces: number
  private readonly rings = new Map<string, Ring>()
  private seq = 0
  /** The workspace written last: already at the end of `rings`' order. */
  private lastKey: string | undefined

  constructor(options: JournalOptions) {
    this.size = Math.max(0, Math.floor(options.size))
    this.bodies = options.bodies
    this.maxWorkspaces = options.maxWorkspaces ?? 1000
  }

  /** Whether entries are recorded at all. */
  get enabled(): boolean {
    return this.size > 0
  }

  /**
   * Records `entry` itself, its `id` (the first key, a placeholder) set here: entries are built for the
   * journal and never touched again, so no copy is made (issue 19: a copy was another object per `/v1`
   * request, and like the entry it lives as long as the buffer keeps it).
   */
  record(entry: JournalEntry): void {
    if (!this.enabled) return
    const key = entry.workspace_id ?? NO_WORKSPACE
    let ring = this.rings.get(key)
    entry.id = ++this.seq
    if (ring && key === this.lastKey) {
      // Already the most recently written workspace: the map's order stands.
      ring.push(entry)
      return
    }
    this.lastKey = key
    if (ring) {
      // Keep the map in write order so the least recently written workspace goes first.
      this.rings.delete(key)
    } else {
      ring = new Ring(this.size)
      if (this.rings.size >= this.maxWorkspaces) {
        const oldest = this.rings.keys().next().value
        if (oldest !== undefined) this.rings.delete(oldest)
      }
    }
    this.rings.set(key, ring)
    ring.push(entry)
  }

  /** Matching entries, oldest first, at most `limit` (the newest ones). */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const rings = filter.workspace !== undefined ? [this.rings.get(filter.workspace)] : [...this.rings.values()]
    const caller = filter.caller?.toLowerCase()
    const status = filter.status
    const klass = status && /^[1-5]xx$/i.test(status) ? Number(status[0]) : undefined
    const out: JournalEntry[] = []
    for (const ring of rings) {
      if (!ring) continue
      for (const e of ring.entries()) {
        if (filter.after !== undefined && e.id <= filter.after) continue
        if (filter.endpoint !== undefined && e.endpoint !== filter.endpoint) continue
        if (caller !== undefined && !(e.caller && (e.caller.id.toLowerCase() === caller || e.caller.name.toLowerCase() === caller)))
          continue
        if (status !== undefined && (klass !== undefined ? Math.floor(e.status / 100) !== klass : String(e.status) !== status)) continue
        if (filter.since !== undefined && e.time < filter.since) continue
        if (filter.until !== undefined && e.time > filter.until) continue
        out.push(e)
      }
    }
    if (rings.length > 1) out.sort((a, b) => a.id - b.id)
    const limit = Math.max(1, Math.min(filter.limit ?? 100, Math.max(this.size, 1) * Math.max(rings.length, 1)))
    return out.length > limit ? out.slice(out.length - limit) : out
  }

  /** Empties one workspace's buffer, or all of them. @returns how many entries were removed. */
  clear(workspace?: string): number {
    let removed = 0
    for (const [key, ring] of this.rings) {
      if (workspace !== undefined && key !== workspace) continue
      removed += ring.count
      this.rings.delete(key)
    }
    return removed
  }
}

/** The explanation as stored in an entry (without the credential, which the entry names already). */
export function entryExplanation(e: Explanation | undefined): JournalEntry['explanation'] {
  return e ? { kind: e.kind, reason: e.reason, fix: e.fix } : null
}
