import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'
import { PortalAgent } from '../support/portal-agent.js'

const PW = 'correct horse battery'

/** Settings & members → Emoji over HTTP: owners add and remove custom emojis; members see them and are refused changes. */
describe('portal: custom emojis', () => {
  let server: TestServer
  let s: Awaited<ReturnType<typeof seedBasic>>
  beforeAll(async () => {
    server = await startTestServer()
    s = await seedBasic(server)
    for (const p of [s.owner, s.member]) await setPassword(server.deps, p.id, PW)
  })
  afterAll(async () => server.stop())

  it('an owner adds an emoji by URL and removes it; a member sees the list without forms and is refused a change', async () => {
    const base = `/settings/${s.workspace.id}/emojis`
    const owner = await PortalAgent.signedIn(server, s.owner.email as string, PW)
    const empty = await owner.req(base)
    expect(empty.status).toBe(200)
    expect(empty.text).toContain('No custom emojis yet.')
    const csrf = await owner.csrf(base)
    const added = await owner.req(base, { _csrf: csrf, name: 'tada', url: 'https://example.com/tada.png' })
    expect(added.status).toBe(303)
    const listed = await owner.req(base)
    expect(listed.text).toContain(':tada:')
    expect(listed.text).toContain('Add emoji')
    const bad = await owner.req(base, { _csrf: csrf, name: 'Not OK', url: 'https://example.com/x.png' })
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('lowercase letters')

    const member = await PortalAgent.signedIn(server, s.member.email as string, PW)
    const seen = await member.req(base)
    expect(seen.status).toBe(200)
    expect(seen.text).toContain(':tada:')
    expect(seen.text).not.toContain('Add emoji')
    const mcsrf = await member.csrf(base)
    const refused = await member.req(base, { _csrf: mcsrf, name: 'mine', url: 'https://example.com/m.png' })
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('Only workspace owners can add custom emojis. This user is a member.')

    const id = /<div class="meta">([0-9a-f-]{36})<\/div>/.exec(listed.text)?.[1] as string
    const removed = await owner.req(`${base}/${id}/remove`, { _csrf: csrf })
    expect(removed.status).toBe(303)
    expect((await owner.req(base)).text).toContain('No custom emojis yet.')
  })
})
