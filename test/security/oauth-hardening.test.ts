import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENT_AUTH_BUDGETS } from '../../src/api/oauth.routes.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { consent, pkcePair, registerApp } from '../support/oauth.js'

/**
 * The security issue's OAuth findings, through the real server:
 * 3. PKCE downgrade: a `code_verifier` for a code issued without `code_challenge` is `invalid_grant`
 *    (RFC 9700 §2.1.1).
 * 4. Failed client authentication on `/v1/oauth/token|introspect|revoke` is throttled per claimed
 *    client and address: past the budget 429 `{error:"rate_limited", error_description, request_id}`
 *    with `Retry-After`, even for the right secret; other clients keep working.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback'
const N = CLIENT_AUTH_BUDGETS.perKey.points

describe('OAuth hardening', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>

  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
  })
  afterAll(async () => server?.stop())

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
  const post = (path: string, authorization: string, body: Record<string, unknown>) =>
    fetch(`${server.url}/v1/oauth/${path}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const codeFor = async (clientId: string, extra: Record<string, string> = {}) => {
    const to = await consent(server, {
      userId: s.owner.id,
      params: { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', owner: 'user', ...extra },
      pageIds: [s.pages.child.id],
    })
    return to.searchParams.get('code') as string
  }

  it('refuses a code_verifier for a code issued without code_challenge (PKCE downgrade)', async () => {
    const app = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT], name: 'Downgrade' })
    const auth = basic(app.clientId, app.clientSecret)
    const code = await codeFor(app.clientId)
    const res = await post('token', auth, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: pkcePair().verifier,
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as Record<string, string>
    expect(body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code_verifier was given, but the authorization request had no code_challenge.',
    })
    expect(JSON.stringify(body)).not.toContain('access_token')
    // Codes without PKCE still work without a verifier, and with PKCE with the right one.
    expect(
      (await post('token', auth, { grant_type: 'authorization_code', code: await codeFor(app.clientId), redirect_uri: REDIRECT })).status,
    ).toBe(200)
    const { verifier, challenge } = pkcePair()
    const pkceCode = await codeFor(app.clientId, { code_challenge: challenge, code_challenge_method: 'S256' })
    expect(
      (await post('token', auth, { grant_type: 'authorization_code', code: pkceCode, redirect_uri: REDIRECT, code_verifier: verifier }))
        .status,
    ).toBe(200)
  })

  it(`throttles failed client authentication on token, introspect and revoke after ${N} failures; other clients still work`, async () => {
    const victim = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT], name: 'Victim' })
    const other = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT], name: 'Other' })
    const paths = ['token', 'introspect', 'revoke'] as const
    const bodyFor = (path: string) => (path === 'token' ? { grant_type: 'refresh_token', refresh_token: 'ntn_x' } : { token: 'ntn_x' })
    for (let i = 0; i < N; i++) {
      const path = paths[i % 3] as string
      const res = await post(path, basic(victim.clientId, `wrong-secret-${i}`), bodyFor(path))
      expect(res.status, `${path} #${i}`).toBe(401)
      expect(((await res.json()) as { error: string }).error).toBe('invalid_client')
    }
    for (const path of paths) {
      // Wrong and right secrets alike: nothing more is learnt about the secret until the window ends.
      for (const secret of ['wrong-again', victim.clientSecret]) {
        const res = await post(path, basic(victim.clientId, secret), bodyFor(path))
        expect(res.status, `${path} ${secret === victim.clientSecret ? 'right' : 'wrong'} secret`).toBe(429)
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(800)
        const body = (await res.json()) as Record<string, string>
        expect(Object.keys(body).sort()).toEqual(['error', 'error_description', 'request_id'])
        expect(body.error).toBe('rate_limited')
        expect(body.error_description).toMatch(/^Too many failed client authentications\. Try again in \d+ seconds\.$/)
      }
    }
    // Another client from the same address is not affected.
    const ok = await post('introspect', basic(other.clientId, other.clientSecret), { token: 'ntn_x' })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { active: boolean }).active).toBe(false)
  })

  it(`counts concurrent failures atomically: of 40 at once exactly ${N} are answered 401`, async () => {
    const target = await registerApp(server, { workspaceId: s.workspace.id, actorId: s.owner.id, redirectUris: [REDIRECT], name: 'Burst' })
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post('introspect', basic(target.clientId, `guess-${i}`), { token: 'ntn_x' })),
    )
    expect(results.filter((r) => r.status === 401)).toHaveLength(N)
    expect(results.filter((r) => r.status === 429)).toHaveLength(40 - N)
    expect((await post('introspect', basic(target.clientId, target.clientSecret), { token: 'ntn_x' })).status).toBe(429)
  })
})
