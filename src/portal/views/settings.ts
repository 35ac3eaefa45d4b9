import { html } from 'hono/html'
import type { PresentedPat } from '../../services/pats.service.js'
import { csrfField, initials, notice, workspaceSwitcher, type Html, type WorkspaceChoice } from './layout.js'
import { flashView, type Flash } from './screens.js'
import { patStatusPill } from './tokens.js'

/** Settings & members: Connections (all PATs, PAT creation policy), Members, Groups, Audit log. */

export type SettingsTab = 'connections' | 'members' | 'groups' | 'audit' | 'emojis'

/** The Settings sidebar: workspace switcher and the four tabs of one workspace. */
export function settingsSidebar(workspaces: WorkspaceChoice[], workspaceId: string, active: SettingsTab): Html {
  const item = (tab: SettingsTab, icon: string, label: string) =>
    html`<li><a class="item" href="/settings/${workspaceId}/${tab}" ${tab === active ? html`aria-current="page"` : ''}><span class="icon" aria-hidden="true">${icon}</span>${label}</a></li>`
  return html`${workspaceSwitcher(workspaces, workspaceId, `/settings`)}
<nav aria-label="Settings">
  <h2>Settings &amp; members</h2>
  <ul>${item('connections', '🔌', 'Connections')}${item('members', '👥', 'Members')}${item('groups', '🗂️', 'Groups')}${item('audit', '📜', 'Audit log')}${item('emojis', '😀', 'Emoji')}</ul>
</nav>`
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '')
const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '')
const roleLabel = (r: string | null) =>
  r === 'owner'
    ? 'Workspace owner'
    : r === 'membership_admin'
      ? 'Membership admin'
      : r === 'member'
        ? 'Member'
        : r === 'restricted_member'
          ? 'Restricted member'
          : r === 'guest'
            ? 'Guest'
            : (r ?? '')

export const POLICY_LABELS: Record<string, string> = {
  owners_only: 'Workspace owners only',
  owners_and_selected_groups: 'Workspace owners and selected groups',
  all_members: 'All workspace members',
}

export interface PolicyView {
  plan: string
  policy: string
  configurable: boolean
  choices: string[]
  selected_groups: { id: string; name: string }[]
}

export interface SettingsHead {
  workspaceId: string
  workspaceName: string
  csrf: string
  flash?: Flash | null
}

function head(h: SettingsHead, title: string, lede: string): Html {
  return html`<p class="crumbs">Settings &amp; members<span aria-hidden="true">/</span>${h.workspaceName}</p>
<h1>${title}</h1><p class="lede">${lede}</p>${flashView(h.flash)}`
}

/** A refusal shown instead of a tab's content (the service's message). */
export function settingsRefusal(h: SettingsHead, title: string, message: string): Html {
  return html`${head(h, title, '')}${notice('warn', 'You cannot manage this here.', message)}`
}

/**
 * Connections: the PAT creation policy (read-only on Free and Plus, two choices on Business, three on
 * Enterprise with a group picker) and All personal access tokens (search, creator and status filters,
 * creator, who revoked and when, revoke; never the secret).
 */
export function connectionsSettingsView(
  input: SettingsHead & {
    policy: PolicyView
    groups: { id: string; name: string }[]
    pats: PresentedPat[]
    creators: { id: string; name: string | null; email: string | null }[]
    filter: { q: string; creator: string; status: string }
  },
): Html {
  const p = input.policy
  const base = `/settings/${input.workspaceId}`
  const selected = new Set(p.selected_groups.map((g) => g.id))
  const f = input.filter
  return html`${head(input, 'Connections', 'Personal access tokens act as the people who created them. Admins see and revoke every one; only a token’s creator can reveal it.')}
<section class="card" aria-labelledby="policy-h">
  <h2 id="policy-h" class="card-title">Who can create personal access tokens with Notion API access</h2>
  ${
    p.configurable
      ? html`<form method="post" action="${base}/pat-policy">
    ${csrfField(input.csrf)}
    <fieldset><legend>PAT creation policy (${p.plan} plan)</legend>
      ${p.choices.map(
        (c) =>
          html`<label class="check"><input type="radio" name="policy" value="${c}" ${c === p.policy ? 'checked' : ''}><span>${POLICY_LABELS[c] ?? c}${
            c === 'owners_only'
              ? html`<small>Members’ existing tokens stop working for the Notion API until this changes back.</small>`
              : c === 'all_members'
                ? html`<small>Every full member; guests and restricted members never can.</small>`
                : html`<small>Owners, plus the members of the groups selected below. With no group selected, owners only.</small>`
          }</span></label>`,
      )}
    </fieldset>
    ${
      p.choices.includes('owners_and_selected_groups')
        ? html`<fieldset><legend>Selected groups</legend>${
            input.groups.length === 0
              ? html`<p class="hint">This workspace has no groups yet. <a href="${base}/groups">Create one</a>.</p>`
              : input.groups.map(
                  (g) =>
                    html`<label class="check"><input type="checkbox" name="group_id" value="${g.id}" ${selected.has(g.id) ? 'checked' : ''}><span>${g.name}</span></label>`,
                )
          }<input type="hidden" name="groups_listed" value="1"></fieldset>`
        : ''
    }
    <button class="primary" type="submit">Save policy</button>
  </form>`
      : html`<p><strong>${POLICY_LABELS[p.policy] ?? p.policy}.</strong></p>
  <p class="hint">The ${p.plan} plan does not let admins change this. Business offers “Workspace owners only” or “All workspace members”; Enterprise adds selected groups.</p>`
  }
</section>
<br>
<section aria-labelledby="pats-h">
  <div class="section-head"><h2 id="pats-h">All personal access tokens</h2><span class="pill">${input.pats.length} shown</span></div>
  <form method="get" action="${base}/connections" role="search" class="row filters">
    <label for="pat-q" class="visually-hidden">Search by name</label>
    <input id="pat-q" name="q" type="search" placeholder="Search by name" value="${f.q}">
    <label for="pat-creator" class="visually-hidden">Creator</label>
    <select id="pat-creator" name="creator"><option value="">All creators</option>${input.creators.map(
      (c) => html`<option value="${c.id}" ${c.id === f.creator ? 'selected' : ''}>${c.name ?? c.email ?? c.id}</option>`,
    )}</select>
    <label for="pat-status" class="visually-hidden">Status</label>
    <select id="pat-status" name="status"><option value="">All statuses</option>${['active', 'expired', 'revoked'].map(
      (s) => html`<option value="${s}" ${s === f.status ? 'selected' : ''}>${s[0]?.toUpperCase()}${s.slice(1)}</option>`,
    )}</select>
    <button type="submit">Filter</button>
  </form><br>
  ${
    input.pats.length === 0
      ? html`<ul class="list"><li class="empty">${f.q || f.creator || f.status ? 'No token matches these filters.' : 'Nobody has created a personal access token in this workspace yet.'}</li></ul>`
      : html`<table class="grid" aria-label="All personal access tokens">
    <thead><tr><th scope="col">Name</th><th scope="col">Creator</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${input.pats.map(
      (t) => html`<tr id="pat-${t.id}">
      <th scope="row">${t.name}<div class="meta">${[t.capabilities.notion_api ? 'Notion API' : '', t.capabilities.workers ? 'Workers' : ''].filter(Boolean).join(' · ')} · created ${day(t.created_time)}</div></th>
      <td>${t.creator.name ?? t.creator.email ?? t.creator.id}</td>
      <td>${patStatusPill(t)}</td>
      <td>${t.status === 'revoked' ? '—' : day(t.expires_time)}</td>
      <td>${t.last_used_time ? day(t.last_used_time) : 'Never'}</td>
      <td>${
        t.revoked_time
          ? html`${t.revoked_by?.type === 'user' ? (t.revoked_by.name ?? t.revoked_by.email ?? t.revoked_by.id) : 'Admin API'}<div class="meta">${when(t.revoked_time)}</div>`
          : '—'
      }</td>
      <td class="actions-cell">${
        t.status === 'active'
          ? html`<form method="post" action="${base}/pats/${t.id}/revoke" class="inline">${csrfField(input.csrf)}<button type="submit" class="danger" aria-label="Revoke ${t.name}">Revoke</button></form>`
          : ''
      }</td></tr>`,
    )}</tbody></table>`
  }
</section>`
}

export interface MemberRow {
  id: string
  name: string | null
  email: string | null
  role: string
  joined_time: string
}

/** Members: roles (a select per person) and removal. The services decide who may change what. */
export function membersView(input: SettingsHead & { members: MemberRow[]; roles: readonly string[]; me: string }): Html {
  const base = `/settings/${input.workspaceId}`
  return html`${head(input, 'Members', 'Roles decide what each person can do: owners manage everything, membership admins manage people and groups, guests see only the pages shared with them.')}
<table class="grid" aria-label="Members">
  <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${input.members.map((m) => {
    const name = m.name ?? m.email ?? m.id
    return html`<tr id="member-${m.id}">
    <th scope="row"><span class="person"><span class="avatar small" aria-hidden="true">${initials(name)}</span><span>${name}${m.id === input.me ? ' (you)' : ''}<div class="meta">${m.email ?? ''}</div></span></span></th>
    <td><form method="post" action="${base}/members/${m.id}/role" class="row">${csrfField(input.csrf)}
      <label for="role-${m.id}" class="visually-hidden">Role of ${name}</label>
      <select id="role-${m.id}" name="role">${input.roles.map((r) => html`<option value="${r}" ${r === m.role ? 'selected' : ''}>${roleLabel(r)}</option>`)}</select>
      <button type="submit" aria-label="Save role of ${name}">Save</button></form></td>
    <td>${day(m.joined_time)}</td>
    <td class="actions-cell"><form method="post" action="${base}/members/${m.id}/remove" class="inline">${csrfField(input.csrf)}
      <button type="submit" class="danger" aria-label="${m.id === input.me ? 'Leave the workspace' : `Remove ${name}`}">${m.id === input.me ? 'Leave' : 'Remove'}</button></form></td></tr>`
  })}</tbody>
</table>`
}

export interface GroupRow {
  id: string
  name: string
  members: { id: string; name: string | null; email: string | null; role: string | null }[]
}

/** Groups: create, rename, delete, and each group's members (add, remove). */
export function groupsView(input: SettingsHead & { groups: GroupRow[]; people: MemberRow[] }): Html {
  const base = `/settings/${input.workspaceId}`
  const candidates = input.people.filter((p) => p.role !== 'guest')
  return html`${head(input, 'Groups', 'Share pages with a group instead of person by person. Guests cannot be in groups.')}
<form method="post" action="${base}/groups" class="card row">
  ${csrfField(input.csrf)}
  <label for="new-group" class="visually-hidden">New group name</label>
  <input id="new-group" name="name" type="text" required maxlength="200" placeholder="New group name">
  <button class="primary" type="submit">Create group</button>
</form><br>
${
  input.groups.length === 0
    ? html`<ul class="list"><li class="empty">No groups yet.</li></ul>`
    : input.groups.map((g) => {
        const inGroup = new Set(g.members.map((m) => m.id))
        const addable = candidates.filter((p) => !inGroup.has(p.id))
        return html`<section class="card group" aria-labelledby="group-${g.id}">
    <div class="section-head"><h2 id="group-${g.id}">${g.name}</h2><span class="pill">${g.members.length} ${g.members.length === 1 ? 'member' : 'members'}</span></div>
    <div class="row wrap">
      <form method="post" action="${base}/groups/${g.id}/rename" class="row">${csrfField(input.csrf)}
        <label for="rename-${g.id}" class="visually-hidden">Rename ${g.name}</label>
        <input id="rename-${g.id}" name="name" type="text" required maxlength="200" value="${g.name}">
        <button type="submit">Rename</button></form>
      <form method="post" action="${base}/groups/${g.id}/delete" class="inline">${csrfField(input.csrf)}
        <button type="submit" class="danger" aria-label="Delete group ${g.name}">Delete group</button></form>
    </div>
    ${
      g.members.length === 0
        ? html`<p class="hint">No members yet.</p>`
        : html`<ul class="list compact">${g.members.map((m) => {
            const name = m.name ?? m.email ?? m.id
            return html`<li><span class="avatar small" aria-hidden="true">${initials(name)}</span><div class="grow">${name}<div class="meta">${m.email ?? ''}</div></div>
          <form method="post" action="${base}/groups/${g.id}/members/${m.id}/remove" class="inline">${csrfField(input.csrf)}
            <button type="submit" class="danger" aria-label="Remove ${name} from ${g.name}">Remove</button></form></li>`
          })}</ul>`
    }
    ${
      addable.length
        ? html`<form method="post" action="${base}/groups/${g.id}/members" class="row add-member">${csrfField(input.csrf)}
      <label for="add-${g.id}" class="visually-hidden">Add a member to ${g.name}</label>
      <select id="add-${g.id}" name="user_id">${addable.map((p) => html`<option value="${p.id}">${p.name ?? p.email ?? p.id}</option>`)}</select>
      <button type="submit" aria-label="Add to ${g.name}">Add member</button></form>`
        : ''
    }
  </section>`
      })
}`
}

export interface AuditRow {
  id: string
  time: string
  actor: string
  action: string
  target: string | null
  meta: Record<string, unknown> | null
}

export const AUDIT_ACTIONS: readonly { value: string; label: string }[] = [
  { value: 'pat.*', label: 'Personal access tokens' },
  { value: 'pat_policy.*', label: 'PAT creation policy' },
  { value: 'connection.*', label: 'Connections' },
  { value: 'page.*', label: 'Page sharing' },
  { value: 'member.*', label: 'Members' },
  { value: 'group.*', label: 'Groups' },
]

/** Audit log: newest first, filtered by kind of action and by person. */
export function auditView(
  input: SettingsHead & { entries: AuditRow[]; names: Map<string, string>; people: MemberRow[]; filter: { action: string; actor: string } },
): Html {
  const base = `/settings/${input.workspaceId}`
  const actorName = (a: string) =>
    a.startsWith('user:')
      ? (input.names.get(a.slice(5)) ?? a.slice(5))
      : a === 'admin'
        ? 'Operator (admin API)'
        : a === 'admin_api'
          ? 'Admin API'
          : a
  // Ids read as names where known (people, groups, the workspace); nested values flattened.
  const nameOfId = (v: string): string => {
    const m = /^(user|group|members|bot):(.+)$/.exec(v)
    if (m?.[1] === 'members') return `everyone at ${input.workspaceName}`
    const id = m ? (m[2] ?? '') : v
    return input.names.get(id) ?? (m?.[1] === 'bot' ? 'a connection' : v)
  }
  const value = (v: unknown): string =>
    typeof v === 'string'
      ? /^\d{4}-\d{2}-\d{2}T/.test(v)
        ? v.slice(0, 10)
        : nameOfId(v)
      : Array.isArray(v)
        ? v.length
          ? v.map(value).join(', ')
          : 'none'
        : v && typeof v === 'object'
          ? Object.entries(v as Record<string, unknown>)
              .map(([k, x]) => `${k.replace(/_/g, ' ')} ${value(x)}`)
              .join(', ')
          : String(v)
  const details = (m: Record<string, unknown> | null) => {
    if (!m) return ''
    return Object.entries(m)
      .filter(([k]) => k !== 'bot_id')
      .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${value(v)}`)
      .join(' · ')
  }
  return html`${head(input, 'Audit log', 'Who did what in this workspace, newest first. Secrets are never recorded.')}
<form method="get" action="${base}/audit" class="row filters" role="search">
  <label for="audit-action" class="visually-hidden">Action</label>
  <select id="audit-action" name="action"><option value="">All actions</option>${AUDIT_ACTIONS.map((a) => html`<option value="${a.value}" ${a.value === input.filter.action ? 'selected' : ''}>${a.label}</option>`)}</select>
  <label for="audit-actor" class="visually-hidden">Person</label>
  <select id="audit-actor" name="actor"><option value="">Everyone</option>${input.people.map(
    (p) =>
      html`<option value="user:${p.id}" ${`user:${p.id}` === input.filter.actor ? 'selected' : ''}>${p.name ?? p.email ?? p.id}</option>`,
  )}</select>
  <button type="submit">Filter</button>
</form><br>
${
  input.entries.length === 0
    ? html`<ul class="list"><li class="empty">No entries match.</li></ul>`
    : html`<table class="grid audit" aria-label="Audit log">
  <thead><tr><th scope="col">Time</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Details</th></tr></thead>
  <tbody>${input.entries.map(
    (e) =>
      html`<tr><td class="nowrap">${when(e.time)}</td><td>${actorName(e.actor)}</td><td><code>${e.action}</code></td><td class="meta">${e.target && input.names.has(e.target) ? html`<strong>${input.names.get(e.target)}</strong>${e.meta ? ' · ' : ''}` : ''}${details(e.meta)}</td></tr>`,
  )}</tbody></table>`
}`
}

/**
 * Emoji: the workspace's custom emojis (name, image, id), an add form (name and image URL; image files
 * through the CLI or the admin API) and a remove button each. Owners only may add and remove
 * (services/custom-emojis.service.ts decides); members see the list.
 */
export function emojisView(input: SettingsHead & { emojis: Array<{ id: string; name: string; url: string }>; canManage: boolean }): Html {
  const base = `/settings/${input.workspaceId}/emojis`
  return html`${head(input, 'Emoji', 'Custom emojis everyone in the workspace can use as page icons and in text as :name:. Owners add and remove them.')}
${
  input.canManage
    ? html`<form method="post" action="${base}" class="card row wrap">
  ${csrfField(input.csrf)}
  <label for="emoji-name">Name</label>
  <input id="emoji-name" name="name" type="text" required maxlength="50" pattern="[a-z0-9][a-z0-9_\-]*" placeholder="party-parrot">
  <label for="emoji-url">Image URL</label>
  <input id="emoji-url" name="url" type="url" required maxlength="2000" placeholder="https://…/image.png">
  <button class="primary" type="submit">Add emoji</button>
</form><br>`
    : ''
}
${
  input.emojis.length === 0
    ? html`<ul class="list"><li class="empty">No custom emojis yet.</li></ul>`
    : html`<ul class="list">${input.emojis.map(
        (e) => html`<li><img src="${e.url}" alt="" width="24" height="24"><div class="grow">:${e.name}:<div class="meta">${e.id}</div></div>
      ${
        input.canManage
          ? html`<form method="post" action="${base}/${e.id}/remove" class="inline">${csrfField(input.csrf)}
        <button type="submit" class="danger" aria-label="Remove :${e.name}:">Remove</button></form>`
          : ''
      }</li>`,
      )}</ul>`
}`
}
