import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { UserTable } from '../../storage/database.js'

/** Server-rendered HTML fragments (hono/html escapes every interpolation unless wrapped in `raw`). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

export interface WorkspaceChoice {
  id: string
  name: string
  role: string
}

export interface LayoutInput {
  title: string
  user: Pick<UserTable, 'id' | 'name' | 'email'>
  csrf: string
  /** Which top-level section is active. */
  section: 'pages' | 'developers' | 'settings'
  workspaces: WorkspaceChoice[]
  /** The workspace the page is about (drives the switcher and the Pages link). */
  workspaceId: string | null
  sidebar: Html
  body: Html
}

/** A hidden CSRF field for forms that change state. */
export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`

/** A short, visible summary of a refusal or a success. */
export function notice(kind: 'error' | 'ok' | 'warn' | 'info', title: string | null, text: string | Html | null): Html {
  return html`<div class="notice ${kind === 'info' ? '' : kind}" role="${kind === 'error' ? 'alert' : 'status'}">${title ? html`<strong>${title}</strong>` : ''}${text ?? ''}</div>`
}

/** Initials for an avatar tile. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase()
}

function head(title: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Octavo</title>
<link rel="stylesheet" href="/assets/portal.css">
<script src="/assets/portal.js" defer></script>
</head>`
}

/** The signed-in shell: top bar (sections, workspace, person, sign out), sidebar and main. */
export function layout(input: LayoutInput): Html {
  const ws = input.workspaceId ?? input.workspaces[0]?.id ?? null
  const pagesHref = ws ? `/w/${ws}` : '/'
  return html`${head(input.title)}
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">O</span>Octavo</a>
  <nav class="topnav" aria-label="Sections">
    <a href="${pagesHref}" ${input.section === 'pages' ? html`aria-current="page"` : ''}>Pages</a>
    <a href="/developers/connections" ${input.section === 'developers' ? html`aria-current="page"` : ''}>Developer portal</a>
    <a href="/settings${ws ? `/${ws}/connections` : ''}" ${input.section === 'settings' ? html`aria-current="page"` : ''}>Settings &amp; members</a>
  </nav>
  <span class="spacer"></span>
  <span class="who">Signed in as <strong>${input.user.name ?? input.user.email}</strong></span>
  <form class="inline" method="post" action="/logout">${csrfField(input.csrf)}<button type="submit">Sign out</button></form>
</header>
<div class="shell">
  <aside class="sidebar">${input.sidebar}</aside>
  <main id="main" tabindex="-1">${input.body}</main>
</div>
</body>
</html>`
}

/** A page without the shell (sign-in, errors for signed-out visitors). */
export function bare(title: string, body: Html): Html {
  return html`${head(title)}
<body>
<main id="main" class="auth">${body}</main>
</body>
</html>`
}

/**
 * The workspace switcher (a select that submits; a plain heading with one workspace). `action` is
 * where the choice goes (`?workspace=<id>`): `/w` for Pages, `/settings` for Settings.
 */
export function workspaceSwitcher(workspaces: WorkspaceChoice[], current: string, action = '/w'): Html {
  if (workspaces.length < 2) {
    const only = workspaces[0]
    return only ? html`<h2>${only.name}</h2>` : html``
  }
  return html`<form class="ws-switch" method="get" action="${action}">
  <label for="ws-select" class="visually-hidden">Workspace</label>
  <select id="ws-select" name="workspace" data-autosubmit>
    ${workspaces.map((w) => html`<option value="${w.id}" ${w.id === current ? 'selected' : ''}>${w.name}</option>`)}
  </select>
  <button type="submit" class="js-hide">Go</button>
</form>`
}
