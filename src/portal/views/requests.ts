import { html } from 'hono/html'
import type { JournalEntry } from '../../http/emulator/journal.js'
import type { Html } from './layout.js'
import { connectionHead, type ConnectionHeader } from './screens.js'

/**
 * A connection's Requests tab (docs/emulator.md; in the manner of Firebase's Requests monitor): its last
 * requests from the request journal, newest first, each with the SDK endpoint, status, Notion's error
 * code, duration and, for a refusal, the reason and the fix. Plus the fault rules active on the server.
 */
export function requestsView(input: {
  connection: ConnectionHeader
  entries: JournalEntry[]
  journalSize: number
  faults: { id: string; endpoint?: string; path?: string; caller?: string; error?: string; fired: number }[]
  status: string
}): Html {
  const c = input.connection
  const base = `/developers/connections/${c.id}/requests`
  const filter = (label: string, value: string) =>
    html`<a href="${value ? `${base}?status=${value}` : base}" ${input.status === value ? html`aria-current="page"` : ''}>${label}</a>`
  return html`${connectionHead(c, 'requests')}
<div class="section-head"><p class="lede">The last requests ${c.name} made (up to ${input.journalSize} per workspace, kept in the server's memory). A refused request says why and what fixes it.</p>
  <nav class="tabs" aria-label="Status">${filter('All', '')} ${filter('Refused (4xx)', '4xx')} ${filter('Server errors (5xx)', '5xx')}</nav></div>
${
  input.faults.length
    ? html`<p class="notice warn" role="status">Fault rules are active on this server: ${input.faults.map(
        (f) =>
          html`<code>${f.id}</code> (${[f.endpoint, f.path, f.caller, f.error].filter(Boolean).join(', ') || 'every request'}; fired ${f.fired}) `,
      )}</p>`
    : ''
}
${
  input.entries.length === 0
    ? html`<ul class="list"><li class="empty">No requests recorded for this connection yet. Call the API with its token and reload this page.</li></ul>`
    : html`<ul class="list requests">${input.entries.map(
        (e) => html`<li><div class="grow">
      <div><strong>${e.status}</strong> <code>${e.method} ${e.path}</code> ${e.endpoint ? html`<span class="meta">${e.endpoint}</span>` : ''}</div>
      <div class="meta">${e.time} · ${e.duration_ms} ms${e.error_code ? html` · ${e.error_code}` : ''}${e.fault ? html` · fault ${e.fault}` : ''}</div>
      ${e.explanation ? html`<p class="why">${e.explanation.reason}</p><p class="fix">Fix: ${e.explanation.fix}</p>` : ''}
    </div></li>`,
      )}</ul>`
}`
}
