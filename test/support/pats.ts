import type { Clock } from '../../src/domain/clock.js'
import { createPageAsUser } from '../../src/services/setup.service.js'
import { createPat, type CreatePatInput } from '../../src/services/pats.service.js'
import { createWorkspace } from '../../src/services/workspaces.service.js'
import type { Plan } from '../../src/storage/database.js'
import type { TestServer } from './harness.js'

/** A clock tests move by hand (expiry without sleeping). */
export function manualClock(start = Date.parse('2026-01-01T09:00:00.000Z')): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) }
}

export const DAY_MS = 86_400_000

let counter = 0

/**
 * A workspace on `plan` with one person in every role (owner, membership admin, member, restricted
 * member, guest) and the page tree `Root → Child → Grandchild` plus a top-level `Other`, all in the
 * workspace section (every full member has full access). E-mails are unique per call.
 */
export async function seedPeople(server: TestServer, plan: Plan = 'business') {
  const n = ++counter
  const mail = (who: string) => `${who}.${n}@pat.test`
  const { workspace, members } = await createWorkspace(server.deps, {
    name: `PAT Co ${n}`,
    plan,
    members: [
      { name: 'Olive Owner', email: mail('olive'), role: 'owner' },
      { name: 'Abe Admin', email: mail('abe'), role: 'membership_admin' },
      { name: 'Mia Member', email: mail('mia'), role: 'member' },
      { name: 'Rita Restricted', email: mail('rita'), role: 'restricted_member' },
      { name: 'Gus Guest', email: mail('gus'), role: 'guest' },
    ],
  })
  const [owner, admin, member, restricted, guest] = members as [
    (typeof members)[0],
    (typeof members)[0],
    (typeof members)[0],
    (typeof members)[0],
    (typeof members)[0],
  ]
  const page = (title: string, parentId?: string) =>
    createPageAsUser(server.deps, { workspaceId: workspace.id, actorId: owner.id, title, ...(parentId ? { parentId } : {}) })
  const root = await page('Root')
  const child = await page('Child', root.id)
  const grandchild = await page('Grandchild', child.id)
  const other = await page('Other')
  return {
    workspace,
    owner,
    admin,
    member,
    restricted,
    guest,
    pages: { root, child, grandchild, other },
    /** Creates a PAT for `actorId` and returns its secret and presented row. */
    pat: (actorId: string, over: Partial<Omit<CreatePatInput, 'workspaceId' | 'actorId'>> = {}) =>
      createPat(server.deps, { workspaceId: workspace.id, actorId, name: over.name ?? 'My script', ...over }),
  }
}
