import { APIErrorCode } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPat } from '../../src/services/pats.service.js'
import { setPassword } from '../../src/services/portal-auth.service.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import { apiError, startTestServer, type TestServer } from '../support/harness.js'
import { count, hasChromium, launchBrowser, visible, type Browser } from './browser.js'

/**
 * Seed 004's personal-access-token journey and the Share panel, in a real browser against a real
 * server, each effect checked with the official SDK (issue 5, tests 5 and 6, plus sharing):
 * 5. a member creates a PAT in the Developer portal; the admin sees it in Settings → Connections,
 *    cannot reveal it, and revokes it: the PAT gets 401;
 * 6. the admin changes the PAT creation policy of a Business workspace: the member's PAT gets 401,
 *    and works again when the policy is changed back;
 * and the Share panel: granting a person "Can view" lets their PAT read a private page, "No access"
 * makes it 404; an inherited entry names its source page and "Restore inherited access" undoes a change.
 * Steps run in order and share state; screenshots go to test-artifacts/.
 */
describe.skipIf(!hasChromium)('portal in a browser: personal access tokens, settings and sharing (seed 004)', { timeout: 120_000 }, () => {
  let server: TestServer
  let b: Browser
  const PW = 'a-long-passphrase-1'
  let ws: Awaited<ReturnType<typeof createWorkspace>>
  let owner: { id: string; email: string | null; name: string | null }
  let member: typeof owner
  let pages: { root: { id: string }; plan: { id: string }; notes: { id: string } }
  let memberToken = ''

  beforeAll(async () => {
    server = await startTestServer()
    ws = await createWorkspace(server.deps, {
      name: 'Globex',
      plan: 'business',
      members: [
        { name: 'Olive Owner', email: 'olive@example.com', role: 'owner' },
        { name: 'Mia Member', email: 'mia@example.com', role: 'member' },
        { name: 'Gus Guest', email: 'gus@example.com', role: 'guest' },
      ],
    })
    ;[owner, member] = ws.members as unknown as [typeof owner, typeof owner]
    const root = await createPageAsUser(server.deps, { workspaceId: ws.workspace.id, actorId: owner.id, title: 'Roadmap' })
    const plan = await createPageAsUser(server.deps, {
      workspaceId: ws.workspace.id,
      actorId: owner.id,
      title: 'Q3 plan',
      parentId: root.id,
    })
    const notes = await createPageAsUser(server.deps, {
      workspaceId: ws.workspace.id,
      actorId: owner.id,
      title: 'Board notes',
      private: true,
    })
    pages = { root, plan, notes }
    for (const p of ws.members) await setPassword(server.deps, p.id, PW)
    b = await launchBrowser()
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url })
  })
  afterAll(async () => {
    await b?.close()
    await server?.stop()
  })

  async function signIn(email: string | null) {
    await b.context.clearCookies()
    await b.page.goto(`${server.url}/login`)
    await b.page.getByLabel('E-mail').fill(email as string)
    await b.page.getByLabel('Password').fill(PW)
    await b.page.getByRole('button', { name: 'Sign in' }).click()
    await b.page.waitForURL((u) => !u.pathname.startsWith('/login'))
  }
  const settings = (tab: string) => `${server.url}/settings/${ws.workspace.id}/${tab}`
  const policyRadio = (label: string) => b.page.getByRole('radio', { name: label })

  it('on Business the default is owners only: a member sees why they cannot create a PAT', async () => {
    await signIn(member.email)
    await b.page.getByRole('link', { name: 'Developer portal' }).click()
    await b.page.getByRole('navigation', { name: 'Developer portal' }).getByRole('link', { name: 'Personal access tokens' }).click()
    await visible(b.page.getByText('You cannot create tokens with Notion API access here.'))
    await visible(
      b.page.getByText(
        'This workspace lets workspace owners only create personal access tokens with Notion API access; this member is not allowed.',
      ),
    )
    await b.shot('21-member-pat-refusal')
    // The same refusal when the member submits the form anyway.
    await b.page.goto(`${server.url}/developers/tokens/new`)
    await b.page.getByLabel('Token name').fill('Too early')
    await b.page.getByRole('button', { name: 'Create token' }).click()
    await visible(b.page.getByText('The token was not created.'))
    expect(await b.page.getByRole('alert').textContent()).toContain('this member is not allowed')
    // Settings: a member is refused with the service's message.
    await b.page.goto(settings('connections'))
    await visible(b.page.getByText('Only workspace owners can see every personal access token of the workspace. This user is a member.'))
  })

  it('the owner lets all members create PATs (two choices on Business)', async () => {
    await signIn(owner.email)
    await b.page.getByRole('link', { name: 'Settings & members' }).click()
    await visible(b.page.getByRole('heading', { name: 'Connections', level: 1 }))
    await count(b.page.getByRole('radio'), 2)
    expect(await policyRadio('Workspace owners only').isChecked()).toBe(true)
    await policyRadio('All workspace members').check()
    await b.page.getByRole('button', { name: 'Save policy' }).click()
    await visible(b.page.getByText('Policy saved.'))
    expect(await policyRadio('All workspace members').isChecked()).toBe(true)
  })

  it('5a. a member creates a PAT: shown once with Copy, revealed again later; the SDK reads as the member', async () => {
    await signIn(member.email)
    await b.page.goto(`${server.url}/developers/tokens`)
    await b.page.getByRole('link', { name: 'New personal access token' }).click()
    await b.page.getByLabel('Token name').fill('Mia laptop script')
    await b.page.getByLabel('Workspace').selectOption({ label: 'Globex' })
    await b.page.getByLabel('Expires after').selectOption({ label: '30 days' })
    await b.shot('20-new-pat')
    await b.page.getByRole('button', { name: 'Create token' }).click()
    await visible(b.page.getByText('Token created.'))
    const field = b.page.getByRole('textbox', { name: 'Personal access token' })
    memberToken = await field.inputValue()
    expect(memberToken).toMatch(/^ntn_/)
    await b.page.getByRole('button', { name: 'Copy' }).click()
    await visible(b.page.getByRole('button', { name: 'Copied' }))
    expect(await b.page.evaluate('navigator.clipboard.readText()')).toBe(memberToken)
    await b.shot('22-pat-created')

    const notion = server.client(memberToken)
    expect((await notion.users.me({})).id).toBeTruthy()
    expect((await notion.pages.retrieve({ page_id: pages.plan.id })).id).toBe(pages.plan.id)

    await b.page.getByRole('link', { name: 'Done' }).click()
    const row = b.page.locator('tr', { hasText: 'Mia laptop script' })
    await visible(row.getByText('Active'))
    expect(await row.textContent()).not.toContain('Never') // the SDK calls above set "last used"
    await row.getByRole('button', { name: 'Reveal Mia laptop script' }).click()
    expect(await b.page.getByRole('textbox', { name: 'Token for Mia laptop script' }).inputValue()).toBe(memberToken)
    await b.shot('23-pat-list-revealed')
  })

  it('5b. the admin sees the PAT, cannot reveal it, filters, and revokes it: the PAT gets 401', async () => {
    await signIn(owner.email)
    await b.page.goto(settings('connections'))
    const row = b.page.locator('tr', { hasText: 'Mia laptop script' })
    await visible(row.getByText('Mia Member'))
    await count(row.getByRole('button', { name: /Reveal/ }), 0)
    // Not even by posting to the creator's reveal route: the service refuses admins.
    const csrf = await b.page.locator('input[name=_csrf]').first().inputValue()
    const patId = ((await row.getAttribute('id')) as string).slice('pat-'.length)
    const res = await b.page.evaluate(
      async ([id, token]) => {
        const r = await fetch(`/developers/tokens/${id}/reveal`, {
          method: 'POST',
          body: new URLSearchParams({ _csrf: token as string }),
          credentials: 'same-origin',
        })
        return { status: r.status, text: await r.text() }
      },
      [patId, csrf],
    )
    expect(res.status).toBe(403)
    expect(res.text).toContain('Only the creator of a personal access token can reveal or copy it; workspace admins cannot.')
    expect(res.text).not.toContain(memberToken)
    expect(await b.page.content()).not.toContain(memberToken)

    // Search and filters.
    await b.page.getByLabel('Search by name').fill('nothing like it')
    await b.page.getByRole('button', { name: 'Filter' }).click()
    await visible(b.page.getByText('No token matches these filters.'))
    await b.page.getByLabel('Search by name').fill('laptop')
    await b.page.getByLabel('Creator').selectOption({ label: 'Mia Member' })
    await b.page.getByLabel('Status').selectOption({ label: 'Active' })
    await b.page.getByRole('button', { name: 'Filter' }).click()
    await count(b.page.locator('tbody tr'), 1)

    await b.page.getByRole('button', { name: 'Revoke Mia laptop script' }).click()
    await visible(b.page.getByText('Token revoked.'))
    const err = await apiError(server.client(memberToken).users.me({}))
    expect(err.status).toBe(401)
    expect(err.code).toBe(APIErrorCode.Unauthorized)

    await b.page.goto(`${settings('connections')}?status=revoked`)
    const revoked = b.page.locator('tr', { hasText: 'Mia laptop script' })
    await visible(revoked.getByText('Revoked'))
    expect(await revoked.textContent()).toContain('Olive Owner') // who revoked it
    await b.shot('24-settings-connections')
  })

  it('6. the admin switches the Business policy to owners only: the member’s PAT gets 401, then works again', async () => {
    const { token } = await createPat(server.deps, { workspaceId: ws.workspace.id, actorId: member.id, name: 'Mia CI' })
    const notion = server.client(token)
    expect((await notion.pages.retrieve({ page_id: pages.root.id })).id).toBe(pages.root.id)

    await b.page.goto(settings('connections'))
    await policyRadio('Workspace owners only').check()
    await b.page.getByRole('button', { name: 'Save policy' }).click()
    await visible(b.page.getByText('Policy saved.'))
    await visible(b.page.locator('tr', { hasText: 'Mia CI' }).getByText('Suspended'))
    const err = await apiError(notion.pages.retrieve({ page_id: pages.root.id }))
    expect(err.status).toBe(401)
    expect(err.code).toBe(APIErrorCode.Unauthorized)
    await b.shot('25-policy-owners-only')

    await policyRadio('All workspace members').check()
    await b.page.getByRole('button', { name: 'Save policy' }).click()
    await visible(b.page.getByText('Policy saved.'))
    expect((await notion.pages.retrieve({ page_id: pages.root.id })).id).toBe(pages.root.id)
  })

  it('Share panel: “Can view” for a person lets their PAT read a private page; “No access” makes it 404', async () => {
    const { token } = await createPat(server.deps, { workspaceId: ws.workspace.id, actorId: member.id, name: 'Mia reader' })
    const notion = server.client(token)
    expect((await apiError(notion.pages.retrieve({ page_id: pages.notes.id }))).status).toBe(404)

    await b.page.goto(`${server.url}/w/${ws.workspace.id}/pages/${pages.notes.id}`)
    await b.page.getByRole('link', { name: 'Share', exact: true }).click()
    await visible(b.page.getByRole('heading', { name: 'Share “Board notes”' }))
    await b.page.getByLabel('Add people, groups or the workspace').selectOption({ label: 'Mia Member' })
    await b.page.getByLabel('Access level').selectOption({ label: 'Can view' })
    await b.page.getByRole('button', { name: 'Invite' }).click()
    await visible(b.page.getByText('Access saved.'))
    expect(await b.page.getByLabel('Access for Mia Member', { exact: true }).inputValue()).toBe('view')
    expect((await notion.pages.retrieve({ page_id: pages.notes.id })).id).toBe(pages.notes.id)
    // A view-only PAT cannot edit.
    expect(
      (await apiError(notion.pages.update({ page_id: pages.notes.id, properties: { title: { title: [{ text: { content: 'x' } }] } } })))
        .status,
    ).toBe(403)

    await b.page.getByLabel('Access for Mia Member', { exact: true }).selectOption({ label: 'No access' })
    await b.page.getByRole('button', { name: 'Save access for Mia Member' }).click()
    await visible(b.page.getByText('Access saved.'))
    await count(b.page.getByLabel('Access for Mia Member', { exact: true }), 0)
    expect((await apiError(notion.pages.retrieve({ page_id: pages.notes.id }))).status).toBe(404)
  })

  it('Share panel: inherited entries name their page; lowering one changes the page’s access, and Restore undoes it', async () => {
    await b.page.goto(`${server.url}/w/${ws.workspace.id}/pages/${pages.plan.id}?panel=share`)
    const everyone = b.page.locator('.share-list li', { hasText: 'Everyone at Globex' })
    await visible(everyone.getByText('Inherited from'))
    await visible(everyone.getByRole('link', { name: 'Roadmap' }))
    // The owner's full access comes from "Everyone at Globex": give it to her directly first, or
    // lowering the workspace's level would lower hers too (the service does not stop that).
    await b.page.getByLabel('Add people, groups or the workspace').selectOption({ label: 'Olive Owner' })
    await b.page.getByLabel('Access level').selectOption({ label: 'Full access' })
    await b.page.getByRole('button', { name: 'Invite' }).click()
    await visible(b.page.getByText('Access saved.'))
    await b.shot('26-share-panel')
    await b.page.getByLabel('Access for Everyone at Globex', { exact: true }).selectOption({ label: 'Can comment' })
    await b.page.getByRole('button', { name: 'Save access for Everyone at Globex' }).click()
    await visible(b.page.getByText('Page access is different from “Roadmap”.'))
    const { token } = await createPat(server.deps, { workspaceId: ws.workspace.id, actorId: member.id, name: 'Mia writer' })
    const notion = server.client(token)
    const update = () =>
      notion.pages.update({ page_id: pages.plan.id, properties: { title: { title: [{ text: { content: 'Q3 plan' } }] } } })
    expect((await apiError(update())).status).toBe(403)
    await b.shot('26b-share-access-changed')

    await b.page.getByRole('button', { name: 'Restore inherited access' }).click()
    await visible(b.page.getByText('This page inherits its parent’s access again.'))
    await count(b.page.getByText('Page access is different from “Roadmap”.'), 0)
    expect((await update()).id).toBe(pages.plan.id)

    // Someone who can only view sees the levels as text and no controls.
    await b.page.goto(`${server.url}/w/${ws.workspace.id}/pages/${pages.notes.id}?panel=share`)
    await b.page.getByLabel('Add people, groups or the workspace').selectOption({ label: 'Gus Guest (guest)' })
    await b.page.getByRole('button', { name: 'Invite' }).click()
    await visible(b.page.getByText('Access saved.'))
    await signIn(ws.members[2]?.email as string)
    await b.page.goto(`${server.url}/w/${ws.workspace.id}/pages/${pages.notes.id}?panel=share`)
    await visible(b.page.getByText('Only people with full access to this page can change who has access.'))
    await count(b.page.getByRole('button', { name: 'Invite' }), 0)
    await visible(b.page.locator('.share-list li', { hasText: 'Gus Guest' }).getByText('Can view'))
  })

  it('members, groups and the audit log', async () => {
    await signIn(owner.email)
    await b.page.goto(settings('members'))
    await b.page.getByLabel('Role of Gus Guest', { exact: true }).selectOption({ label: 'Member' })
    await b.page.getByRole('button', { name: 'Save role of Gus Guest' }).click()
    await visible(b.page.getByText('Role changed.'))
    expect(await b.page.getByLabel('Role of Gus Guest', { exact: true }).inputValue()).toBe('member')
    // The last owner cannot step down: the service's refusal.
    await b.page.getByLabel('Role of Olive Owner', { exact: true }).selectOption({ label: 'Member' })
    await b.page.getByRole('button', { name: 'Save role of Olive Owner' }).click()
    await visible(b.page.getByText('A workspace needs at least one owner.'))
    await b.page.goto(settings('members'))
    await b.shot('27-settings-members')

    await b.page.goto(settings('groups'))
    await b.page.getByLabel('New group name').fill('Engineering')
    await b.page.getByRole('button', { name: 'Create group' }).click()
    await visible(b.page.getByText('Group created.'))
    await b.page.getByLabel('Add a member to Engineering').selectOption({ label: 'Mia Member' })
    await b.page.getByRole('button', { name: 'Add to Engineering' }).click()
    await visible(b.page.getByRole('button', { name: 'Remove Mia Member from Engineering' }))
    await b.page.getByLabel('Rename Engineering').fill('Platform')
    await b.page.getByRole('button', { name: 'Rename' }).click()
    await visible(b.page.getByRole('heading', { name: 'Platform' }))
    await b.shot('28-settings-groups')

    await b.page.goto(settings('audit'))
    await b.page.getByLabel('Action').selectOption({ label: 'Personal access tokens' })
    await b.page.getByRole('button', { name: 'Filter' }).click()
    await visible(b.page.getByText('pat.revoked'))
    await count(b.page.locator('tbody tr', { hasText: 'group.' }), 0)
    await b.page.getByLabel('Action').selectOption({ label: 'PAT creation policy' })
    await b.page.getByLabel('Person').selectOption({ label: 'Olive Owner' })
    await b.page.getByRole('button', { name: 'Filter' }).click()
    await count(b.page.locator('tbody tr'), 3)
    await b.page.goto(settings('audit'))
    await b.shot('29-settings-audit')
  })
})
