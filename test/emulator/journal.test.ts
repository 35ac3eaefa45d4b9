import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { journalFaultCommands } from '../../src/cli/journal-fault-commands.js'
import { createConnection } from '../../src/services/connections.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { runCliInProcess } from '../support/cli-in-process.js'
import { PortalAgent } from '../support/portal-agent.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { adminCall } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/**
 * The request journal (ADR 22, docs/emulator.md) through the real SDK and server: what an entry holds,
 * the admin API's filters and DELETE, the bound per workspace, redacted bodies, and `octavo requests
 * tail` (once, and --follow) against the running server.
 */

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]
type Entry = {
  id: number
  time: string
  workspace_id: string | null
  caller: { type: string; id: string; name: string } | null
  endpoint: string | null
  method: string
  path: string
  status: number
  error_code: string | null
  duration_ms: number
  request_body?: unknown
  response_body?: unknown
}

describe('request journal', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  const list = async (query = '') => (await adminCall(server, 'GET', `/requests${query}`)).body.requests as Entry[]

  beforeAll(async () => {
    server = await startTestServer({ env: { OCTAVO_JOURNAL_SIZE: '6', OCTAVO_JOURNAL_BODIES: 'on' } })
    s = await seedBasic(server)
    await s.share(s.pages.root.id)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('records time, caller by name, SDK endpoint, method, path, status, error code and duration', async () => {
    const notion = server.client(s.token)
    await notion.pages.retrieve({ page_id: s.pages.child.id })
    await apiError(notion.blocks.retrieve({ block_id: s.pages.secret.id }))
    const [ok, refused] = await list('?limit=2')
    expect(ok).toMatchObject({
      workspace_id: s.workspace.id,
      caller: { type: 'connection', id: s.connection.id, name: 'Test Bot' },
      endpoint: 'pages.retrieve',
      method: 'GET',
      path: `/v1/pages/${s.pages.child.id}`,
      status: 200,
      error_code: null,
    })
    expect(Date.parse(ok!.time)).not.toBeNaN()
    expect(ok!.duration_ms).toBeGreaterThanOrEqual(0)
    expect(refused).toMatchObject({ endpoint: 'blocks.retrieve', status: 404, error_code: 'object_not_found' })
    expect(refused!.id).toBeGreaterThan(ok!.id)
  })

  it('filters by caller, endpoint, status (exact or class) and time; DELETE clears', async () => {
    const other = await createConnection(server.deps, { workspaceId: s.workspace.id, actorId: s.owner.id, name: 'Other Bot' })
    const since = new Date().toISOString()
    await server.client(other.token).users.me({})
    await server.client(s.token).users.me({})
    expect((await list('?caller=other%20bot')).map((e) => e.caller?.name)).toEqual(['Other Bot'])
    expect((await list(`?caller=${other.connection.id}`)).length).toBe(1)
    expect((await list(`?endpoint=users.me&since=${encodeURIComponent(since)}`)).length).toBe(2)
    expect((await list('?status=4xx')).every((e) => e.status >= 400 && e.status < 500)).toBe(true)
    expect((await list('?status=404')).length).toBeGreaterThanOrEqual(1)
    expect((await list(`?until=2000-01-01T00:00:00Z`)).length).toBe(0)
    const bad = await adminCall(server, 'GET', '/requests?status=teapot')
    expect(bad.status).toBe(400)
    const cleared = await adminCall(server, 'DELETE', '/requests')
    expect(cleared.body.cleared).toBeGreaterThan(0)
    expect(await list()).toEqual([])
  })

  it('keeps at most N entries per workspace; requests without a known credential have their own buffer', async () => {
    const other = await createWorkspace(server.deps, {
      name: 'Globex',
      plan: 'free',
      members: [{ name: 'Hank', email: 'hank@example.com', role: 'owner' }],
    })
    const globex = await createConnection(server.deps, {
      workspaceId: other.workspace.id,
      actorId: other.members[0]!.id,
      name: 'Globex Bot',
    })
    for (let i = 0; i < 10; i++) await server.client(s.token).users.me({})
    await server.client(globex.token).users.me({})
    await server.raw('/v1/users/me', { token: 'ntn_123' })
    expect((await list(`?workspace=${s.workspace.id}&limit=100`)).length).toBe(6)
    expect((await list(`?workspace=${other.workspace.id}`)).map((e) => e.caller?.name)).toEqual(['Globex Bot'])
    const anonymous = (await list('?limit=100')).filter((e) => e.workspace_id === null)
    expect(anonymous.at(-1)).toMatchObject({ status: 401, caller: null, endpoint: 'users.me', error_code: 'unauthorized' })
    await adminCall(server, 'DELETE', `/requests?workspace=${other.workspace.id}`)
    expect(await list(`?workspace=${other.workspace.id}`)).toEqual([])
    expect((await list(`?workspace=${s.workspace.id}`)).length).toBe(6)
  })

  it('with bodies on, keeps redacted request and response bodies: no tokens, no file URLs, no passwords', async () => {
    await adminCall(server, 'DELETE', '/requests')
    const notion = server.client(s.token)
    const page = await notion.pages.create({
      parent: { page_id: s.pages.root.id },
      cover: { type: 'external', external: { url: 'https://files.example.com/signed/cover.png?X-Amz-Signature=abc' } },
      properties: { title: { title: rt('Deploy notes') } },
      children: [{ paragraph: { rich_text: rt(`old token ${s.token} do not use`) } }],
    })
    const [entry] = await list('?endpoint=pages.create')
    const text = JSON.stringify(entry)
    expect(text).not.toContain(s.token)
    expect(text).not.toContain('X-Amz-Signature')
    expect(text).toContain('Deploy notes')
    expect(text).toContain('[redacted]')
    expect((entry!.response_body as { id: string }).id).toBe(page.id)
    expect((entry!.request_body as { cover: { external: { url: string } } }).cover.external.url).toBe('[redacted]')
  })

  it('form bodies (OAuth client endpoints) are redacted by field name; HTML is not kept', async () => {
    await adminCall(server, 'DELETE', '/requests')
    const res = await fetch(`${server.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=the-code-value&client_id=abc&client_secret=the-secret-value&redirect_uri=x',
    })
    expect(res.status).toBeGreaterThanOrEqual(400)
    const [entry] = await list()
    const text = JSON.stringify(entry)
    expect(text).not.toContain('the-code-value')
    expect(text).not.toContain('the-secret-value')
    expect(entry!.request_body).toMatchObject({ grant_type: 'authorization_code', code: '[redacted]', client_secret: '[redacted]' })
    expect(entry!.error_code).toBeTruthy()
  })

  it('octavo requests tail prints the latest requests with the reason of a refusal; --json one object per line', async () => {
    await adminCall(server, 'DELETE', '/requests')
    const notion = server.client(s.token)
    await notion.users.me({})
    await apiError(notion.pages.retrieve({ page_id: s.pages.secret.id }))
    const human = await runCliInProcess([journalFaultCommands], ['--data-dir', server.dataDir, 'requests', 'tail', '--url', server.url])
    expect(human).toContain('200 GET /v1/users/me  users.me  Test Bot')
    expect(human).toContain(`404 GET /v1/pages/${s.pages.secret.id}  pages.retrieve  Test Bot`)
    expect(human).toContain('why: Page "Secret" exists in workspace "Acme" but is not shared with connection "Test Bot".')
    const json = await runCliInProcess(
      [journalFaultCommands],
      ['--data-dir', server.dataDir, '--json', 'requests', 'tail', '--url', server.url, '--status', '404'],
    )
    const lines = json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry & { explanation: { kind: string } })
    expect(lines).toHaveLength(1)
    expect(lines[0]!.explanation.kind).toBe('unshared')
  })

  it('octavo requests tail --follow prints requests as they arrive, each once', async () => {
    await adminCall(server, 'DELETE', '/requests')
    const run = runCliInProcess(
      [journalFaultCommands],
      ['--data-dir', server.dataDir, '--json', 'requests', 'tail', '--follow', '--interval', '50', '--url', server.url],
    )
    await new Promise((r) => setTimeout(r, 120))
    await server.client(s.token).users.me({})
    await new Promise((r) => setTimeout(r, 200))
    await server.client(s.token).pages.retrieve({ page_id: s.pages.root.id })
    await new Promise((r) => setTimeout(r, 200))
    process.emit('SIGINT')
    const out = await run
    const endpoints = out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as Entry).endpoint)
    expect(endpoints).toEqual(['users.me', 'pages.retrieve'])
  })

  it('octavo faults add / list / remove talk to the running server', async () => {
    const added = await runCliInProcess(
      [journalFaultCommands],
      [
        '--data-dir',
        server.dataDir,
        '--json',
        'faults',
        'add',
        '--url',
        server.url,
        '--endpoint',
        'users.me',
        '--error',
        'service_unavailable',
        '--times',
        '1',
        '--id',
        'cli-rule',
      ],
    )
    expect(JSON.parse(added)).toMatchObject({ id: 'cli-rule', endpoint: 'users.me', error: 'service_unavailable', remaining: 1 })
    const listed = await runCliInProcess([journalFaultCommands], ['--data-dir', server.dataDir, 'faults', 'list', '--url', server.url])
    expect(listed).toContain('cli-rule')
    expect((await apiError(server.client(s.token).users.me({}))).status).toBe(503)
    await runCliInProcess(
      [journalFaultCommands],
      ['--data-dir', server.dataDir, 'faults', 'add', '--url', server.url, '--latency', '1-5', '--id', 'slow'],
    )
    await runCliInProcess([journalFaultCommands], ['--data-dir', server.dataDir, 'faults', 'remove', 'slow', '--url', server.url])
    expect((await adminCall(server, 'GET', '/faults')).body.faults).toEqual([])
  })

  it("the portal shows a connection's requests, with the reason of a refusal, to whoever manages it", async () => {
    await adminCall(server, 'DELETE', '/requests')
    const notion = server.client(s.token)
    await notion.users.me({})
    await apiError(notion.pages.retrieve({ page_id: s.pages.secret.id }))
    await adminCall(server, 'POST', '/faults', { id: 'portal-visible', endpoint: 'search', error: 'gateway_timeout' })
    await setPassword(server.deps, s.owner.id, 'correct horse battery')
    const olive = await PortalAgent.signedIn(server, 'olive@example.com', 'correct horse battery')
    const page = await olive.req(`/developers/connections/${s.connection.id}/requests`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('users.me')
    expect(page.text).toContain(`GET /v1/pages/${s.pages.secret.id}`)
    expect(page.text).toContain('object_not_found')
    expect(page.text).toContain('exists in workspace')
    expect(page.text).toContain('portal-visible')
    const refused = await olive.req(`/developers/connections/${s.connection.id}/requests?status=4xx`)
    expect(refused.text).not.toContain('/v1/users/me')
    await setPassword(server.deps, s.member.id, 'another long password')
    const mia = await PortalAgent.signedIn(server, 'mia@example.com', 'another long password')
    const denied = await mia.req(`/developers/connections/${s.connection.id}/requests`)
    expect(denied.status).toBeGreaterThanOrEqual(400)
    expect(denied.text).not.toContain('object_not_found')
    await adminCall(server, 'DELETE', '/faults')
  })
})
