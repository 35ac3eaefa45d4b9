import type { Hono } from 'hono'
import { DomainError } from '../../errors/domain-error.js'
import { PAT_EXPIRY_DAYS, createPat, listOwnPats, patCreationAllowance, revealPat, revokePat } from '../../services/pats.service.js'
import { workspacesOf } from '../../services/portal.service.js'
import type { UserTable } from '../../storage/database.js'
import { one } from '../form.js'
import { settingsFlash as flash } from '../notices.js'
import type { PortalContext, PortalEnv } from '../session.js'
import type { PortalShell } from '../shell.js'
import { developersSidebar, type Flash } from '../views/screens.js'
import { newTokenView, tokenCreatedView, tokensListView, type TokensWorkspace } from '../views/tokens.js'

/**
 * Developer portal → Personal access tokens (issue 4; docs/adr/0013-web-portal.md, "Part 2"):
 * `/developers/tokens`: the creator's own PATs in each workspace with what the PAT policy allows them,
 * "New personal access token", the token shown once, "Reveal" (creator only), revoke. Every action is a
 * pats.service call that enforces its own rule; a refusal shows that service's message.
 */

/** Registers `/developers/tokens…`. */
export function personalAccessTokens(app: Hono<PortalEnv>, h: PortalShell): void {
  const { deps } = h

  const tokenWorkspaces = async (u: UserTable): Promise<TokensWorkspace[]> => {
    const out: TokensWorkspace[] = []
    for (const w of await workspacesOf(deps, u.id)) {
      out.push({
        id: w.id,
        name: w.name,
        role: w.role,
        allowance: await patCreationAllowance(deps, w.id, u.id),
        tokens: await listOwnPats(deps, w.id, u.id),
      })
    }
    return out
  }
  const tokensList = async (c: PortalContext, status: number, revealed: { id: string; token: string } | null, f: Flash | null) => {
    const u = h.user(c)
    const body = tokensListView({ workspaces: await tokenWorkspaces(u), revealed, csrf: c.get('csrf'), flash: f })
    return h.render(c, status, 'Personal access tokens', 'developers', developersSidebar('tokens'), body)
  }
  app.get('/developers/tokens', (c) => tokensList(c, 200, null, flash(c)))

  const newTokenForm = async (
    c: PortalContext,
    status: number,
    values: { workspace: string; name: string; notionApi: boolean; workers: boolean; days: number },
    f: Flash | null,
  ) => {
    const u = h.user(c)
    const workspaces = await tokenWorkspaces(u)
    const workspace = values.workspace || workspaces.find((w) => w.allowance.notionApi === null)?.id || workspaces[0]?.id || ''
    return h.render(
      c,
      status,
      'New personal access token',
      'developers',
      developersSidebar('tokens'),
      newTokenView({ workspaces, values: { ...values, workspace }, csrf: c.get('csrf'), flash: f }),
    )
  }
  app.get('/developers/tokens/new', (c) =>
    newTokenForm(c, 200, { workspace: c.req.query('workspace') ?? '', name: '', notionApi: true, workers: false, days: 365 }, null),
  )

  app.post('/developers/tokens', async (c) => {
    const u = h.user(c)
    const f = await h.form(c)
    const days = Number(one(f, 'expires_in_days') || 365)
    const values = {
      workspace: one(f, 'workspace_id'),
      name: one(f, 'name'),
      notionApi: one(f, 'notion_api') === 'on',
      workers: one(f, 'workers') === 'on',
      days,
    }
    try {
      const ws = h.uuid(values.workspace, 'workspace')
      if (!(await workspacesOf(deps, u.id)).some((w) => w.id === ws))
        throw new DomainError('not_found', 'You are not a member of that workspace.')
      if (!(PAT_EXPIRY_DAYS as readonly number[]).includes(days))
        throw new DomainError('invalid_input', 'Choose an expiry: 7, 30, 90 or 180 days, or 1 year.')
      const created = await createPat(deps, {
        workspaceId: ws,
        actorId: u.id,
        name: values.name,
        capabilities: { notionApi: values.notionApi, workers: values.workers },
        expiresInDays: days,
      })
      const wsName = (await workspacesOf(deps, u.id)).find((w) => w.id === ws)?.name ?? ''
      return h.render(
        c,
        201,
        created.pat.name,
        'developers',
        developersSidebar('tokens'),
        tokenCreatedView({ pat: created.pat, token: created.token, workspaceName: wsName }),
      )
    } catch (e) {
      if (!(e instanceof DomainError)) throw e
      return newTokenForm(c, e.status, values, { kind: 'error', title: 'The token was not created.', text: e.message })
    }
  })

  app.post('/developers/tokens/:id/reveal', async (c) => {
    const u = h.user(c)
    await h.form(c)
    const id = h.uuid(c.req.param('id'), 'token')
    try {
      const token = await revealPat(deps, id, u.id)
      return tokensList(c, 200, { id, token }, { kind: 'ok', text: 'Copy the token below. Only you can reveal it.' })
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'not_found') throw e
      return tokensList(c, e.status, null, { kind: 'error', title: 'The token was not revealed.', text: e.message })
    }
  })

  app.post('/developers/tokens/:id/revoke', async (c) => {
    const u = h.user(c)
    await h.form(c)
    await revokePat(deps, h.uuid(c.req.param('id'), 'token'), { type: 'user', userId: u.id })
    return c.redirect('/developers/tokens?done=revoked', 303)
  })
}
