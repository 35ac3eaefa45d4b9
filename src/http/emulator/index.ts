import type { ApiCaller } from '../../auth/principal.js'
import type { Clock } from '../../domain/clock.js'
import { NotionApiError, type ExplainedCaller, type Explanation } from '../../errors/notion-error.js'
import type { AppContext } from '../context.js'
import { Faults, type FaultRuleInput } from './faults.js'
import { entryExplanation, Journal, type JournalEntry } from './journal.js'
import { redactBody } from './redact.js'

export { Faults, Journal }

/**
 * The emulator kit's request-time parts (ADR 22, docs/emulator.md): the request journal, the
 * `x-octavo-explain` header, and fault injection. One per app; `createApp` builds a default one
 * (journal on, 200 entries, no bodies, explanations off, no faults) when none is given.
 */
export interface Emulator {
  journal: Journal
  faults: Faults
  /** Send `x-octavo-explain` on refused requests (`OCTAVO_EXPLAIN`). The journal records explanations always. */
  explain: boolean
}

export interface EmulatorOptions {
  /** Entries per workspace (`OCTAVO_JOURNAL_SIZE`, default 200; 0 = off). */
  journalSize?: number
  /** Keep redacted bodies (`OCTAVO_JOURNAL_BODIES`, default off). */
  journalBodies?: boolean
  /** `x-octavo-explain` on refusals (`OCTAVO_EXPLAIN`, default off). */
  explain?: boolean
  /** Rules active from the start (`OCTAVO_FAULTS`). */
  faults?: FaultRuleInput[]
}

/** Default entries per workspace. */
export const DEFAULT_JOURNAL_SIZE = 200

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const faults = new Faults()
  for (const r of options.faults ?? []) faults.add(r)
  return {
    journal: new Journal({ size: options.journalSize ?? DEFAULT_JOURNAL_SIZE, bodies: options.journalBodies ?? false }),
    faults,
    explain: options.explain ?? false,
  }
}

/**
 * The `x-octavo-explain` header value: "<reason> Fix: <fix>", with every character outside printable
 * ASCII (and `%`) percent-encoded as UTF-8, so `decodeURIComponent` gives the text back.
 */
export function explainHeader(e: Explanation): string {
  return `${e.reason} Fix: ${e.fix}`.replace(/[^\x20-\x24\x26-\x7e]/gu, (ch) => encodeURIComponent(ch))
}

/** An authenticated caller as journal entries name it, kept with the caller (see `journalCallerOf`). */
const journalCallers = new WeakMap<ApiCaller, NonNullable<JournalEntry['caller']>>()

/**
 * `{type, id, name}` of an authenticated caller, built once per caller object and shared by its
 * entries (frozen): a connection token's caller is kept across requests until a change event
 * (services/auth.service.ts `keptCallers`), so its entries no longer each hold a copy (issue 19).
 */
function journalCallerOf(caller: ApiCaller): NonNullable<JournalEntry['caller']> {
  let kept = journalCallers.get(caller)
  if (!kept) {
    const type = caller.kind === 'internal' ? 'connection' : caller.kind === 'personal' ? 'personal_access_token' : 'oauth_install'
    const id = caller.kind === 'oauth' ? caller.installId : caller.connectionId
    kept = Object.freeze({ type, id, name: caller.connectionName })
    journalCallers.set(caller, kept)
  }
  return kept
}

/** When a journaled request began: `performance.now()` and the (admin) clock's epoch ms. */
export interface JournalStart {
  start: number
  arrived: number
}

/**
 * The request journal's part before a `/v1` request, called by the front door
 * (http/middleware/front-door.ts), which records every request in the journal and adds
 * `x-octavo-explain` to refusals when explanations are on: undefined when neither is on. Cost on an
 * allowed request without bodies: one clock read, one object, one ring-buffer write
 * (bench/emulator-journal.ts).
 */
export function journalStart(emulator: Emulator, clock: Clock): JournalStart | undefined {
  if (!emulator.journal.enabled && !emulator.explain) return undefined
  return { start: performance.now(), arrived: clock.now() }
}

/**
 * The request journal's part after a `/v1` request (see `journalStart`): the explanation header, then
 * the journal entry. Done at once (undefined) unless the answer must be read back (bodies on, or a
 * failure without a Notion error code, whose body names it): then a promise of it. Issue 19: an
 * `async` function was a promise and a turn of the microtask queue on every request.
 */
export function journalEnd(emulator: Emulator, c: AppContext, started: JournalStart): Promise<void> | undefined {
  const journal = emulator.journal
  const err = c.error instanceof NotionApiError ? c.error : undefined
  const explanation = err?.explanation
  if (emulator.explain && explanation) c.res.headers.set('x-octavo-explain', explainHeader(explanation))
  if (!journal.enabled) return undefined
  const status = c.res.status
  const errorCode: string | null = err?.code ?? null
  if (journal.bodies || (status >= 400 && errorCode === null)) return journalEndRead(journal, c, started, status, errorCode, explanation)
  journal.record(entryOf(c, started, status, errorCode, explanation))
  return undefined
}

/** `journalEnd` when the answer is read back: the error code from its body, and the bodies when kept. */
async function journalEndRead(
  journal: Journal,
  c: AppContext,
  started: JournalStart,
  status: number,
  knownCode: string | null,
  explanation: Explanation | undefined,
): Promise<void> {
  let errorCode = knownCode
  let responseText: string | undefined
  try {
    responseText = await c.res.clone().text()
  } catch {
    responseText = undefined
  }
  if (status >= 400 && errorCode === null && responseText) {
    try {
      const code =
        (JSON.parse(responseText) as { code?: unknown; error?: unknown }).code ?? (JSON.parse(responseText) as { error?: unknown }).error
      errorCode = typeof code === 'string' ? code : null
    } catch {
      errorCode = null
    }
  }
  const entry = entryOf(c, started, status, errorCode, explanation)
  if (journal.bodies) {
    let requestText: string
    try {
      requestText = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text()
    } catch {
      requestText = ''
    }
    entry.request_body = bodyOf(requestText, c.req.header('content-type'))
    entry.response_body = bodyOf(responseText ?? '', c.res.headers.get('content-type') ?? undefined)
  }
  journal.record(entry)
}

/** The second `isoTime` formatted last: its epoch second and `YYYY-MM-DDTHH:mm:ss.`. */
let lastSecond = { second: Number.NaN, prefix: '' }

/**
 * `new Date(ms).toISOString()` (`YYYY-MM-DDTHH:mm:ss.sssZ`), with the date and time to the second
 * formatted once per second: `toISOString` was about 0.8 µs of every journaled request (issue 19).
 * Whole ms from 1970 to 9999 only; anything else is `toISOString`'s.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 253_402_300_800_000) return new Date(ms).toISOString()
  const second = Math.floor(ms / 1000)
  if (second !== lastSecond.second) {
    const text = new Date(second * 1000).toISOString()
    lastSecond = { second, prefix: text.slice(0, 20) }
  }
  const milli = ms - second * 1000
  return `${lastSecond.prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`
}

/** The journal entry of an answered `/v1` request (its `id` set by `Journal.record`; no bodies). */
function entryOf(
  c: AppContext,
  { start, arrived }: JournalStart,
  status: number,
  errorCode: string | null,
  explanation: Explanation | undefined,
): JournalEntry {
  const caller = c.get('caller')
  const explained: ExplainedCaller | undefined = caller ? undefined : explanation?.caller
  // `id` first, as the admin API lists it; `Journal.record` sets it.
  return {
    id: 0,
    time: isoTime(arrived),
    request_id: c.get('requestId') ?? '',
    workspace_id: caller ? caller.workspaceId : (explained?.workspaceId ?? null),
    caller: caller ? journalCallerOf(caller) : explained ? { type: explained.type, id: explained.id, name: explained.name } : null,
    endpoint: c.get('endpoint') ?? null,
    method: c.req.method,
    path: c.req.path,
    status,
    error_code: errorCode,
    explanation: entryExplanation(explanation),
    fault: c.get('fault') ?? null,
    duration_ms: Math.round((performance.now() - start) * 10) / 10,
  }
}

/**
 * A body as the journal keeps it: JSON and form bodies parsed and redacted (a form's fields become an
 * object, so `client_secret`, `code` and `_csrf` are redacted by name); anything else (the consent
 * screen's HTML) is not kept, only its type.
 */
function bodyOf(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/x-www-form-urlencoded') return redactBody(JSON.stringify(Object.fromEntries(new URLSearchParams(text))))
  if (type === '' || type === 'application/json' || type.endsWith('+json')) return redactBody(text)
  return { omitted: type }
}

/**
 * Applies the fault rules to an authenticated `/v1` request (api/router.ts, after the credential):
 * waits out latencies, then throws the rule's Notion error, or destroys the connection.
 * @throws NotionApiError the injected error (explained as a fault)
 */
export async function injectFaults(emulator: Emulator, c: AppContext, endpoint: string | null, caller: ApiCaller): Promise<void> {
  if (emulator.faults.size === 0) return
  const actions = emulator.faults.match({
    endpoint,
    method: c.req.method,
    path: c.req.path,
    callerId: caller.kind === 'oauth' ? caller.installId : caller.connectionId,
    callerName: caller.connectionName,
    workspaceId: caller.workspaceId,
  })
  for (const a of actions) {
    c.set('fault', a.ruleId)
    if (a.type === 'latency') {
      await new Promise((resolve) => setTimeout(resolve, a.ms))
      continue
    }
    if (a.type === 'drop') {
      const incoming = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming
      incoming?.socket?.destroy()
      throw new NotionApiError('internal_server_error', 'Unexpected error occurred.').explain({
        kind: 'fault',
        reason: `Injected by fault rule ${a.ruleId}: the connection was dropped.`,
        fix: `Remove the rule (DELETE /_octavo/admin/faults/${a.ruleId}).`,
      })
    }
    throw new NotionApiError(
      a.code,
      a.message,
      a.retryAfter !== undefined ? { headers: { 'retry-after': String(a.retryAfter) } } : {},
    ).explain({
      kind: 'fault',
      reason: `Injected by fault rule ${a.ruleId}: error ${a.status} ${a.code}.`,
      fix: `Remove the rule (DELETE /_octavo/admin/faults/${a.ruleId} or octavo faults remove ${a.ruleId}).`,
    })
  }
}
