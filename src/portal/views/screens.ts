import { html } from 'hono/html'
import type { Capabilities } from '../../permissions/capabilities.js'
import type { TreeNode } from '../../services/portal.service.js'
import { csrfField, initials, notice, type Html } from './layout.js'

/** The screens' main-area markup. The screen files (sign-in.ts, developer-portal/, pages/) fetch the data and wrap these in `layout`. */

export interface Flash {
  kind: 'error' | 'ok' | 'warn'
  title?: string
  text: string
}

export const flashView = (f: Flash | null | undefined): Html => (f ? notice(f.kind, f.title ?? null, f.text) : html``)

// ---------------------------------------------------------------------------------------------
// Sign in

export interface DemoPerson {
  id: string
  name: string
  email: string
  role: string
}

/** The sign-in card; with `demo`, the "sign in as" picker (demo mode). */
export function loginView(input: { email: string; next: string; flash?: Flash | null; demo: DemoPerson[] | null }): Html {
  return html`<div class="card">
  <h1>Sign in to Octavo</h1>
  <p class="lede">Use the e-mail and password your administrator set for you.</p>
  ${flashView(input.flash)}
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${input.next}">
    <div class="field"><label for="email">E-mail</label>
      <input id="email" name="email" type="email" autocomplete="username" required value="${input.email}" ${input.email ? '' : 'autofocus'}></div>
    <div class="field"><label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required ${input.email ? 'autofocus' : ''}></div>
    <button class="primary" type="submit">Sign in</button>
  </form>
  <p class="hint">No password yet? An administrator sets one with <code>octavo user set-password &lt;e-mail&gt;</code>.</p>
  ${
    input.demo
      ? html`<div class="divider"><span>Demo mode</span></div>
  <form method="post" action="/login/demo">
    <input type="hidden" name="next" value="${input.next}">
    <fieldset><legend>Sign in as a demo person</legend>
    <ul class="people">${input.demo.map(
      (p) =>
        html`<li><button type="submit" name="user_id" value="${p.id}"><span class="avatar" aria-hidden="true">${initials(p.name)}</span>${p.name}<span class="meta">${p.role}</span></button></li>`,
    )}</ul></fieldset>
  </form>
  <p class="hint">Demo mode (<code>OCTAVO_DEMO=on</code>) lets anyone sign in as the demo people. Turn it off for a shared instance.</p>`
      : ''
  }
</div>`
}

// ---------------------------------------------------------------------------------------------
// Developer portal

/** The Developer portal's sidebar: Build → Internal connections, and Personal access tokens. */
export function developersSidebar(active: 'connections' | 'tokens'): Html {
  return html`<nav aria-label="Developer portal">
  <h2>Build</h2>
  <ul>
    <li><a class="item" href="/developers/connections" ${active === 'connections' ? html`aria-current="page"` : ''}><span class="icon" aria-hidden="true">🔌</span>Internal connections</a></li>
    <li><a class="item" href="/developers/tokens" ${active === 'tokens' ? html`aria-current="page"` : ''}><span class="icon" aria-hidden="true">🔑</span>Personal access tokens</a></li>
    <li><a class="item" href="/developers/public-connections"><span class="icon" aria-hidden="true">🌐</span>Public connections</a></li>
  </ul>
</nav>`
}

export interface ConnectionSummary {
  id: string
  name: string
  icon: string | null
  created_time: string
  token_hint: string | null
  creator: string | null
  capabilities: Capabilities
}

export interface WorkspaceConnections {
  id: string
  name: string
  role: string
  /** null when the person is not an owner; `refusal` says why. */
  connections: ConnectionSummary[] | null
  refusal: string | null
}

const avatar = (name: string, icon: string | null) =>
  html`<span class="avatar" aria-hidden="true">${icon && [...icon].length <= 2 ? icon : initials(name)}</span>`
const date = (iso: string | null) => (iso ? iso.slice(0, 10) : '')

/** Internal connections per workspace: the list for owners, the service's refusal for others. */
export function connectionsListView(input: { workspaces: WorkspaceConnections[]; flash?: Flash | null }): Html {
  const canCreate = input.workspaces.some((w) => w.connections !== null)
  return html`<div class="section-head"><div><h1>Internal connections</h1>
  <p class="lede">Bots with a static installation access token, for your workspace's automations. A connection sees only the pages shared with it.</p></div>
  ${canCreate ? html`<a class="button primary" href="/developers/connections/new">Create a new connection</a>` : ''}</div>
  ${flashView(input.flash)}
  ${input.workspaces.map(
    (w) => html`<section aria-labelledby="ws-${w.id}">
    <div class="section-head"><h2 id="ws-${w.id}">${w.name}</h2><span class="pill">You are ${w.role === 'owner' ? 'an owner' : `a ${w.role}`}</span></div>
    ${
      w.connections === null
        ? notice('warn', 'You cannot create or manage internal connections here.', w.refusal)
        : w.connections.length === 0
          ? html`<ul class="list"><li class="empty">No internal connections yet. <a href="/developers/connections/new?workspace=${w.id}">Create one</a>.</li></ul>`
          : html`<ul class="list">${w.connections.map(
              (
                c,
              ) => html`<li>${avatar(c.name, c.icon)}<div class="grow"><a class="title" href="/developers/connections/${c.id}">${c.name}</a>
              <div class="meta">Created ${date(c.created_time)}${c.creator ? html` by ${c.creator}` : ''} · token ${c.token_hint ?? 'none'}</div></div>
              <a class="button" href="/developers/connections/${c.id}">Configure</a></li>`,
            )}</ul>`
    }
    </section><br>`,
  )}`
}

/** "Create a new connection": name, workspace, optional emoji icon. */
export function newConnectionView(input: {
  workspaces: { id: string; name: string; role: string }[]
  selected: string
  name: string
  icon: string
  csrf: string
  flash?: Flash | null
}): Html {
  return html`<p class="crumbs"><a href="/developers/connections">Internal connections</a><span aria-hidden="true">/</span>New</p>
<h1>Create a new connection</h1>
<p class="lede">An internal connection is a bot user of one workspace. You get its token at once; it can read nothing until pages are shared with it.</p>
${flashView(input.flash)}
<form method="post" action="/developers/connections" class="card">
  ${csrfField(input.csrf)}
  <div class="field"><label for="name">Name</label>
    <input id="name" name="name" type="text" required maxlength="100" value="${input.name}" aria-describedby="name-hint">
    <p class="hint" id="name-hint">People see this name when they add the connection to a page.</p></div>
  <div class="field"><label for="workspace">Workspace</label>
    <select id="workspace" name="workspace_id" aria-describedby="ws-hint">
      ${input.workspaces.map((w) => html`<option value="${w.id}" ${w.id === input.selected ? 'selected' : ''}>${w.name}${w.role === 'owner' ? '' : ` (you are a ${w.role})`}</option>`)}
    </select>
    <p class="hint" id="ws-hint">Only workspace owners can create connections.</p></div>
  <div class="field"><label for="icon">Icon <span class="hint">(optional: an emoji)</span></label>
    <input id="icon" name="icon" type="text" maxlength="8" value="${input.icon}" placeholder="🤖"></div>
  <div class="actions"><button class="primary" type="submit">Create connection</button><a class="button" href="/developers/connections">Cancel</a></div>
</form>`
}

export interface ConnectionHeader {
  id: string
  name: string
  icon: string | null
  workspaceName: string
}

export function connectionHead(c: ConnectionHeader, tab: 'configuration' | 'content' | 'requests' | 'webhooks'): Html {
  return html`<p class="crumbs"><a href="/developers/connections">Internal connections</a><span aria-hidden="true">/</span>${c.name}</p>
<div class="page-head">${avatar(c.name, c.icon)}<h1>${c.name}</h1></div>
<p class="lede">Internal connection in ${c.workspaceName}</p>
<nav class="tabs" aria-label="Connection">
  <a href="/developers/connections/${c.id}" ${tab === 'configuration' ? html`aria-current="page"` : ''}>Configuration</a>
  <a href="/developers/connections/${c.id}/content" ${tab === 'content' ? html`aria-current="page"` : ''}>Content access</a>
  <a href="/developers/connections/${c.id}/requests" ${tab === 'requests' ? html`aria-current="page"` : ''}>Requests</a>
  <a href="/developers/connections/${c.id}/webhooks" ${tab === 'webhooks' ? html`aria-current="page"` : ''}>Webhooks</a>
</nav>`
}

/**
 * The Configuration tab: the installation access token (hidden; Show, Copy, Refresh with a confirmation)
 * and the capabilities form (content, comments, the three user-information levels).
 */
export function configurationView(input: {
  connection: ConnectionHeader
  capabilities: Capabilities
  tokenHint: string | null
  token: string | null
  confirmRefresh: boolean
  csrf: string
  flash?: Flash | null
}): Html {
  const c = input.connection
  const caps = input.capabilities
  const base = `/developers/connections/${c.id}`
  const check = (name: string, label: string, help: string, on: boolean) =>
    html`<label class="check"><input type="checkbox" name="${name}" value="on" ${on ? 'checked' : ''}><span>${label}<small>${help}</small></span></label>`
  const radio = (value: string, label: string, help: string) =>
    html`<label class="check"><input type="radio" name="user_info" value="${value}" ${caps.userInfo === value ? 'checked' : ''}><span>${label}<small>${help}</small></span></label>`
  return html`${connectionHead(c, 'configuration')}
${flashView(input.flash)}
<section class="card">
  <form method="post" action="${base}/token/reveal" id="token-form">
    ${csrfField(input.csrf)}
    <label for="token">Installation access token</label>
    <div class="token">
      <input id="token" type="${input.token ? 'text' : 'password'}" readonly value="${input.token ?? '••••••••••••••••••••••••••••••••••••••••••••••••'}"
        aria-describedby="token-hint" spellcheck="false" autocomplete="off">
      ${input.token ? html`<button type="button" data-copy="token">Copy</button>` : html`<button type="submit" name="then" value="show">Show</button><button type="submit" name="then" value="copy" data-copy-token>Copy</button>`}
      <a class="button" href="${base}?confirm=refresh#refresh">Refresh</a>
    </div>
    <p class="hint" id="token-hint">Use it as <code>Authorization: Bearer &lt;token&gt;</code>. ${input.tokenHint ? html`Current token: ${input.tokenHint}.` : 'This connection has no active token.'} Keep it secret; owners can show it again here.</p>
  </form>
  ${
    input.confirmRefresh
      ? html`<div class="notice warn" id="refresh" role="alertdialog" aria-labelledby="refresh-h" aria-describedby="refresh-d">
    <strong id="refresh-h">Refresh the installation access token?</strong>
    <p id="refresh-d">A new token is issued and <b>the current token stops working at once</b>: every script or service still using it gets 401 unauthorized until you give it the new token.</p>
    <form method="post" action="${base}/token/refresh" class="row">${csrfField(input.csrf)}
      <button class="danger solid" type="submit" autofocus>Refresh token</button><a class="button" href="${base}">Cancel</a></form>
  </div>`
      : ''
  }
</section>
<br>
<form method="post" action="${base}/capabilities" class="card" aria-labelledby="caps-h">
  ${csrfField(input.csrf)}
  <h2 id="caps-h" class="section-head">Capabilities</h2>
  <p class="hint">What the connection may do with the pages shared with it. Saving never changes the token.</p><br>
  <fieldset><legend>Content capabilities</legend>
    ${check('read_content', 'Read content', 'Retrieve pages, blocks, databases and search.', caps.readContent)}
    ${check('update_content', 'Update content', 'Change existing pages, blocks and databases.', caps.updateContent)}
    ${check('insert_content', 'Insert content', 'Create pages and append blocks.', caps.insertContent)}
  </fieldset>
  <fieldset><legend>Comment capabilities</legend>
    ${check('read_comments', 'Read comments', 'List and retrieve comments.', caps.readComments)}
    ${check('insert_comments', 'Insert comments', 'Add comments to pages and discussions.', caps.insertComments)}
  </fieldset>
  <fieldset><legend>User capabilities</legend>
    ${radio('none', 'No user information', 'Users come back as ids only.')}
    ${radio('without_email', 'Read user information without email addresses', 'Names and avatars.')}
    ${radio('with_email', 'Read user information including email addresses', 'Names, avatars and e-mail addresses.')}
  </fieldset>
  <button class="primary" type="submit">Save changes</button>
</form>`
}

export interface SharedPage {
  page_id: string
  title: string
  type: string
  granted_time: string
  granted_by_name: string | null
}

/** The Content access tab: pages and databases shared directly, each removable; "Edit access". */
export function contentAccessView(input: {
  connection: ConnectionHeader
  workspaceId: string
  shares: SharedPage[]
  csrf: string
  flash?: Flash | null
}): Html {
  const c = input.connection
  const base = `/developers/connections/${c.id}`
  return html`${connectionHead(c, 'content')}
${flashView(input.flash)}
<div class="section-head"><p class="lede">${c.name} can access these pages and databases, and everything inside them.</p>
  <a class="button primary" href="${base}/content/edit">Edit access</a></div>
${
  input.shares.length === 0
    ? html`<ul class="list"><li class="empty">Nothing is shared with this connection yet, so every API call it makes answers 404 object_not_found. Choose pages with <a href="${base}/content/edit">Edit access</a>.</li></ul>`
    : html`<ul class="list">${input.shares.map(
        (s) => html`<li><span class="icon" aria-hidden="true">${s.type === 'child_database' ? '🗂️' : '📄'}</span>
      <div class="grow"><a class="title" href="/w/${input.workspaceId}/pages/${s.page_id}">${s.title || 'Untitled'}</a>
      <div class="meta">${s.type === 'child_database' ? 'Database' : 'Page'} · shared ${date(s.granted_time)}${s.granted_by_name ? html` by ${s.granted_by_name}` : ''}</div></div>
      <form method="post" action="${base}/content/${s.page_id}/remove" class="inline">${csrfField(input.csrf)}
        <button type="submit" class="danger" aria-label="Remove access to ${s.title || 'Untitled'}">Remove</button></form></li>`,
      )}</ul>`
}`
}

/**
 * "Edit access": the page picker, a tree with checkboxes and a search (live with script, on the server
 * without). Pages already covered by a shared ancestor show as included and cannot be toggled.
 */
export function pagePickerView(input: {
  connection: ConnectionHeader
  tree: TreeNode[]
  direct: Set<string>
  /** page id → title of the shared ancestor that already covers it */
  coveredBy: Map<string, string>
  q: string
  csrf: string
  flash?: Flash | null
}): Html {
  const c = input.connection
  const base = `/developers/connections/${c.id}`
  const q = input.q.trim().toLowerCase()
  const parents = new Map(input.tree.map((n) => [n.id, n.parent_id]))
  const pathOf = (n: TreeNode) => {
    const out: string[] = []
    let p = n.parent_id
    while (p) {
      out.push(`node-${p}`)
      p = parents.get(p) ?? null
    }
    return out.join(' ')
  }
  // Without script, a search filters on the server: matches and their ancestors stay.
  let shown = input.tree
  if (q) {
    const keep = new Set<string>()
    for (const n of input.tree) {
      if (!n.title.toLowerCase().includes(q)) continue
      keep.add(n.id)
      for (let p = n.parent_id; p; p = parents.get(p) ?? null) keep.add(p)
    }
    shown = input.tree.filter((n) => keep.has(n.id))
  }
  return html`${connectionHead(c, 'content')}
<h2>Edit access</h2>
<p class="lede">Select the pages and databases ${c.name} may access. Only pages where you have full access are listed. Sharing a page shares all of its child pages, now and later.</p>
${flashView(input.flash)}
<form method="get" action="${base}/content/edit" role="search" class="row">
  <label for="q" class="visually-hidden">Search pages</label>
  <input id="q" name="q" type="search" placeholder="Search pages and databases" value="${input.q}" data-filter="picker-list" autocomplete="off">
  <button type="submit">Search</button>
</form><br>
<form method="post" action="${base}/content">
  ${csrfField(input.csrf)}
  <div class="picker" id="picker-list" role="group" aria-label="Pages and databases">
  ${
    shown.length === 0
      ? html`<p class="empty">${q ? 'No page matches your search.' : 'You have full access to no page in this workspace.'}</p>`
      : shown.map((n) => {
          const via = input.coveredBy.get(n.id)
          const checked = input.direct.has(n.id) || via !== undefined
          return html`<label id="node-${n.id}" class="d${Math.min(n.depth, 8)}" data-text="${n.title.toLowerCase()}" data-path="${pathOf(n)}">
        ${via === undefined ? html`<input type="hidden" name="listed" value="${n.id}">` : ''}
        <input type="checkbox" name="page" value="${n.id}" ${checked ? 'checked' : ''} ${via !== undefined ? 'disabled' : ''}>
        <span class="icon" aria-hidden="true">${n.emoji ?? (n.object === 'database' ? '🗂️' : '📄')}</span>${n.title || 'Untitled'}
        ${n.object === 'database' ? html`<span class="pill">database</span>` : ''}
        ${via !== undefined ? html`<span class="via">included through “${via}”</span>` : ''}
      </label>`
        })
  }
  </div>
  <div class="actions"><button class="primary" type="submit">Save access</button><a class="button" href="${base}/content">Cancel</a></div>
</form>`
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The body of a refusal or error page. */
export function errorBody(status: number, title: string, text: string, back: string | null): Html {
  return html`<h1>${title}</h1>${notice(status >= 500 ? 'error' : 'warn', null, text)}${back ? html`<p><a class="button" href="${back}">Go back</a></p>` : ''}`
}
