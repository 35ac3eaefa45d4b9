import { html } from 'hono/html'
import { WEBHOOK_API_VERSIONS, WEBHOOK_EVENTS } from '../../domain/webhooks.js'
import type { PresentedDelivery, PresentedSubscription } from '../../services/webhooks/subscriptions.service.js'
import { csrfField, type Html } from './layout.js'
import { flashView, type Flash } from './screens.js'

/**
 * The connection's Webhooks tab (docs/webhooks.md), internal or public: its subscriptions with their
 * state and actions (verify with the token the endpoint received, pause/resume, send a test event,
 * delete), a form for a new one, and one subscription's delivery log with redelivery. `head` is the
 * connection's header with its tabs; `base` the tab's path (`…/{connection id}/webhooks`).
 */

const post = (action: string, label: string, csrf: string, extra: Html = html``) =>
  html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}${extra}<button type="submit">${label}</button></form>`

/** The list of subscriptions and the creation form. */
export function webhooksView(input: {
  head: Html
  base: string
  subscriptions: PresentedSubscription[]
  csrf: string
  flash: Flash | null
  values?: { url: string; events: string[]; apiVersion: string; autoVerify: boolean }
}): Html {
  const base = input.base
  const v = input.values ?? { url: '', events: [], apiVersion: '2026-03-11', autoVerify: false }
  const rows = input.subscriptions.map(
    (s) => html`<tr>
  <td><a href="${base}/${s.id}">${s.url}</a></td>
  <td>${s.status.replaceAll('_', ' ')}</td>
  <td>${s.event_types.join(', ')}</td>
  <td>${s.api_version}</td>
  <td>
    ${
      s.status === 'pending_verification'
        ? post(
            `${base}/${s.id}/verify`,
            'Verify',
            input.csrf,
            html`<label>Verification token <input name="verification_token" required autocomplete="off"></label>`,
          )
        : post(`${base}/${s.id}/${s.status === 'paused' ? 'resume' : 'pause'}`, s.status === 'paused' ? 'Resume' : 'Pause', input.csrf)
    }
    ${post(`${base}/${s.id}/test`, 'Send test event', input.csrf)}
    ${post(`${base}/${s.id}/delete`, 'Delete', input.csrf)}
  </td>
</tr>`,
  )
  return html`${input.head}${flashView(input.flash)}
<h2>Subscriptions</h2>
${
  input.subscriptions.length
    ? html`<table><thead><tr><th>Endpoint</th><th>Status</th><th>Events</th><th>API version</th><th>Actions</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>No subscriptions yet.</p>`
}
<h2>Create a subscription</h2>
<form method="post" action="${base}">${csrfField(input.csrf)}
  <label>Endpoint URL <input name="url" type="url" required value="${v.url}" placeholder="http://localhost:3000/webhooks"></label>
  <fieldset><legend>Events</legend>
    ${Object.keys(WEBHOOK_EVENTS).map(
      (t) => html`<label><input type="checkbox" name="event" value="${t}" ${v.events.includes(t) ? 'checked' : ''}> ${t}</label> `,
    )}
  </fieldset>
  <label>API version <select name="api_version">${WEBHOOK_API_VERSIONS.map(
    (a) => html`<option ${a === v.apiVersion ? 'selected' : ''}>${a}</option>`,
  )}</select></label>
  <label><input type="checkbox" name="auto_verify" value="1" ${v.autoVerify ? 'checked' : ''}> Verify automatically (for tests)</label>
  <button type="submit">Create subscription</button>
</form>
<p class="hint">The endpoint first receives a <code>verification_token</code>; enter it with Verify to start deliveries.</p>`
}

/** One subscription's delivery log. */
export function deliveriesView(input: {
  head: Html
  base: string
  subscription: PresentedSubscription
  deliveries: PresentedDelivery[]
  csrf: string
  flash: Flash | null
}): Html {
  const base = input.base
  return html`${input.head}${flashView(input.flash)}
<h2>Deliveries to ${input.subscription.url}</h2>
${
  input.deliveries.length
    ? html`<table><thead><tr><th>Created</th><th>Type</th><th>Entity</th><th>Status</th><th>Attempts</th><th>Response</th><th>Time</th><th></th></tr></thead><tbody>
${input.deliveries.map(
  (d) => html`<tr>
  <td>${d.created_time}</td><td>${d.type}</td><td>${d.entity?.id ?? ''}</td><td>${d.status}</td><td>${d.attempts}</td>
  <td>${d.last_attempt?.status_code ?? d.last_attempt?.error ?? ''}</td><td>${d.last_attempt?.duration_ms ?? ''}${d.last_attempt ? ' ms' : ''}</td>
  <td>${d.status === 'pending' || d.status === 'delivering' ? '' : post(`${base}/deliveries/${d.id}/redeliver`, 'Redeliver', input.csrf)}
    ${d.payload ? html`<details><summary>Payload</summary><pre>${JSON.stringify(d.payload, null, 2)}</pre></details>` : ''}</td>
</tr>`,
)}</tbody></table>`
    : html`<p>No deliveries yet.</p>`
}
<p><a href="${base}">Back to subscriptions</a></p>`
}
