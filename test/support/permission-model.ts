import type { MemberRole } from '../../src/domain/workspace.js'
export { PortalAgent } from './portal-agent.js'

/**
 * Support for test/security/people-permissions.property.test.ts: an independent reference model of
 * who can do what on a page tree (ADR 4, ADR 9, docs/architecture.md "Permissions"), a cookie-keeping
 * portal client, and the run settings read from the environment. Nothing here imports the engine's
 * permission code: the model is plain maps and recursion, so a bug in the engine cannot hide in it.
 */

/** Property runs: `OCTAVO_PROPERTY_RUNS` (e.g. 5000 for a long soak), else `fallback` (CI). */
export function propertyRuns(fallback: number): number {
  const n = Number(process.env.OCTAVO_PROPERTY_RUNS)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

/**
 * fast-check settings for a reproducible run: the seed is fixed unless `OCTAVO_PROPERTY_SEED` gives
 * another; `OCTAVO_PROPERTY_PATH` replays one counterexample (the `path` fast-check prints).
 */
export function propertySettings(fallbackRuns: number, fallbackSeed: number): { numRuns: number; seed: number; path?: string } {
  const seed = Number(process.env.OCTAVO_PROPERTY_SEED)
  const path = process.env.OCTAVO_PROPERTY_PATH
  return { numRuns: propertyRuns(fallbackRuns), seed: Number.isInteger(seed) ? seed : fallbackSeed, ...(path ? { path } : {}) }
}

export type Principal = string
export type Role = MemberRole | 'removed'

/** Levels as ADR 4 numbers them: view 1 … full 5, 0 = no access. */
export const LEVEL = { none: 0, view: 1, comment: 2, edit_content: 3, edit: 4, full: 5 } as const
/** The level a connection gets on a page shared with it (ADR 4: connections edit what is shared). */
export const CONNECTION_LEVEL = LEVEL.edit

export type NodeKind = 'page' | 'database'

export interface ModelNode {
  kind: NodeKind
  /** Index of the parent node (a page, or the database whose data source holds this row), or null at the top. */
  parent: number | null
  /** Whether it inherits its parent's people entries (connections' `bot:` entries always flow down). */
  inherits: boolean
  /** Its own grants, principal → level. */
  own: Map<Principal, number>
}

const isBot = (p: Principal) => p.startsWith('bot:')

/**
 * The reference model. Principals are the engine's strings (`user:<id>`, `members:<ws>`,
 * `group:<id>`, `bot:<id>`) so a failure message reads the same on both sides.
 */
export class PermissionModel {
  nodes: ModelNode[] = []
  roles: Role[] = []
  /** Group index → member user indexes. */
  groups: Set<number>[] = []
  constructor(
    readonly ws: string,
    readonly userIds: string[],
    readonly groupIds: string[],
  ) {}

  /** A row is a page whose parent is a database (it lives in that database's data source). */
  isRow(i: number): boolean {
    const p = this.nodes[i]?.parent
    return p !== null && p !== undefined && this.nodes[p]?.kind === 'database'
  }

  /** Effective ACL: own grants ⊕ (inherits ? parent's ACL : parent's bot entries), highest wins. */
  acl(i: number): Map<Principal, number> {
    const n = this.nodes[i] as ModelNode
    const out = new Map<Principal, number>()
    if (n.parent !== null) for (const [k, v] of this.acl(n.parent)) if (n.inherits || isBot(k)) out.set(k, v)
    for (const [k, v] of n.own) out.set(k, Math.max(out.get(k) ?? 0, v))
    return out
  }

  /** What `principal` would inherit on node `i` from its parent (0 when it does not inherit). */
  inherited(i: number, principal: Principal): number {
    const n = this.nodes[i] as ModelNode
    return n.parent !== null && n.inherits ? (this.acl(n.parent).get(principal) ?? 0) : 0
  }

  isFull(u: number): boolean {
    const r = this.roles[u]
    return r === 'owner' || r === 'membership_admin' || r === 'member'
  }

  /** ADR 9: `user:`, `members:` for full members, `group:` for non-guests; null when not a member. */
  principals(u: number): Principal[] | null {
    const role = this.roles[u] as Role
    if (role === 'removed') return null
    const out = [`user:${this.userIds[u]}`]
    if (this.isFull(u)) out.push(`members:${this.ws}`)
    if (role !== 'guest') this.groups.forEach((g, gi) => g.has(u) && out.push(`group:${this.groupIds[gi]}`))
    return out
  }

  /** A person's level on node `i` (0 for a non-member). */
  level(u: number, i: number): number {
    const ps = this.principals(u)
    if (!ps) return 0
    const acl = this.acl(i)
    return Math.max(0, ...ps.map((p) => acl.get(p) ?? 0))
  }

  /** A connection's level on node `i`. */
  botLevel(botId: string, i: number): number {
    return this.acl(i).get(`bot:${botId}`) ?? 0
  }

  /** Whether `i` is `of` or lies below it. */
  isDescendant(i: number, of: number): boolean {
    for (let p: number | null = i; p !== null; p = (this.nodes[p] as ModelNode).parent) if (p === of) return true
    return false
  }

  /** "Page access is different": copy the parent's people entries onto the node, stop inheriting. */
  breakAt(i: number): void {
    const n = this.nodes[i] as ModelNode
    if (!n.inherits) return
    if (n.parent !== null) for (const [k, v] of this.acl(n.parent)) if (!isBot(k)) n.own.set(k, Math.max(n.own.get(k) ?? 0, v))
    n.inherits = false
  }

  /** Restore: drop the node's people grants (connections' stay), inherit again. */
  restore(i: number): void {
    const n = this.nodes[i] as ModelNode
    for (const k of [...n.own.keys()]) if (!isBot(k)) n.own.delete(k)
    n.inherits = true
  }

  /** People grants of node `i` (connections' left out). */
  ownPeople(i: number): number {
    return [...(this.nodes[i] as ModelNode).own.keys()].filter((k) => !isBot(k)).length
  }

  /** What the portal lists in node `i`'s body: child pages and databases of a page, rows of a database. */
  listedIn(i: number): number[] {
    return this.nodes.flatMap((n, j) => (n.parent === i ? [j] : []))
  }
}

/** Titles linked from a portal page view's body (`<article class="doc">`): child pages, databases, rows. */
export function listedTitles(html: string): string[] {
  const article = /<article class="doc"[^>]*>([\s\S]*?)<\/article>/.exec(html)?.[1] ?? ''
  return [...article.matchAll(/<a href="\/w\/[^/"]+\/pages\/[^"]+">([^<]*)<\/a>/g)].map((m) => m[1] as string)
}

/** Page and database ids of the portal's sidebar tree (`<nav aria-label="Pages">`). */
export function sidebarIds(html: string): string[] {
  const nav = /<nav aria-label="Pages">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? ''
  return [...nav.matchAll(/href="\/w\/[^/"]+\/pages\/([^"?#]+)"/g)].map((m) => m[1] as string)
}
