import { html } from 'hono/html'
import type { PresentedPat } from '../../services/pats.service.js'
import { csrfField, notice, type Html } from './layout.js'
import { flashView, type Flash } from './screens.js'

/** Developer portal → Personal access tokens (seed 004): the creator's list, "New personal access token", the token shown once. */

export const EXPIRY_CHOICES: readonly { days: number; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 180, label: '180 days' },
  { days: 365, label: '1 year' },
]

export interface TokensWorkspace {
  id: string
  name: string
  role: string
  /** The service's refusal per capability bundle (null = allowed). */
  allowance: { notionApi: string | null; workers: string | null }
  tokens: PresentedPat[]
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '')

/** A PAT's status as a pill: active, expired, revoked, or suspended (active, but refused by the policy or membership). */
export function patStatusPill(p: Pick<PresentedPat, 'status' | 'suspended'>): Html {
  if (p.status === 'active' && p.suspended) {
    const why =
      p.suspended === 'policy'
        ? 'the PAT creation policy excludes its creator'
        : p.suspended === 'creator_not_a_full_member'
          ? 'its creator is no longer a full member'
          : 'its creator left the workspace'
    return html`<span class="pill warn" title="Gets 401: ${why}">Suspended</span>`
  }
  return html`<span class="pill ${p.status === 'active' ? 'green' : ''}">${p.status === 'active' ? 'Active' : p.status === 'expired' ? 'Expired' : 'Revoked'}</span>`
}

function capsText(p: PresentedPat): string {
  return [p.capabilities.notion_api ? 'Notion API' : null, p.capabilities.workers ? 'Workers' : null].filter(Boolean).join(' · ')
}

/** The token field with Copy (used when a token is shown: at creation and on "Reveal"). */
function tokenField(id: string, label: string, token: string): Html {
  return html`<label for="${id}">${label}</label>
<div class="token"><input id="${id}" type="text" readonly value="${token}" spellcheck="false" autocomplete="off"><button type="button" data-copy="${id}">Copy</button></div>`
}

/** The creator's own PATs per workspace, with why they may not create one where the policy says so. */
export function tokensListView(input: {
  workspaces: TokensWorkspace[]
  revealed: { id: string; token: string } | null
  csrf: string
  flash?: Flash | null
}): Html {
  const canCreate = input.workspaces.some((w) => w.allowance.notionApi === null || w.allowance.workers === null)
  return html`<div class="section-head"><div><h1>Personal access tokens</h1>
  <p class="lede">Tokens that act as you: they reach exactly the pages you can, with no “Add connection” step. Use one per script or tool.</p></div>
  ${canCreate ? html`<a class="button primary" href="/developers/tokens/new">New personal access token</a>` : ''}</div>
  ${flashView(input.flash)}
  ${input.workspaces.map(
    (w) => html`<section aria-labelledby="tws-${w.id}">
    <div class="section-head"><h2 id="tws-${w.id}">${w.name}</h2><span class="pill">You are ${w.role === 'owner' ? 'an owner' : `a ${w.role.replace('_', ' ')}`}</span></div>
    ${
      w.allowance.notionApi
        ? notice(
            'warn',
            w.allowance.workers
              ? 'You cannot create personal access tokens here.'
              : 'You cannot create tokens with Notion API access here.',
            w.allowance.notionApi,
          )
        : ''
    }
    ${
      w.tokens.length === 0
        ? html`<ul class="list"><li class="empty">You have no personal access tokens in ${w.name}.</li></ul>`
        : html`<table class="grid" aria-label="Your personal access tokens in ${w.name}">
      <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Capabilities</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${w.tokens.map(
        (p) => html`<tr id="pat-${p.id}">
        <th scope="row">${p.name}<div class="meta">${p.token_hint} · created ${day(p.created_time)}</div></th>
        <td>${patStatusPill(p)}</td>
        <td>${capsText(p)}</td>
        <td>${p.status === 'revoked' ? '—' : day(p.expires_time)}</td>
        <td>${p.last_used_time ? day(p.last_used_time) : 'Never'}</td>
        <td class="actions-cell">${
          p.status === 'active'
            ? html`<form method="post" action="/developers/tokens/${p.id}/reveal" class="inline">${csrfField(input.csrf)}<button type="submit" aria-label="Reveal ${p.name}">Reveal</button></form>
          <form method="post" action="/developers/tokens/${p.id}/revoke" class="inline">${csrfField(input.csrf)}<button type="submit" class="danger" aria-label="Revoke ${p.name}">Revoke</button></form>`
            : ''
        }</td></tr>${
          input.revealed?.id === p.id
            ? html`<tr class="reveal-row"><td colspan="6"><div class="reveal">${tokenField(`token-${p.id}`, `Token for ${p.name}`, input.revealed.token)}</div></td></tr>`
            : ''
        }`,
      )}</tbody></table>`
    }
    </section><br>`,
  )}`
}

/** "New personal access token": name, workspace, capabilities, expiry. */
export function newTokenView(input: {
  workspaces: TokensWorkspace[]
  values: { workspace: string; name: string; notionApi: boolean; workers: boolean; days: number }
  csrf: string
  flash?: Flash | null
}): Html {
  const v = input.values
  const refusals = input.workspaces.filter((w) => w.allowance.notionApi)
  return html`<p class="crumbs"><a href="/developers/tokens">Personal access tokens</a><span aria-hidden="true">/</span>New</p>
<h1>New personal access token</h1>
<p class="lede">The token acts as you in one workspace. You see it once now; you can reveal it again later from your list.</p>
${flashView(input.flash)}
${refusals.map((w) => notice('warn', `Notion API access in ${w.name}`, w.allowance.notionApi))}
<form method="post" action="/developers/tokens" class="card">
  ${csrfField(input.csrf)}
  <div class="field"><label for="name">Token name</label>
    <input id="name" name="name" type="text" required maxlength="100" value="${v.name}" aria-describedby="name-hint">
    <p class="hint" id="name-hint">Name it after the script or tool that will use it.</p></div>
  <div class="field"><label for="workspace">Workspace</label>
    <select id="workspace" name="workspace_id">
      ${input.workspaces.map((w) => html`<option value="${w.id}" ${w.id === v.workspace ? 'selected' : ''}>${w.name}</option>`)}
    </select></div>
  <fieldset><legend>Capabilities</legend>
    <label class="check"><input type="checkbox" name="notion_api" value="on" ${v.notionApi ? 'checked' : ''}><span>Notion API<small>Read, create, update and search content; read and create comments; read user information — as you.</small></span></label>
    <label class="check"><input type="checkbox" name="workers" value="on" ${v.workers ? 'checked' : ''}><span>Workers<small>Deploy and manage Notion Workers with the CLI.</small></span></label>
  </fieldset>
  <div class="field"><label for="expiry">Expires after</label>
    <select id="expiry" name="expires_in_days">
      ${EXPIRY_CHOICES.map((e) => html`<option value="${e.days}" ${e.days === v.days ? 'selected' : ''}>${e.label}</option>`)}
    </select></div>
  <div class="actions"><button class="primary" type="submit">Create token</button><a class="button" href="/developers/tokens">Cancel</a></div>
</form>`
}

/** The token, shown once after creation, with Copy. */
export function tokenCreatedView(input: { pat: PresentedPat; token: string; workspaceName: string }): Html {
  return html`<p class="crumbs"><a href="/developers/tokens">Personal access tokens</a><span aria-hidden="true">/</span>${input.pat.name}</p>
<h1>${input.pat.name}</h1>
<p class="lede">Personal access token in ${input.workspaceName} · ${capsText(input.pat)} · expires ${day(input.pat.expires_time)}</p>
${notice('ok', 'Token created.', 'Copy it now and store it somewhere safe, such as a secret manager. Only you can reveal it again later; workspace admins never can.')}
<section class="card">
  ${tokenField('new-token', 'Personal access token', input.token)}
  <p class="hint">Use it as <code>Authorization: Bearer &lt;token&gt;</code>, or <code>new Client({ auth: token })</code>.</p>
</section>
<p><a class="button" href="/developers/tokens">Done</a></p>`
}
