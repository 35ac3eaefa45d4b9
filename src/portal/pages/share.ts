import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import type { Deps } from '../../services/deps.js'
import {
  ACCESS_LEVELS,
  getPageAccess,
  personLevelOnPage,
  restorePageAccess,
  setPageAccess,
  type AccessLevelName,
  type ShareTarget,
} from '../../services/page-permissions.service.js'
import { listGroups } from '../../services/people.service.js'
import { nodeTitle } from '../../services/portal.service.js'
import { findBlock } from '../../storage/repositories/blocks.repository.js'
import { findWorkspace, listMembers } from '../../storage/repositories/workspaces.repository.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import type { SharePanel } from '../views/pages.js'
import type { ShowPage } from './page.js'

/**
 * The page's Share panel (issue 5; Notion's "Share" menu): people, group and workspace access levels
 * over page-permissions.service.ts — the same functions as the admin API and the CLI. Inherited
 * entries name the page they come from; where a page's access was changed, "Restore inherited access"
 * calls `restorePageAccess`. Connections stay in the ••• → Connections panel (pages/connections.ts).
 */

/**
 * The Share panel's data for a person who can see the page: its people entries (connections left
 * out) with their source page titles, whether its access differs from its parent's, whether the viewer
 * has full access, and the groups and people that can be invited.
 * @throws DomainError not_found (page hidden or absent)
 */
export async function sharePanel(deps: Deps, userId: string, pageId: string): Promise<SharePanel> {
  const db = deps.store.db
  const access = await getPageAccess(deps, { pageId, actorId: userId })
  const titles = new Map<string, string>()
  const titleOf = async (id: string) => {
    if (!titles.has(id)) {
      const b = await findBlock(db, id)
      titles.set(id, b ? nodeTitle(b) : '')
    }
    return titles.get(id) ?? ''
  }
  const entries: SharePanel['entries'] = []
  for (const e of access.entries) {
    if (e.type === 'connection') continue
    entries.push({
      type: e.type,
      id: e.id,
      name: e.name,
      level: e.level,
      source_page_id: e.source_page_id,
      source_title: await titleOf(e.source_page_id),
      inherited: e.inherited,
    })
  }
  const node = await findBlock(db, pageId)
  const ws = node ? await findWorkspace(db, node.workspace_id) : undefined
  if (!node || !ws) throw new DomainError('not_found', 'This page does not exist, or you do not have access to it.')
  const me = await personLevelOnPage(deps, { pageId, userId })
  return {
    entries,
    accessDiffers: access.access_differs,
    parent: access.parent_page_id ? { id: access.parent_page_id, title: await titleOf(access.parent_page_id) } : null,
    canEdit: me.level === 'full',
    me: userId,
    workspaceName: ws.name,
    groups: (await listGroups(deps, ws.id)).map((g) => ({ id: g.id, name: g.name })),
    people: (await listMembers(db, ws.id)).map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.role })),
  }
}

/** Registers `POST /w/{ws}/pages/{id}/access` (set a level; `none` removes) and `…/access/restore`. */
export function pageShare(app: Hono<PortalEnv>, s: PortalShell, showPage: ShowPage): void {
  const deps = s.deps
  const h = { ...s, showPage }
  const refused = async (c: PortalContext, e: unknown, title: string) => {
    if (!(e instanceof DomainError) || e.code === 'not_found' || e.code === 'unauthorized') throw e
    const u = h.user(c)
    const share = await sharePanel(deps, u.id, h.uuid(c.req.param('id'), 'page'))
    return h.showPage(c, e.status, { type: 'share', share }, { kind: 'error', title, text: e.message })
  }
  const back = (c: PortalContext, done: string) =>
    c.redirect(`/w/${c.req.param('ws')}/pages/${c.req.param('id')}?panel=share&done=${done}#share`, 303)

  app.post('/w/:ws/pages/:id/access', async (c) => {
    const u = h.user(c)
    const f = await h.form(c)
    const pageId = h.uuid(c.req.param('id'), 'page')
    const raw = typeof f.target === 'string' ? f.target : ''
    const level = (typeof f.level === 'string' ? f.level : '') as AccessLevelName
    try {
      if (!ACCESS_LEVELS.includes(level)) throw new DomainError('invalid_input', 'Choose an access level.')
      let target: ShareTarget
      if (raw === 'workspace') target = { type: 'workspace' }
      else if (raw.startsWith('group:')) target = { type: 'group', id: h.uuid(raw.slice(6), 'group') }
      else if (raw.startsWith('user:')) target = { type: 'user', id: h.uuid(raw.slice(5), 'person') }
      else throw new DomainError('invalid_input', 'Choose a person, a group or the workspace.')
      await setPageAccess(deps, { pageId, actorId: u.id, target, level })
    } catch (e) {
      return refused(c, e, 'Access was not changed.')
    }
    return back(c, 'shared')
  })

  app.post('/w/:ws/pages/:id/access/restore', async (c) => {
    const u = h.user(c)
    await h.form(c)
    try {
      await restorePageAccess(deps, { pageId: h.uuid(c.req.param('id'), 'page'), actorId: u.id })
    } catch (e) {
      return refused(c, e, 'Access was not restored.')
    }
    return back(c, 'restored')
  })
}
