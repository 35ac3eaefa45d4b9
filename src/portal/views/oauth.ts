import { html } from 'hono/html'
import type { PresentedInstall } from '../../services/oauth/installs.js'
import type { PresentedPublicConnection } from '../../services/public-connections.service.js'
import type { TreeNode } from '../../services/portal.service.js'
import { csrfField, initials, notice, type Html } from './layout.js'

/**
 * Views of public connections (issue 8; docs/adr/0014-oauth-public-connections.md): the OAuth consent
 * screen at `/v1/oauth/authorize`, and the Developer portal's "Public connections" screens (register,
 * configure, client secret, installs). Server-rendered; every interpolation is escaped by hono/html.
 */

export interface OAuthFlash {
  kind: 'error' | 'ok' | 'warn'
  title?: string
  text: string
}
const flashView = (f: OAuthFlash | null | undefined): Html => (f ? notice(f.kind, f.title ?? null, f.text) : html``)
const avatar = (name: string, icon: string | null) =>
  html`<span class="avatar" aria-hidden="true">${icon && [...icon].length <= 2 ? icon : initials(name)}</span>`
const date = (iso: string | null) => (iso ? iso.slice(0, 10) : '')

/** A public connection's header: crumbs, name, and its tabs (Configuration, Webhooks). */
export function publicConnectionHead(c: Pick<PresentedPublicConnection, 'id' | 'name'>, tab: 'configuration' | 'webhooks'): Html {
  const base = `/developers/public-connections/${c.id}`
  return html`<p class="crumbs"><a href="/developers/public-connections">Public connections</a><span aria-hidden="true">/</span>${c.name}</p>
<h1>${c.name}</h1>
<nav class="tabs" aria-label="Connection">
  <a href="${base}" ${tab === 'configuration' ? html`aria-current="page"` : ''}>Configuration</a>
  <a href="${base}/webhooks" ${tab === 'webhooks' ? html`aria-current="page"` : ''}>Webhooks</a>
</nav>`
}

/** The Developer portal sidebar with both connection kinds; `active` marks the current one. */
export function developersSidebarWithPublic(active: 'connections' | 'public'): Html {
  const cur = (k: string) => (k === active ? html`aria-current="page"` : '')
  return html`<nav aria-label="Developer portal">
  <h2>Build</h2>
  <ul>
    <li><a class="item" href="/developers/connections" ${cur('connections')}><span class="icon" aria-hidden="true">🔌</span>Internal connections</a></li>
    <li><a class="item" href="/developers/public-connections" ${cur('public')}><span class="icon" aria-hidden="true">🌐</span>Public connections</a></li>
  </ul>
</nav>`
}

export interface ConsentInput {
  /**
   * `hasTemplate`: the connection names a template; `templateAvailable`: it may still be copied (the
   * registrant can still access it, checked at each install: services/oauth/authorize.ts templateAvailable).
   */
  connection: {
    name: string
    icon: string | null
    capabilities: string[]
    developerWorkspace: string
    hasTemplate: boolean
    templateAvailable: boolean
  }
  user: { name: string | null; email: string | null }
  /** The original authorize parameters, carried through the form. */
  params: Record<string, string>
  workspaces: { id: string; name: string }[]
  workspaceId: string
  tree: TreeNode[]
  csrf: string
  flash?: OAuthFlash | null
}

/**
 * The consent screen (docs/reference/notion-api.md §7.1): names the connection and its capabilities, lets the person pick
 * the workspace (when they have several) and the pages to share (only pages where they have full
 * access), or duplicate the template (or say that it is no longer available); Allow or Cancel.
 */
export function consentView(input: ConsentInput): Html {
  const c = input.connection
  const hidden = Object.entries(input.params).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)
  return html`<div class="card consent">
  <p class="row">${avatar(c.name, c.icon)} <strong>${c.name}</strong></p>
  <h1>${c.name} wants to access your Octavo workspace</h1>
  <p class="lede">Signed in as <strong>${input.user.name ?? input.user.email}</strong>. Registered by a member of ${c.developerWorkspace}.</p>
  ${flashView(input.flash)}
  <h2>It will be able to</h2>
  <ul class="caps">${c.capabilities.map((x) => html`<li>${x}</li>`)}</ul>
  ${
    input.workspaces.length > 1
      ? html`<form method="get" action="/v1/oauth/authorize" class="row">
    ${Object.entries(input.params).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
    <label for="workspace">Workspace</label>
    <select id="workspace" name="workspace" data-autosubmit>${input.workspaces.map((w) => html`<option value="${w.id}" ${w.id === input.workspaceId ? 'selected' : ''}>${w.name}</option>`)}</select>
    <button type="submit" class="js-hide">Switch</button>
  </form>`
      : html`<p>Workspace: <strong>${input.workspaces[0]?.name ?? ''}</strong></p>`
  }
  <form method="post" action="/v1/oauth/authorize">
    ${csrfField(input.csrf)}
    ${hidden}
    <input type="hidden" name="workspace_id" value="${input.workspaceId}">
    <h2>Pages it may access</h2>
    <p class="hint">Only pages where you have full access are listed. Sharing a page shares its child pages too.</p>
    <div class="picker" role="group" aria-label="Pages to share">
    ${
      input.tree.length === 0
        ? html`<p class="empty">You have full access to no page in this workspace.</p>`
        : input.tree.map(
            (n) => html`<label class="d${Math.min(n.depth, 8)}"><input type="checkbox" name="page" value="${n.id}">
          <span class="icon" aria-hidden="true">${n.emoji ?? (n.object === 'database' ? '🗂️' : '📄')}</span>${n.title || 'Untitled'}</label>`,
          )
    }
    </div>
    ${
      !c.hasTemplate
        ? ''
        : c.templateAvailable
          ? html`<p><label><input type="checkbox" name="template" value="on"> Duplicate ${c.name}'s template into my private pages and share it</label></p>`
          : notice(
              'warn',
              'Template unavailable',
              `${c.name}'s template is no longer available: the person who registered ${c.name} can no longer access it. You can still pick pages to share.`,
            )
    }
    <div class="actions">
      <button class="primary" type="submit" name="decision" value="allow">Allow access</button>
      <button type="submit" name="decision" value="cancel">Cancel</button>
    </div>
  </form>
</div>`
}

/** A plain error page of the authorize flow (never a redirect). */
export function authorizeErrorBody(text: string): Html {
  return html`<div class="card"><h1>This connection link does not work</h1>${notice('warn', null, text)}<p><a class="button" href="/">Go to Octavo</a></p></div>`
}

/** "Public connections": the ones the person manages, their own installs, and each owned workspace's installs. */
export function publicConnectionsView(input: {
  connections: PresentedPublicConnection[]
  ownInstalls: PresentedInstall[]
  workspaceInstalls: { id: string; name: string; installs: PresentedInstall[] }[]
  csrf: string
  flash?: OAuthFlash | null
}): Html {
  const installList = (list: PresentedInstall[], showWho: boolean) =>
    list.length === 0
      ? html`<ul class="list"><li class="empty">None.</li></ul>`
      : html`<ul class="list">${list.map(
          (i) => html`<li>${avatar(i.connection.name, i.connection.icon)}<div class="grow"><span class="title">${i.connection.name}</span>
          <div class="meta">${i.workspace.name} · authorized ${date(i.created_time)}${showWho ? html` by ${i.authorized_by.name ?? i.authorized_by.email}` : ''} · ${i.pages.length} page(s)${i.active ? '' : ' · inactive (the person left)'} · bot ${i.bot_id}</div></div>
          <form class="inline" method="post" action="/developers/installs/${i.id}/remove">${csrfField(input.csrf)}<button type="submit" class="danger" aria-label="Remove ${i.connection.name} from ${i.workspace.name}">Remove</button></form></li>`,
        )}</ul>`
  return html`<div class="section-head"><div><h1>Public connections</h1>
  <p class="lede">OAuth connections that people of any workspace on this Octavo install through <code>/v1/oauth/authorize</code>. Each install is its own bot that sees only the pages picked at consent.</p></div>
  <a class="button primary" href="/developers/public-connections/new">Register a public connection</a></div>
  ${flashView(input.flash)}
  <section aria-labelledby="mine"><h2 id="mine">Registered by you or your workspaces</h2>
  ${
    input.connections.length === 0
      ? html`<ul class="list"><li class="empty">No public connections yet.</li></ul>`
      : html`<ul class="list">${input.connections.map(
          (
            c,
          ) => html`<li>${avatar(c.name, c.icon)}<div class="grow"><a class="title" href="/developers/public-connections/${c.id}">${c.name}</a>
          <div class="meta">client id ${c.client_id} · secret ${c.client_secret_hint} · registered ${date(c.created_time)}</div></div>
          <a class="button" href="/developers/public-connections/${c.id}">Configure</a></li>`,
        )}</ul>`
  }</section><br>
  <section aria-labelledby="installed"><h2 id="installed">Connections you authorized</h2>${installList(input.ownInstalls, false)}</section><br>
  ${input.workspaceInstalls.map((w) => html`<section aria-labelledby="ws-${w.id}"><h2 id="ws-${w.id}">Installed in ${w.name}</h2><p class="hint">You own this workspace: you can remove any install.</p>${installList(w.installs, true)}</section><br>`)}`
}

/** "Register a public connection". */
export function newPublicConnectionView(input: {
  workspaces: { id: string; name: string; role: string }[]
  values: { workspace: string; name: string; icon: string; redirect_uris: string; template: string }
  csrf: string
  flash?: OAuthFlash | null
}): Html {
  const v = input.values
  return html`<p class="crumbs"><a href="/developers/public-connections">Public connections</a><span aria-hidden="true">/</span>New</p>
<h1>Register a public connection</h1>
<p class="lede">You get a client id and secret. People install it through OAuth and pick the pages it may access.</p>
${flashView(input.flash)}
<form method="post" action="/developers/public-connections" class="card">
  ${csrfField(input.csrf)}
  <div class="field"><label for="name">Name</label><input id="name" name="name" type="text" required maxlength="100" value="${v.name}"></div>
  <div class="field"><label for="workspace">Registered in</label>
    <select id="workspace" name="workspace_id">${input.workspaces.map((w) => html`<option value="${w.id}" ${w.id === v.workspace ? 'selected' : ''}>${w.name}</option>`)}</select>
    <p class="hint">Any full member may register one; people of every workspace can install it.</p></div>
  <div class="field"><label for="icon">Icon (emoji, optional)</label><input id="icon" name="icon" type="text" maxlength="8" value="${v.icon}"></div>
  <div class="field"><label for="redirect_uris">Redirect URIs (one per line, matched exactly)</label><textarea id="redirect_uris" name="redirect_uris" rows="3" required>${v.redirect_uris}</textarea></div>
  <fieldset><legend>Capabilities</legend>
    <label><input type="checkbox" name="read_content" checked> Read content</label>
    <label><input type="checkbox" name="update_content" checked> Update content</label>
    <label><input type="checkbox" name="insert_content" checked> Insert content</label>
    <label><input type="checkbox" name="read_comments"> Read comments</label>
    <label><input type="checkbox" name="insert_comments"> Insert comments</label>
    <label for="user_info">User information</label>
    <select id="user_info" name="user_info"><option value="none">No user information</option><option value="without_email">Without email addresses</option><option value="with_email">Including email addresses</option></select>
  </fieldset>
  <div class="field"><label for="template">Template page id (optional)</label><input id="template" name="template_page_id" type="text" value="${v.template}">
    <p class="hint">People may duplicate this page instead of picking pages.</p></div>
  <div class="actions"><button class="primary" type="submit">Register</button><a class="button" href="/developers/public-connections">Cancel</a></div>
</form>`
}

/** A public connection's configuration: OAuth details, client secret (reveal / refresh), delete. */
export function publicConnectionView(input: {
  connection: PresentedPublicConnection
  capabilities: string[]
  publicUrl: string
  secret: string | null
  csrf: string
  flash?: OAuthFlash | null
}): Html {
  const c = input.connection
  const base = `/developers/public-connections/${c.id}`
  const authorizeUrl = `${input.publicUrl}/v1/oauth/authorize?client_id=${c.client_id}&response_type=code&owner=user&redirect_uri=${encodeURIComponent(c.redirect_uris[0] ?? '')}`
  return html`${publicConnectionHead(c, 'configuration')}
${flashView(input.flash)}
<div class="card">
  <h2>OAuth client</h2>
  <div class="field"><label for="client-id">OAuth client ID</label><input id="client-id" type="text" readonly value="${c.client_id}"></div>
  <div class="field"><label for="secret">OAuth client secret</label>
    <input id="secret" type="text" readonly value="${input.secret ?? c.client_secret_hint}">
    <div class="row">
      <form class="inline" method="post" action="${base}/secret/reveal">${csrfField(input.csrf)}<button type="submit">Show</button></form>
      <form class="inline" method="post" action="${base}/secret/refresh">${csrfField(input.csrf)}<button type="submit">Refresh secret</button></form>
    </div></div>
  <div class="field"><label for="auth-url">Authorization URL</label><input id="auth-url" type="text" readonly value="${authorizeUrl}"></div>
  <p>Redirect URIs:</p><ul>${c.redirect_uris.map((u) => html`<li><code>${u}</code></li>`)}</ul>
  <p>Capabilities: ${input.capabilities.join(', ')}</p>
  ${c.template_page_id ? html`<p>Template page: <code>${c.template_page_id}</code></p>` : ''}
</div><br>
<form method="post" action="${base}/delete">${csrfField(input.csrf)}<button type="submit" class="danger">Delete this public connection (removes every install)</button></form>`
}
