import { html } from 'hono/html'
import type { BlockTree, ConnectionCandidate, PageConnectionEntry, TreeNode } from '../../services/portal.service.js'
import { renderBlocks } from './blocks.js'
import { csrfField, initials, workspaceSwitcher, type Html, type WorkspaceChoice } from './layout.js'
import { flashView, type Flash } from './screens.js'

/** The Pages section: sidebar tree, read-only page view, and the page's ••• → Connections panels. */

/** The Pages sidebar: workspace switcher and the tree of pages the person can see. */
export function pagesSidebar(input: {
  workspaces: WorkspaceChoice[]
  workspaceId: string
  tree: TreeNode[]
  current: string | null
}): Html {
  return html`${workspaceSwitcher(input.workspaces, input.workspaceId)}
<nav aria-label="Pages">
  <h2>Pages</h2>
  ${
    input.tree.length === 0
      ? html`<p class="hint">No pages you can see.</p>`
      : html`<ul>${input.tree.map(
          (
            n,
          ) => html`<li><a class="item d${Math.min(n.depth, 8)}" href="/w/${input.workspaceId}/pages/${n.id}" ${n.id === input.current ? html`aria-current="page"` : ''}>
        <span class="icon" aria-hidden="true">${n.emoji ?? (n.object === 'database' ? '🗂️' : '📄')}</span>${n.title || 'Untitled'}</a></li>`,
        )}</ul>`
  }
</nav>`
}

/** An entry of the page's Connections list (internal connection or public connection install). */
export type PageConnection = PageConnectionEntry

export type Panel =
  | { type: 'none' }
  | { type: 'connections'; list: PageConnection[] }
  /** `connected`: ids (connection or install) that already reach the page. */
  | { type: 'add'; q: string; candidates: ConnectionCandidate[]; connected: Set<string> }
  | { type: 'confirm'; connection: ConnectionCandidate }
  | { type: 'share'; share: SharePanel }

/** The Share panel's data: the page's people access (getPageAccess) and who can be added. */
export interface SharePanel {
  entries: {
    type: 'workspace' | 'group' | 'user'
    id: string
    name: string | null
    level: string
    source_page_id: string
    source_title: string
    inherited: boolean
  }[]
  accessDiffers: boolean
  parent: { id: string; title: string } | null
  /** Whether the viewer has full access (may change anything). */
  canEdit: boolean
  /** The viewer's user id (their own entry reads "(you)"). */
  me: string
  workspaceName: string
  groups: { id: string; name: string }[]
  people: { id: string; name: string | null; email: string | null; role: string }[]
}

export const LEVEL_LABELS: Record<string, string> = {
  full: 'Full access',
  edit: 'Can edit',
  edit_content: 'Can edit content',
  comment: 'Can comment',
  view: 'Can view',
  none: 'No access',
}
const LEVELS = ['full', 'edit', 'edit_content', 'comment', 'view', 'none'] as const

export interface PageViewInput {
  workspaceId: string
  workspaceName: string
  page: {
    id: string
    title: string
    emoji: string | null
    object: 'page' | 'database'
    blocks: BlockTree[]
    truncated: boolean
    ancestors: { id: string; title: string }[]
    rows: { id: string; title: string }[]
    /** The database's saved views (tabs) and the one shown, when it has any. */
    views?: { id: string; name: string; type: string }[]
    view?: { id: string; name: string; type: string } | null
  }
  panel: Panel
  csrf: string
  flash?: Flash | null
}

const avatar = (name: string, icon: string | null) =>
  html`<span class="avatar" aria-hidden="true">${icon && [...icon].length <= 2 ? icon : initials(name)}</span>`

/** A page, read-only, with its ••• menu and the open Connections panel (list, add, confirm). */
export function pageView(input: PageViewInput): Html {
  const p = input.page
  const base = `/w/${input.workspaceId}/pages/${p.id}`
  const href = (id: string) => `/w/${input.workspaceId}/pages/${id}`
  const title = p.title || 'Untitled'
  return html`<p class="crumbs">${input.workspaceName}<span aria-hidden="true">/</span>${p.ancestors.map((a) => html`<a href="${href(a.id)}">${a.title || 'Untitled'}</a><span aria-hidden="true">/</span>`)}${title}</p>
<div class="page-head">
  <h1>${p.emoji ? html`<span class="emoji" aria-hidden="true">${p.emoji}</span>` : ''}${title}</h1>
  <a class="button share-button" href="${base}?panel=share#share">Share</a>
  <details class="menu">
    <summary aria-label="Page actions (•••)" title="Page actions">•••</summary>
    <nav class="menu-panel" aria-label="Page actions">
      <a href="${base}?panel=connections#connections">Connections</a>
      <a href="${base}?panel=share#share">Share</a>
    </nav>
  </details>
</div>
${flashView(input.flash)}
${panelView(input, base, title)}
<article class="doc" aria-label="${title}">
${p.object === 'database' ? databaseBody(p.rows, href, base, p.views ?? [], p.view ?? null) : renderBlocks(p.blocks, href)}
${p.truncated ? html`<p class="caption">This page is long; the portal shows its first 1000 blocks.</p>` : ''}
</article>`
}

/**
 * A database's rows: under tabs of its saved views when it has any (the shown view's filter and sorts
 * already applied by the service), as a table for table views and as a list otherwise.
 */
function databaseBody(
  rows: { id: string; title: string }[],
  href: (id: string) => string,
  base: string,
  views: { id: string; name: string; type: string }[],
  view: { id: string; name: string; type: string } | null,
): Html {
  const tabs =
    views.length === 0
      ? html``
      : html`<nav class="view-tabs" aria-label="Views">${views.map((v) =>
          v.id === view?.id
            ? html`<strong class="view-tab" aria-current="page">${v.name || 'Untitled'} <span class="caption">${v.type}</span></strong> `
            : html`<a class="view-tab" href="${base}?view=${v.id}">${v.name || 'Untitled'} <span class="caption">${v.type}</span></a> `,
        )}</nav>`
  if (rows.length === 0) return html`${tabs}<p class="caption">This database has no rows.</p>`
  const count = html`<p class="caption">Database · ${rows.length}${rows.length === 200 ? '+' : ''} rows</p>`
  if (view?.type === 'table') {
    return html`${tabs}${count}<table class="view-table"><thead><tr><th scope="col">Name</th></tr></thead><tbody>${rows.map(
      (r) => html`<tr><td><a href="${href(r.id)}">${r.title || 'Untitled'}</a></td></tr>`,
    )}</tbody></table>`
  }
  return html`${tabs}${count}<ul>${rows.map((r) => html`<li><a href="${href(r.id)}">${r.title || 'Untitled'}</a></li>`)}</ul>`
}

/** "Public · installed by …" (and "Inactive" once that person left) for a public connection's install. */
function publicPill(c: { kind: 'internal' | 'public'; authorized_by_name: string | null; active?: boolean }): Html {
  if (c.kind !== 'public') return html``
  return html` <span class="pill">Public connection · installed by ${c.authorized_by_name ?? 'a former member'}</span>${c.active === false ? html` <span class="pill">Inactive: its installer left the workspace</span>` : ''}`
}

function panelView(input: PageViewInput, base: string, title: string): Html {
  const panel = input.panel
  if (panel.type === 'none') return html``
  if (panel.type === 'share') return shareView(input, base, title, panel.share)
  if (panel.type === 'connections') {
    return html`<section class="panel" id="connections" aria-labelledby="conn-h">
  <div class="section-head"><h2 id="conn-h">Connections</h2><a class="button" href="${base}?panel=add#connections">+ Add connection</a></div>
  ${
    panel.list.length === 0
      ? html`<p class="hint">No connection can access this page. Add one to let its token read the page and all its child pages.</p>`
      : html`<ul class="list">${panel.list.map((c) => {
          const from = c.inherited
            ? html`Inherited from <a href="/w/${input.workspaceId}/pages/${c.source_page_id}">${c.source_title || 'Untitled'}</a>`
            : html`Added to this page`
          const action = c.kind === 'public' ? `${base}/installs/${c.install_id}/remove` : `${base}/connections/${c.connection_id}/remove`
          return html`<li data-kind="${c.kind}">${avatar(c.name, c.icon)}<div class="grow"><span class="title">${c.name}</span>${publicPill(c)}
        <div class="meta">${from}${c.granted_by_name ? html` by ${c.granted_by_name}` : ''}${c.granted_time ? html` on ${c.granted_time.slice(0, 10)}` : ''}</div>
        <details class="why"><summary>Why can ${c.name} see this page?</summary>
          <p>Because “${c.source_title || 'Untitled'}” is shared with ${c.name}${c.kind === 'public' ? html` (installed by ${c.authorized_by_name ?? 'a former member'})` : ''}${c.inherited ? html`, and “${title}” is inside it: sharing a page shares all of its child pages` : ''}.</p></details></div>
        <form method="post" action="${action}" class="inline">${csrfField(input.csrf)}
          <input type="hidden" name="source_page_id" value="${c.source_page_id}">
          <button type="submit" class="danger">${c.inherited ? html`Remove from “${c.source_title || 'Untitled'}”` : 'Remove'}</button></form></li>`
        })}</ul>`
  }
</section>`
  }
  if (panel.type === 'add') {
    return html`<section class="panel" id="connections" aria-labelledby="add-h">
  <div class="section-head"><h2 id="add-h">Add connection</h2><a class="button" href="${base}?panel=connections#connections">Back</a></div>
  <form method="get" action="${base}" role="search" class="row">
    <input type="hidden" name="panel" value="add">
    <label for="conn-q" class="visually-hidden">Search connections</label>
    <input id="conn-q" name="q" type="search" placeholder="Search for connections" value="${panel.q}" data-filter="conn-list" autocomplete="off" autofocus>
    <button type="submit">Search</button>
  </form><br>
  ${
    panel.candidates.length === 0
      ? html`<p class="hint">${panel.q ? 'No connection matches your search.' : 'This workspace has no connections yet. A workspace owner creates them in the Developer portal.'}</p>`
      : html`<ul class="list" id="conn-list">${panel.candidates.map(
          (
            c,
          ) => html`<li data-text="${c.name.toLowerCase()}" data-kind="${c.kind}" id="cand-${c.id}">${avatar(c.name, c.icon)}<div class="grow"><span class="title">${c.name}</span>${publicPill(c)}</div>
        ${
          panel.connected.has(c.id)
            ? html`<span class="pill blue">Has access</span>`
            : html`<a class="button" href="${base}?panel=confirm&amp;${c.kind === 'public' ? 'install' : 'connection'}=${c.id}#connections" aria-label="Select ${c.name}${c.authorized_by_name ? ` (installed by ${c.authorized_by_name})` : ''}">Select</a>`
        }</li>`,
        )}</ul>`
  }
</section>`
  }
  return html`<section class="panel" id="connections" role="alertdialog" aria-labelledby="confirm-h" aria-describedby="confirm-d">
  <h2 id="confirm-h">Allow ${panel.connection.name} to access “${title}”?</h2>
  <p id="confirm-d">${panel.connection.name} will access this page and all of its child pages, with the capabilities its owners gave it.</p>
  <form method="post" action="${base}/${panel.connection.kind === 'public' ? 'installs' : 'connections'}" class="row">${csrfField(input.csrf)}
    <input type="hidden" name="${panel.connection.kind === 'public' ? 'install_id' : 'connection_id'}" value="${panel.connection.id}">
    <button type="submit" class="primary" autofocus>Confirm</button><a class="button" href="${base}?panel=add#connections">Cancel</a>
  </form>
</section>`
}

/** A workspace in which the person sees no page. */
export function emptyWorkspaceBody(name: string): Html {
  return html`<h1>${name}</h1><p class="lede">There are no pages you can see in this workspace yet.</p>`
}

/**
 * The Share panel: the page's people, group and workspace access with their levels (inherited entries
 * name their source page), an invite row, and "Restore" when the page's access differs from its parent.
 * Read-only (levels shown as text) for someone without full access.
 */
function shareView(input: PageViewInput, base: string, title: string, s: SharePanel): Html {
  const levelSelect = (id: string, label: string, current: string, withNone: boolean) =>
    html`<label for="${id}" class="visually-hidden">${label}</label><select id="${id}" name="level">${LEVELS.filter(
      (l) => withNone || l !== 'none',
    ).map((l) => html`<option value="${l}" ${l === current ? 'selected' : ''}>${LEVEL_LABELS[l]}</option>`)}</select>`
  const nameOf = (e: SharePanel['entries'][0]) => (e.type === 'workspace' ? `Everyone at ${e.name ?? s.workspaceName}` : (e.name ?? e.id))
  const you = (e: SharePanel['entries'][0]) => (e.type === 'user' && e.id === s.me ? ' (you)' : '')
  const kind = (e: SharePanel['entries'][0]) =>
    e.type === 'workspace'
      ? 'Workspace'
      : e.type === 'group'
        ? 'Group'
        : s.people.find((p) => p.id === e.id)?.role === 'guest'
          ? 'Guest'
          : 'Person'
  return html`<section class="panel" id="share" aria-labelledby="share-h">
  <div class="section-head"><h2 id="share-h">Share “${title}”</h2><a class="button" href="${base}">Close</a></div>
  ${
    s.accessDiffers && s.parent
      ? html`<div class="notice warn" role="status"><strong>Page access is different from “${s.parent.title || 'Untitled'}”.</strong>
    ${s.canEdit ? html`<form method="post" action="${base}/access/restore" class="inline">${csrfField(input.csrf)}<button type="submit">Restore inherited access</button></form>` : ''}</div>`
      : ''
  }
  ${
    s.canEdit
      ? html`<form method="post" action="${base}/access" class="row invite">${csrfField(input.csrf)}
    <label for="share-who" class="visually-hidden">Add people, groups or the workspace</label>
    <select id="share-who" name="target">
      <option value="workspace">Everyone at ${s.workspaceName}</option>
      ${s.groups.length ? html`<optgroup label="Groups">${s.groups.map((g) => html`<option value="group:${g.id}">${g.name}</option>`)}</optgroup>` : ''}
      <optgroup label="People">${s.people.map((p) => html`<option value="user:${p.id}">${p.name ?? p.email ?? p.id}${p.role === 'guest' ? ' (guest)' : ''}</option>`)}</optgroup>
    </select>
    ${levelSelect('share-level', 'Access level', 'view', false)}
    <button type="submit" class="primary">Invite</button>
  </form>`
      : html`<p class="hint">Only people with full access to this page can change who has access.</p>`
  }
  <ul class="list share-list">${s.entries.map((e, i) => {
    const name = nameOf(e)
    const target = e.type === 'workspace' ? 'workspace' : `${e.type}:${e.id}`
    return html`<li>${avatar(name, e.type === 'workspace' ? '🏢' : e.type === 'group' ? '👥' : null)}<div class="grow"><span class="title">${name}${you(e)}</span>
      <div class="meta">${kind(e)} · ${e.inherited ? html`Inherited from <a href="/w/${input.workspaceId}/pages/${e.source_page_id}">${e.source_title || 'Untitled'}</a>` : 'Set on this page'}</div></div>
      ${
        s.canEdit
          ? html`<form method="post" action="${base}/access" class="row">${csrfField(input.csrf)}<input type="hidden" name="target" value="${target}">
        ${levelSelect(`level-${i}`, `Access for ${name}`, e.level, true)}<button type="submit" aria-label="Save access for ${name}">Save</button></form>`
          : html`<span class="pill">${LEVEL_LABELS[e.level] ?? e.level}</span>`
      }</li>`
  })}</ul>
  <p class="hint">Sharing a page shares its child pages too, unless a child's access was changed. Connections are managed from ••• → Connections.</p>
</section>`
}
