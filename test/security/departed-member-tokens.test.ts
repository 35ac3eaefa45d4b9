import { APIResponseError, Client, LogLevel, UnknownHTTPResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/harness.js'
import { consent, registerApp } from '../support/oauth.js'
import { seedPeople } from '../support/pats.js'

/**
 * Security issue, "removed people's tokens come back": a PAT and an OAuth install's token went
 * 200 → 401 when their person was removed, and back to 200 when the person was added again. ADR 14:
 * access returns only through a new authorization. Removing a person (or the person leaving) now
 * revokes their PATs and removes their installs in that workspace, in the same transaction, with audit
 * entries; adding them back revives nothing. Driven through the admin API and the SDK.
 */
describe('a person removed from a workspace loses their tokens for good', () => {
  let server: TestServer
  const REDIRECT = 'http://127.0.0.1:9999/callback'
  const sdk = () => new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/_octavo/admin${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.config.adminKey}`, 'content-type': 'application/json' },
    })

  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.stop())

  /** A workspace where Mia holds a PAT and an OAuth install token (and its refresh token), all working. */
  async function miaWithTokens() {
    const s = await seedPeople(server, 'plus')
    const { token: pat, pat: patRow } = await s.pat(s.member.id)
    const { token: ownerPat } = await s.pat(s.owner.id)
    const app = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT] })
    const to = await consent(server, {
      userId: s.member.id,
      params: { client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user' },
      pageIds: [s.pages.root.id],
    })
    const grant = await sdk().oauth.token({
      client_id: app.clientId,
      client_secret: app.clientSecret,
      grant_type: 'authorization_code',
      code: to.searchParams.get('code') as string,
      redirect_uri: REDIRECT,
    })
    const installId = (
      await server.deps.store.db.selectFrom('oauth_install').select('id').where('bot_id', '=', grant.bot_id).executeTakeFirstOrThrow()
    ).id
    const tokens = { pat, oauth: grant.access_token }
    for (const t of Object.values(tokens))
      expect((await server.client(t).pages.retrieve({ page_id: s.pages.root.id })).id).toBe(s.pages.root.id)
    return { s, tokens, ownerPat, patRow, app, grant, installId }
  }

  /** The HTTP status of a page read with `token`. */
  const statusOf = (token: string, pageId: string): Promise<number> =>
    server
      .client(token)
      .pages.retrieve({ page_id: pageId })
      .then(
        () => 200,
        (e: unknown) => (e instanceof APIResponseError ? e.status : Promise.reject(e)),
      )

  for (const how of ['removed by an owner', 'leaving'] as const) {
    it(`${how}: 200 → 401, still 401 once added back, refresh refused, and the audit log says why`, async () => {
      const { s, tokens, ownerPat, patRow, app, grant, installId } = await miaWithTokens()
      const as = how === 'leaving' ? (s.member.email as string) : (s.owner.email as string)
      const removed = await admin(`/workspaces/${s.workspace.id}/members/${s.member.id}?as=${encodeURIComponent(as)}`, { method: 'DELETE' })
      expect(removed.status).toBe(200)
      for (const t of Object.values(tokens)) expect(await statusOf(t, s.pages.root.id)).toBe(401)

      const readded = await admin(`/workspaces/${s.workspace.id}/members`, {
        method: 'POST',
        body: JSON.stringify({ name: 'Mia Member', email: s.member.email as string, role: 'member' }),
      })
      expect(readded.status).toBe(201)
      for (const t of Object.values(tokens)) expect(await statusOf(t, s.pages.root.id)).toBe(401)
      // The install's refresh token cannot mint a new pair either.
      await expect(
        sdk().oauth.token({
          client_id: app.clientId,
          client_secret: app.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: grant.refresh_token as string,
        }),
      ).rejects.toBeInstanceOf(UnknownHTTPResponseError)
      // Other people's tokens are untouched.
      expect(await statusOf(ownerPat, s.pages.root.id)).toBe(200)

      const actor = `user:${how === 'leaving' ? s.member.id : s.owner.id}`
      const reason = how === 'leaving' ? 'member_left' : 'member_removed'
      const audit = (await (await admin(`/workspaces/${s.workspace.id}/audit?action=pat.revoked,oauth.install_removed`)).json()) as {
        entries: { action: string; actor: string; target: string; meta: Record<string, unknown> }[]
      }
      expect(audit.entries.map((e) => [e.action, e.actor, e.target, e.meta.reason]).sort()).toEqual(
        [
          ['oauth.install_removed', actor, installId, reason],
          ['pat.revoked', actor, patRow.id, reason],
        ].sort(),
      )
      const pats = (await (
        await admin(`/workspaces/${s.workspace.id}/personal-access-tokens?as=${encodeURIComponent(s.owner.email as string)}`)
      ).json()) as { personal_access_tokens: { id: string; status: string; revoked_by: unknown }[] }
      const mine = pats.personal_access_tokens.find((p) => p.id === patRow.id)
      expect(mine?.status).toBe('revoked')
      expect(mine?.revoked_by).toMatchObject({ type: 'user', id: actor.slice('user:'.length) })
    })
  }
})
