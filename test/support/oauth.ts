import { Client, LogLevel } from '@notionhq/client'
import { createHash, randomBytes } from 'node:crypto'
import { createSession } from '../../src/services/portal-auth.service.js'
import { registerPublicConnection } from '../../src/services/public-connections.service.js'
import type { Capabilities } from '../../src/permissions/capabilities.js'
import type { TestServer } from './harness.js'

/**
 * OAuth test helpers: register a public connection through the service layer, and walk the consent
 * screen over plain HTTP (a real portal session cookie, the real consent HTML and its CSRF token, the
 * real form POST), so SDK tests get real authorization codes without a browser.
 */

export async function registerApp(
  server: TestServer,
  input: {
    workspaceId: string
    actorId: string
    redirectUris?: string[]
    capabilities?: Partial<Capabilities>
    templatePageId?: string | null
    name?: string
  },
) {
  const { connection, client_secret } = await registerPublicConnection(server.deps, {
    workspaceId: input.workspaceId,
    actorId: input.actorId,
    name: input.name ?? 'Example App',
    redirectUris: input.redirectUris ?? ['http://127.0.0.1:9999/callback'],
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    ...(input.templatePageId !== undefined ? { templatePageId: input.templatePageId } : {}),
  })
  return { clientId: connection.client_id, clientSecret: client_secret, connection }
}

/** A PKCE pair (RFC 7636, S256). */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export interface ConsentOptions {
  userId: string
  params: Record<string, string>
  pageIds?: string[]
  workspaceId?: string
  template?: boolean
  decision?: 'allow' | 'cancel'
}

/** A signed-in HTTP session for `userId`: a cookie header value. */
export async function sessionCookie(server: TestServer, userId: string): Promise<string> {
  const { sessionId } = await createSession(server.deps, userId)
  return `octavo_session=${sessionId}`
}

/**
 * GETs the authorize URL as the signed-in person, then POSTs the consent form (Allow or Cancel).
 * @returns the `Location` Octavo redirects to, parsed.
 */
export async function consent(server: TestServer, o: ConsentOptions): Promise<URL> {
  const cookie = await sessionCookie(server, o.userId)
  const q = new URLSearchParams(o.params)
  const page = await fetch(`${server.url}/v1/oauth/authorize?${q}`, { headers: { cookie }, redirect: 'manual' })
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${await page.text()}`)
  const htmlText = await page.text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(htmlText)?.[1]
  const ws = o.workspaceId ?? /name="workspace_id" value="([^"]+)"/.exec(htmlText)?.[1]
  if (!csrf || !ws) throw new Error('consent form not found')
  const form = new URLSearchParams(o.params)
  form.set('_csrf', csrf)
  form.set('workspace_id', ws)
  for (const p of o.pageIds ?? []) form.append('page', p)
  if (o.template) form.set('template', 'on')
  form.set('decision', o.decision ?? 'allow')
  const res = await fetch(`${server.url}/v1/oauth/authorize`, {
    method: 'POST',
    headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  })
  const location = res.headers.get('location')
  if (res.status !== 303 || !location) throw new Error(`consent POST answered ${res.status}: ${(await res.text()).slice(0, 500)}`)
  return new URL(location)
}

/**
 * A public connection registered by `ownerId` and installed by `userId` through the real consent screen
 * (picking `pageIds`), its code exchanged for tokens with the official SDK's `oauth.token`.
 * @returns the registration and the token response (`access_token`, `bot_id`, …).
 */
export async function installApp(
  server: TestServer,
  input: { workspaceId: string; ownerId: string; userId: string; pageIds: string[]; name?: string; redirectUri?: string },
) {
  const redirectUri = input.redirectUri ?? 'http://127.0.0.1:9999/callback'
  const app = await registerApp(server, {
    workspaceId: input.workspaceId,
    actorId: input.ownerId,
    redirectUris: [redirectUri],
    ...(input.name ? { name: input.name } : {}),
  })
  const to = await consent(server, {
    userId: input.userId,
    params: { client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', owner: 'user' },
    pageIds: input.pageIds,
  })
  const sdk = new Client({ baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR, logger: () => {} })
  const token = await sdk.oauth.token({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    grant_type: 'authorization_code',
    code: to.searchParams.get('code') as string,
    redirect_uri: redirectUri,
  })
  return { app, token }
}
