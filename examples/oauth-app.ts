/**
 * A tiny third-party app that installs itself in Octavo through OAuth, exactly as it would in Notion —
 * only `node:http` and the official `@notionhq/client` (pointed at Octavo with `baseUrl`).
 *
 *   GET /          a "Connect to Octavo" link
 *   GET /connect   redirects to Octavo's /v1/oauth/authorize with a fresh `state`
 *   GET /callback  checks `state`, exchanges the code with `client.oauth.token`, then reads what the
 *                  new bot can see (`users.me`, `search`) and shows it
 *   GET /refresh   rotates the tokens with `grant_type: "refresh_token"`
 *
 * Run (walkthrough in examples/README.md):
 *   OAUTH_CLIENT_ID=… OAUTH_CLIENT_SECRET=… npm run example:oauth
 * Configuration: OCTAVO_URL (default http://127.0.0.1:7700), OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET,
 * PORT (default 3000), OAUTH_REDIRECT_URI (default http://127.0.0.1:<PORT>/callback; register it
 * exactly on the public connection).
 */
import { Client, LogLevel, isFullPage } from '@notionhq/client'
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { pathToFileURL } from 'node:url'

export interface OAuthAppOptions {
  octavoUrl: string
  clientId: string
  clientSecret: string
  port: number
  /** Defaults to http://127.0.0.1:<port>/callback. */
  redirectUri?: string
}

/** What the app remembers of an install (in memory; a real app stores it keyed by `bot_id`). */
export interface Install {
  botId: string
  workspaceName: string | null
  accessToken: string
  refreshToken: string | null
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`

/** Starts the app on 127.0.0.1. @returns its URL, the installs it made, and a close function. */
export async function startOAuthApp(opts: OAuthAppOptions): Promise<{ url: string; installs: Install[]; close(): Promise<void> }> {
  const base = opts.octavoUrl.replace(/\/$/, '')
  const redirectUri = opts.redirectUri ?? `http://127.0.0.1:${opts.port}/callback`
  const notion = new Client({ baseUrl: base, logLevel: LogLevel.ERROR })
  const pendingStates = new Set<string>()
  const installs: Install[] = []

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers })
      res.end(html)
    }
    try {
      if (url.pathname === '/') return send(200, page('Example app', '<p><a href="/connect">Connect to Octavo</a></p>'))
      if (url.pathname === '/connect') {
        const state = randomBytes(16).toString('base64url')
        pendingStates.add(state)
        const authorize = new URL(`${base}/v1/oauth/authorize`)
        authorize.search = new URLSearchParams({
          client_id: opts.clientId,
          redirect_uri: redirectUri,
          response_type: 'code',
          owner: 'user',
          state,
        }).toString()
        return send(302, '', { location: authorize.toString() })
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? ''
        if (!pendingStates.delete(state))
          return send(400, page('Refused', '<p>Unknown state: this answer was not asked for by this app.</p>'))
        const error = url.searchParams.get('error')
        if (error) return send(200, page('Not connected', `<p>Octavo said: <code>${esc(error)}</code></p>`))
        // Exchange the temporary code for tokens, with HTTP Basic client authentication (SDK oauth.token).
        const token = await notion.oauth.token({
          client_id: opts.clientId,
          client_secret: opts.clientSecret,
          grant_type: 'authorization_code',
          code: url.searchParams.get('code') ?? '',
          redirect_uri: redirectUri,
        })
        installs.push({
          botId: token.bot_id,
          workspaceName: token.workspace_name,
          accessToken: token.access_token,
          refreshToken: token.refresh_token,
        })
        const bot = new Client({ auth: token.access_token, baseUrl: base, logLevel: LogLevel.ERROR })
        const me = await bot.users.me({})
        const found = await bot.search({ filter: { property: 'object', value: 'page' } })
        const titles = found.results.filter(isFullPage).map((p) => {
          const title = Object.values(p.properties).find((v) => v.type === 'title')
          return title?.type === 'title' ? title.title.map((t) => t.plain_text).join('') : ''
        })
        const owner = token.owner.type === 'user' && 'name' in token.owner.user ? token.owner.user.name : null
        return send(
          200,
          page(
            'Connected',
            `<p>Bot <code id="bot-id">${esc(token.bot_id)}</code> (${esc(me.name ?? '')}) in workspace <strong>${esc(token.workspace_name ?? '')}</strong>, authorized by ${esc(owner ?? 'someone')}.</p>
<h2>Pages the app can read</h2><ul id="pages">${titles.map((t) => `<li>${esc(t || 'Untitled')}</li>`).join('')}</ul>
<p><a href="/refresh">Rotate tokens</a></p>`,
          ),
        )
      }
      if (url.pathname === '/refresh') {
        const last = installs.at(-1)
        if (!last?.refreshToken) return send(400, page('Nothing to refresh', '<p>Connect first.</p>'))
        const token = await notion.oauth.token({
          client_id: opts.clientId,
          client_secret: opts.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: last.refreshToken,
        })
        Object.assign(last, { accessToken: token.access_token, refreshToken: token.refresh_token })
        return send(
          200,
          page('Tokens rotated', `<p>New access token for bot <code>${esc(token.bot_id)}</code>; the old pair no longer works.</p>`),
        )
      }
      return send(404, page('Not found', ''))
    } catch (e) {
      return send(502, page('Octavo refused', `<pre>${esc(e instanceof Error ? e.message : String(e))}</pre>`))
    }
  })
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : opts.port
  return { url: `http://127.0.0.1:${port}`, installs, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const clientId = process.env.OAUTH_CLIENT_ID
  const clientSecret = process.env.OAUTH_CLIENT_SECRET
  if (!clientId || !clientSecret) {
    console.error('Set OAUTH_CLIENT_ID and OAUTH_CLIENT_SECRET (register a public connection first: see examples/README.md).')
    process.exit(1)
  }
  const port = Number(process.env.PORT ?? 3000)
  const app = await startOAuthApp({
    octavoUrl: process.env.OCTAVO_URL ?? 'http://127.0.0.1:7700',
    clientId,
    clientSecret,
    port,
    ...(process.env.OAUTH_REDIRECT_URI ? { redirectUri: process.env.OAUTH_REDIRECT_URI } : {}),
  })
  console.log(`Example app on ${app.url} — open it and click "Connect to Octavo".`)
}
