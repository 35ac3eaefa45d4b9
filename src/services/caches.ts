import type { ApiCaller } from '../auth/principal.js'
import {
  EVENT_STAMP_LIMIT,
  eventLogPosition,
  eventStampsAfter,
  eventStampsAt,
  type EventStamp,
} from '../storage/repositories/events.repository.js'
import type { TokenContext } from '../storage/repositories/tokens.repository.js'
import type { Db } from '../storage/store.js'

/**
 * In-process caches of what every `/v1` request reads before its handler: the bearer token with its
 * connection and workspace (by HMAC digest; connection tokens, and since issue 19's second part also
 * personal access tokens with their creator's role, groups and policy verdict, and OAuth access tokens
 * with their install), and the caller's level on a permission root
 * (docs/adr/0024-caches-and-statement-reuse.md).
 *
 * **Freshness.** The change-event outbox (ADR 15, `change_event`) is the invalidation log: every
 * repository write that can change a cached value appends its event in the same transaction. Each
 * `/v1` request starts with `sync` (through `syncForRequest`, one per turn of the event loop): one
 * statement reading the log's position (its highest `seq` and its oldest event's id, two index
 * lookups); only when it moved are the new events read, and each
 * drops the cache entries it may affect before the request reads any. A log that was emptied and
 * restarted (the admin reset) drops everything. So a change committed on any node applies on every node from the very next
 * request, as without caches. A write committed through this process's own store marks the caches
 * stale, so the next lookup in the same request syncs again first.
 *
 * **What an event drops.** Content events (`CONTENT_EVENTS`: page and block edits, comments, data-source
 * edits) drop nothing: they change no token, connection, workspace or ACL. Any other event of a
 * workspace drops that workspace's entries of both caches; an event without a workspace, or more
 * events than one read returns (`EVENT_STAMP_LIMIT`), drops everything. Unknown event types drop, so a
 * new kind of change is safe by default.
 *
 * **Commit order (PostgreSQL).** Sequence numbers are taken when a row is inserted, not when its
 * transaction commits, so an event with a lower `seq` may become visible after a higher one. A `seq`
 * missing below the highest seen is kept as pending: every sync asks how many of the pending `seq`s
 * exist in its position read (the same statement), and reads those events by their `seq`s only when
 * some did. A transaction that rolls back (or is retried after a serialization failure) leaves its
 * `seq`s missing for good; the position read also gives its snapshot's bounds (`horizon`), and a gap
 * closes, dropping nothing, once every transaction that could have taken it has ended
 * ([ADR 50](../../docs/adr/0050-gaps-closed-by-snapshot-bounds.md)). Before, each such gap was probed by
 * every sync for `PENDING_GAP_MS`, about a hundred index reads per position read after a burst of writes
 * (bench/RESULTS.md, session 13). A gap still open after `PENDING_GAP_MS` (a transaction open that long,
 * or a long write transaction elsewhere holding the snapshots' `xmin` back) drops every entry once and is
 * given up: a transaction that commits more than `PENDING_GAP_MS` after appending its event could leave
 * an entry loaded in between stale; writes append their events last and commit at once, so this needs a
 * stalled commit. SQLite writes one transaction at a time, so no gap stays open there.
 *
 * **Rows** (`row`, issue 19, [ADR 44](../../docs/adr/0044-row-cache.md)): rows read by id outside a transaction
 * (pages, databases and blocks in `loadAuthorized`, users in `users.me`), frozen. Unlike the other
 * entries, every event drops all of them (content events included), and so does every local commit
 * (`markStale`): a row is only ever served while the log has not moved since it was read, so it is
 * exactly what the store would answer. Values derived from many rows (`derived`, [ADR 45](../../docs/adr/0045-cached-visible-set.md):
 * what a set of principals can see, for search) follow the same rule, weighed and bounded apart.
 *
 * Entries are bounded (`maxTokens`, `maxAcl`, `maxRows`; the oldest go first). Nothing secret is kept: tokens are
 * keyed by their digest, never the token.
 */
export interface CacheOptions {
  /** Most token entries kept (default 10,000). */
  maxTokens?: number
  /** Most ACL entries kept, over all workspaces (default 100,000). */
  maxAcl?: number
  /** Most rows kept (default 10,000). */
  maxRows?: number
  /** Total weight of the derived sets kept (`derived`; default 200,000, e.g. readable roots plus visible nodes). */
  maxDerivedWeight?: number
  /**
   * Whether `syncForRequest` waits for the end of the loop turn so that the turn's requests share one
   * read (ADR 46; default false: each request syncs at once, sharing only a read in flight).
   */
  syncPerTurn?: boolean
  /** Milliseconds a missing `seq` is waited for (default 30 s), after which everything is dropped once. */
  pendingGapMs?: number
  /** Clock for the pending gaps (epoch ms). */
  now?: () => number
}

/** Event types that change only content: they affect no cached token, connection, workspace or ACL. */
export const CONTENT_EVENTS: ReadonlySet<string> = new Set([
  'block.appended',
  'block.updated',
  'page.created',
  'page.updated',
  'database.created',
  'database.updated',
  'data_source.created',
  'data_source.updated',
  'data_source.schema_changed',
  'comment.created',
  'async_task.created',
  'async_task.running',
  'async_task.succeeded',
  'async_task.failed',
  'custom_emoji.created',
  'custom_emoji.deleted',
  'user.signed_in',
  'user.signed_out',
  'connection.token_revealed',
  'pat.revealed',
  'public_connection.secret_revealed',
])

/** How long a missing `seq` is waited for before it is taken for a rolled-back transaction. */
export const PENDING_GAP_MS = 30_000

/** How many of the newest events the first sync reads back (see `#syncOnce`). */
const FIRST_LOOKBACK = 200

/** A cached bearer token (any kind) and the workspace whose events drop it. */
interface CachedBearer {
  /** The workspace whose events drop the entry, and a second one (an OAuth client's own workspace). */
  workspaceId: string
  alsoWorkspaceId?: string
  value: unknown
}

/** A workspace's ACL entries: `<root id> <principals joined by space>` → level. */
type AclMap = Map<string, number>

/** The caches of one process over one store; see the module comment. */
export class Caches {
  readonly #maxTokens: number
  readonly #maxAcl: number
  readonly #maxRows: number
  readonly #pendingGapMs: number
  readonly #now: () => number
  /** Highest `seq` seen; -1 before the first sync. */
  #seq = -1
  /** Id of the oldest event when last synced: another one means the log was restarted. */
  #firstId: string | null = null
  /**
   * `seq`s below `#seq` not seen yet → when first missed (`since`, epoch ms) and, on PostgreSQL, the
   * `next` id of the first position read after that (`before`): the transaction that took the `seq`
   * has an id below it (`EventLogPosition.horizon`).
   */
  readonly #pending = new Map<number, { since: number; before?: number }>()
  #stale = true
  /** Bumped whenever entries are dropped: a value loaded across a bump is not kept. */
  #generation = 0
  /** In-flight sync and whether another was asked for while it ran (see `sync`). */
  #running: Promise<void> | undefined
  #next: Promise<void> | undefined
  readonly #syncPerTurn: boolean
  /** The request sync of this loop turn, not started yet (see `syncForRequest`). */
  #batch: Promise<void> | undefined
  /** Bearer entries by key (`token`: the connection-token digest; `bearer`: kind and digest). */
  readonly #tokens = new Map<string, CachedBearer>()
  /** Digests known not to name a token, until the next token-affecting event. */
  readonly #unknown = new Set<string>()
  readonly #acl = new Map<string, AclMap>()
  #aclSize = 0
  /** Rows by `<kind> <id>` (see the module comment), and a counter bumped whenever they are dropped. */
  readonly #rows = new Map<string, object>()
  #rowGeneration = 0
  /** Derived sets by key (`derived`), their weights and the sum; dropped with the rows. */
  readonly #derived = new Map<string, { value: object; weight: number }>()
  #derivedWeight = 0
  readonly #maxDerivedWeight: number
  /** Counters for tests and /metrics-style inspection. */
  readonly stats = {
    syncs: 0,
    /** Event stamps read by syncs (new events, and pending gaps that filled). */
    stampsRead: 0,
    /** Reads of pending gaps by their `seq`s: only once the position read counted one that filled. */
    gapReads: 0,
    /** Pending gaps closed because their transaction ended without committing (PostgreSQL's `horizon`). */
    gapsClosed: 0,
    events: 0,
    tokenHits: 0,
    tokenMisses: 0,
    /** Hits and misses of personal access tokens and OAuth access tokens (`bearer`), counted apart. */
    bearerHits: 0,
    bearerMisses: 0,
    aclHits: 0,
    aclMisses: 0,
    rowHits: 0,
    rowMisses: 0,
    derivedHits: 0,
    derivedMisses: 0,
    dropped: 0,
  }

  constructor(opts: CacheOptions = {}) {
    this.#maxTokens = opts.maxTokens ?? 10_000
    this.#maxAcl = opts.maxAcl ?? 100_000
    this.#maxRows = opts.maxRows ?? 10_000
    this.#syncPerTurn = opts.syncPerTurn ?? false
    this.#maxDerivedWeight = opts.maxDerivedWeight ?? 200_000
    this.#pendingGapMs = opts.pendingGapMs ?? PENDING_GAP_MS
    this.#now = opts.now ?? Date.now
  }

  /** Marks the caches stale after a local commit: the next lookup syncs first. */
  markStale(): void {
    this.#stale = true
    this.#dropRows()
  }

  /** Drops every row: the log moved, or this process committed. */
  #dropRows(): void {
    this.#rowGeneration++
    this.#rows.clear()
    this.#derived.clear()
    this.#derivedWeight = 0
  }

  /**
   * `sync` for the start of a request, shared by every request read in the same turn of the event
   * loop: the sync starts in the check phase (`setImmediate`), after the poll phase has read every
   * socket that was ready, so it starts after each of these requests arrived and sees every commit
   * acknowledged before any of them was sent, as a sync of its own would. Under concurrent load one
   * position read then serves a whole batch instead of one statement per request (issue 19,
   * [ADR 46](../../docs/adr/0046-one-position-read-per-loop-turn.md)); a lone request waits one loop
   * phase. Only with `syncPerTurn` (SQLite); otherwise `sync` at once. Rejects as `sync` does.
   */
  syncForRequest(db: Db): Promise<void> {
    if (!this.#syncPerTurn) return this.sync(db)
    this.#batch ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#batch = undefined
        this.sync(db).then(resolve, reject)
      })
    })
    return this.#batch
  }

  /**
   * Reads the events committed since the last sync and drops what they affect. Concurrent callers
   * share work only with a sync that started after they asked (a sync that began earlier may have
   * missed a commit they must see).
   */
  sync(db: Db): Promise<void> {
    if (!this.#running) {
      this.#running = this.#syncOnce(db).finally(() => {
        this.#running = undefined
      })
      return this.#running
    }
    // One is running: wait for it, then run one more for everyone who asked meanwhile.
    this.#next ??= this.#running.then(
      () => {
        this.#next = undefined
        return this.sync(db)
      },
      () => {
        this.#next = undefined
        return this.sync(db)
      },
    )
    return this.#next
  }

  async #syncOnce(db: Db): Promise<void> {
    this.#stale = false
    this.stats.syncs++
    // The pending gaps are asked about in the same statement: while one waits, a sync stays one round trip.
    const pos = await eventLogPosition(db, this.#pending.size > 0 ? [...this.#pending.keys()] : undefined)
    const restarted = (this.#firstId !== null && pos.firstId !== this.#firstId) || pos.last < this.#seq
    if (this.#seq < 0 || restarted) {
      // First sync, or the log was emptied and restarted (admin reset, import): start over. The
      // newest few events are read back so that gaps among them (PostgreSQL transactions still
      // open) are waited for.
      if (this.#seq >= 0) this.clear()
      this.#pending.clear()
      this.#firstId = pos.firstId
      this.#seq = Math.max(0, pos.last - FIRST_LOOKBACK)
    } else {
      this.#firstId ??= pos.firstId
    }
    const ended = this.#endedGaps(pos.horizon)
    if (pos.last === this.#seq && (this.#pending.size === 0 || pos.filled === 0)) {
      this.#closeGaps(ended)
      this.#expirePending()
      return
    }
    // The log moved: whatever changed, no row read before stays. A gap still pending with no new event
    // keeps them: its transaction has not committed, so what they hold is still the store's (its event,
    // once visible, is new below and drops them then). Dropping them on every sync while a gap waits
    // (30 s after a rolled-back write on PostgreSQL) made every read a miss meanwhile.
    if (pos.last !== this.#seq) this.#dropRows()
    // Pending gaps that filled are read by their own `seq`s. Reading everything after the oldest of them
    // instead read, on every request for 30 s after a rolled-back write, every event committed since
    // (hundreds after a burst of writes on PostgreSQL).
    if (this.#pending.size > 0 && pos.filled > 0) {
      this.stats.gapReads++
      const filled = await eventStampsAt(db, [...this.#pending.keys()])
      this.stats.stampsRead += filled.length
      for (const s of filled) {
        if (!this.#pending.delete(s.seq)) continue
        this.#dropRows()
        this.#apply(s)
      }
    }
    this.#closeGaps(ended)
    const stamps = pos.last === this.#seq ? [] : await eventStampsAfter(db, this.#seq)
    this.stats.stampsRead += stamps.length
    if (stamps.length === 0) {
      this.#expirePending()
      return
    }
    if (stamps.length >= EVENT_STAMP_LIMIT) {
      // Too many to read one by one: drop everything and resume after the last one read.
      this.clear()
      this.#pending.clear()
      this.#seq = Math.max(this.#seq, stamps[stamps.length - 1]!.seq)
      this.#stale = true
      return
    }
    // Every stamp is new (after `#seq`); a `seq` skipped between them is a gap to wait for.
    for (const s of stamps) {
      for (let missing = this.#seq + 1; missing < s.seq; missing++) this.#pending.set(missing, { since: this.#now() })
      this.#seq = s.seq
      this.#dropRows()
      this.#apply(s)
    }
    this.#expirePending()
  }

  /**
   * The pending `seq`s whose transactions had ended by a position read with snapshot bounds `horizon`
   * (PostgreSQL; none on SQLite): those whose `before` is at most its `xmin`. Each gap without a
   * `before` takes this read's `next` first, since this read came after the gap was seen. Such a gap
   * that this read did not count as filled was left by a transaction that never committed (rolled back,
   * or retried after a serialization failure), and no event will ever take its `seq`.
   */
  #endedGaps(horizon: { xmin: number; next: number } | undefined): number[] {
    if (!horizon || this.#pending.size === 0) return []
    const ended: number[] = []
    for (const [seq, gap] of this.#pending) {
      gap.before ??= horizon.next
      if (gap.before <= horizon.xmin) ended.push(seq)
    }
    return ended
  }

  /**
   * Stops waiting for `seqs` (`#endedGaps`) that are still pending after this sync read the ones that
   * filled: they never committed, so nothing changed and no entry is dropped (a gap that times out
   * instead drops everything, `#expirePending`).
   */
  #closeGaps(seqs: readonly number[]): void {
    for (const seq of seqs) if (this.#pending.delete(seq)) this.stats.gapsClosed++
  }

  #expirePending(): void {
    if (this.#pending.size === 0) return
    const cutoff = this.#now() - this.#pendingGapMs
    let expired = false
    for (const [seq, { since }] of this.#pending) {
      if (since < cutoff) {
        this.#pending.delete(seq)
        expired = true
      }
    }
    // A gap given up on, or too many open at once: whatever they were, drop everything once.
    if (this.#pending.size > EVENT_STAMP_LIMIT / 2) {
      this.#pending.clear()
      expired = true
    }
    if (expired) this.clear()
  }

  #apply(e: EventStamp): void {
    this.stats.events++
    if (CONTENT_EVENTS.has(e.type)) return
    if (e.workspaceId === null) {
      this.clear()
      return
    }
    this.dropWorkspace(e.workspaceId)
  }

  /**
   * Forgets every entry and the log position, as at start-up: for a store whose content was replaced
   * (snapshot restore, fixture load), whose log may stand at the same `seq` with other events.
   */
  forget(): void {
    this.clear()
    this.#pending.clear()
    this.#firstId = null
    this.#seq = -1
    this.#stale = true
  }

  /** Drops every entry. */
  clear(): void {
    this.#dropRows()
    this.#generation++
    this.stats.dropped += this.#tokens.size + this.#aclSize
    this.#tokens.clear()
    this.#unknown.clear()
    this.#acl.clear()
    this.#aclSize = 0
  }

  /** Drops a workspace's tokens and ACL entries (and every negative token entry). */
  dropWorkspace(workspaceId: string): void {
    this.#generation++
    for (const [digest, t] of this.#tokens) {
      if (t.workspaceId === workspaceId || t.alsoWorkspaceId === workspaceId) {
        this.#tokens.delete(digest)
        this.stats.dropped++
      }
    }
    this.#unknown.clear()
    const acl = this.#acl.get(workspaceId)
    if (acl) {
      this.#aclSize -= acl.size
      this.stats.dropped += acl.size
      this.#acl.delete(workspaceId)
    }
  }

  /** Syncs when a local commit happened since the last sync. */
  async #fresh(db: Db): Promise<void> {
    if (this.#stale) await this.sync(db)
  }

  /**
   * The connection token whose digest is `digest`, from the cache or `load` (then kept; a miss is
   * remembered too). The caller must have synced in this request (`sync`).
   */
  async token(db: Db, digest: string, load: () => Promise<TokenContext | undefined>): Promise<TokenContext | undefined> {
    const hit = await this.#lookup(db, digest, load, (t) => t.workspace.id)
    if (hit.cached) this.stats.tokenHits++
    else this.stats.tokenMisses++
    return hit.value
  }

  /**
   * What authenticating a personal access token or an OAuth access token read, by `kind` and HMAC
   * `digest`, from the cache or `load` (then kept; undefined — no such token — is remembered too until
   * the next token-affecting event). `workspaceOf` names the workspace whose events drop the entry (or
   * two: an OAuth token's install workspace and its public connection's own workspace): a value must hold only what changes through events of that workspace (token row, install, creator's
   * role and groups, PAT policy, plan), never what changes with the clock (PAT expiry is checked by the
   * caller on every use). The caller must have synced in this request (`sync`).
   */
  async bearer<T>(
    db: Db,
    kind: 'personal' | 'oauth',
    digest: string,
    load: () => Promise<T | undefined>,
    workspaceOf: (value: T) => string | [string, string],
  ): Promise<T | undefined> {
    const hit = await this.#lookup(db, `${kind} ${digest}`, load, workspaceOf)
    if (hit.cached) this.stats.bearerHits++
    else this.stats.bearerMisses++
    return hit.value
  }

  async #lookup<T>(
    db: Db,
    key: string,
    load: () => Promise<T | undefined>,
    workspaceOf: (value: T) => string | [string, string],
  ): Promise<{ cached: boolean; value: T | undefined }> {
    await this.#fresh(db)
    const hit = this.#tokens.get(key)
    if (hit) return { cached: true, value: hit.value as T }
    if (this.#unknown.has(key)) return { cached: true, value: undefined }
    const before = this.#generation
    const found = await load()
    // Keep it only when nothing was dropped meanwhile (the value might predate that change).
    if (before !== this.#generation || this.#stale) return { cached: false, value: found }
    if (found !== undefined) {
      if (this.#tokens.size >= this.#maxTokens) this.#tokens.delete(this.#tokens.keys().next().value as string)
      const ws = workspaceOf(found)
      this.#tokens.set(
        key,
        typeof ws === 'string' ? { workspaceId: ws, value: found } : { workspaceId: ws[0], alsoWorkspaceId: ws[1], value: found },
      )
    } else {
      if (this.#unknown.size >= this.#maxTokens) this.#unknown.clear()
      this.#unknown.add(key)
    }
    return { cached: false, value: found }
  }

  /** The level of `principals` on root `rootId` of `workspaceId`, from the cache or `load`. */
  async level(db: Db, workspaceId: string, rootId: string, principals: string[], load: () => Promise<number>): Promise<number> {
    await this.#fresh(db)
    const key = principals.length === 1 ? `${rootId} ${principals[0]}` : `${rootId} ${principals.join(' ')}`
    let acl = this.#acl.get(workspaceId)
    const hit = acl?.get(key)
    if (hit !== undefined) {
      this.stats.aclHits++
      return hit
    }
    this.stats.aclMisses++
    const before = this.#generation
    const level = await load()
    if (before !== this.#generation || this.#stale) return level
    if (this.#aclSize >= this.#maxAcl) this.clear()
    acl = this.#acl.get(workspaceId)
    if (!acl) this.#acl.set(workspaceId, (acl = new Map()))
    acl.set(key, level)
    this.#aclSize++
    return level
  }

  /**
   * The row `<kind> <id>` (`block 59…`, `user 3a…`), from the cache or `load` (kept when the log did
   * not move meanwhile). What it returns is frozen, whether cached or not, so a caller that would
   * change a shared row fails at once instead of changing another request's answer. Undefined (no such
   * row) is not kept. The caller must have synced in this request (`sync`) and must not be in a
   * transaction (`cachesFor` returns no caches there).
   */
  async row<T extends object>(db: Db, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.#fresh(db)
    const hit = this.#rows.get(key)
    if (hit) {
      this.stats.rowHits++
      return hit as T
    }
    this.stats.rowMisses++
    const before = this.#rowGeneration
    const row = await load()
    if (row === undefined) return undefined
    Object.freeze(row)
    if (before !== this.#rowGeneration || this.#stale) return row
    if (this.#rows.size >= this.#maxRows) this.#rows.delete(this.#rows.keys().next().value as string)
    this.#rows.set(key, row)
    return row
  }

  /**
   * A value derived from many rows (issue 19, [ADR 45](../../docs/adr/0045-cached-visible-set.md): the roots
   * and the visible nodes' keys a set of principals reads in search), under `key`, from the cache or
   * `load` (kept when the log did not move meanwhile). The same rule as `row`: every new event and every
   * local commit drops all of them, so a value is only served while the store would still compute it.
   * `weigh` gives its size in the caller's units (roots, keys); the sum over all kept values stays at or
   * under `maxDerivedWeight` (the oldest go first; a value heavier than the whole budget is not kept).
   * The returned object is frozen, shallowly: what it holds may be a memo or counter its caller fills while the entry
   * is kept (search's trash flags), which any drop discards with it; anything else in it is read-only.
   * The caller must have synced in this request (`sync`) and must not be in a transaction.
   */
  async derived<T extends object>(db: Db, key: string, load: () => Promise<T>, weigh: (value: T) => number): Promise<T> {
    await this.#fresh(db)
    const hit = this.#derived.get(key)
    if (hit) {
      this.stats.derivedHits++
      return hit.value as T
    }
    this.stats.derivedMisses++
    const before = this.#rowGeneration
    const value = Object.freeze(await load())
    if (before !== this.#rowGeneration || this.#stale) return value
    const weight = Math.max(1, weigh(value))
    if (weight > this.#maxDerivedWeight) return value
    while (this.#derivedWeight + weight > this.#maxDerivedWeight) {
      const [oldest, entry] = this.#derived.entries().next().value as [string, { weight: number }]
      this.#derived.delete(oldest)
      this.#derivedWeight -= entry.weight
    }
    this.#derived.set(key, { value, weight })
    this.#derivedWeight += weight
    return value
  }

  /** Entry counts (tests, diagnostics). */
  sizes(): {
    tokens: number
    unknownTokens: number
    acl: number
    rows: number
    derived: number
    derivedWeight: number
    pending: number
    seq: number
  } {
    return {
      tokens: this.#tokens.size,
      unknownTokens: this.#unknown.size,
      acl: this.#aclSize,
      rows: this.#rows.size,
      derived: this.#derived.size,
      derivedWeight: this.#derivedWeight,
      pending: this.#pending.size,
      seq: this.#seq,
    }
  }
}

/** Callers authenticated by a request that synced the caches, with the caches they may use. */
const synced = new WeakMap<ApiCaller, Caches>()

/** Records that `caller` comes from a request that synced `caches` (see `authenticateBearer`). */
export function bindCaches(caller: ApiCaller, caches: Caches): ApiCaller {
  synced.set(caller, caches)
  return caller
}

/**
 * The caches a lookup for `caller` on `db` may use: only for a caller from a synced request, and never
 * inside a transaction (which may hold its own uncommitted changes). Undefined → read the store.
 */
export function cachesFor(db: Db, caller: ApiCaller): Caches | undefined {
  if (db.isTransaction) return undefined
  return synced.get(caller)
}
