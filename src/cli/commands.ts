import { Command, Option } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { connectionWorkspace, resolveActor, resolveShareActor, resolveWorkspace } from '../services/actors.js'
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnectionShares,
  listConnections,
  refreshToken,
  revealToken,
  shareWithConnection,
  unshareFromConnection,
  updateCapabilities,
} from '../services/connections.service.js'
import type { Deps } from '../services/deps.js'
import { createPageAsUser } from '../services/setup.service.js'
import { addMember, createWorkspace, getWorkspace, listWorkspacePages, removeMember, resetStore } from '../services/workspaces.service.js'
import type { MemberRole, Plan } from '../storage/database.js'
import { listAudit } from '../storage/repositories/audit.repository.js'
import { listWorkspaces } from '../storage/repositories/workspaces.repository.js'
import {
  CAPABILITY_NAMES,
  USER_INFO_LEVELS,
  columns,
  describeCapabilities,
  isUserInfoLevel,
  parseCapabilities,
  parsePerson,
  uuidArg,
  withStore,
} from './runtime.js'

/**
 * The store commands of `octavo`: workspaces, members, pages, connections, audit and reset. They
 * work directly on the store through the same service functions as the admin API
 * (src/admin/admin.routes.ts), so the same rules apply: actions Notion reserves to a person run as
 * `--as` (e-mail or user id), by default the workspace's first owner.
 */

const collect = (value: string, previous: string[]): string[] => [...previous, value]

type Person = { name: string | null; email: string | null; id: string; role: MemberRole }
const personLine = (p: Person) => [p.role, `${p.name ?? ''} <${p.email ?? ''}>`, p.id]
const ROLE_ORDER: Record<MemberRole, number> = { owner: 0, membership_admin: 1, member: 2, restricted_member: 3, guest: 4 }
/** People for display: owners first, then members, then guests (stable within a role). */
const byRole = <P extends Person>(people: P[]) => [...people].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role])

/** `--capabilities` and `--user-info` into a capability patch. @throws DomainError invalid_input */
function capabilityPatch(opts: { capabilities?: string; userInfo?: string }): Partial<Capabilities> {
  const patch: Partial<Capabilities> = opts.capabilities !== undefined ? parseCapabilities(opts.capabilities) : {}
  if (opts.userInfo !== undefined) {
    if (!isUserInfoLevel(opts.userInfo))
      throw new DomainError('invalid_input', `--user-info must be one of ${USER_INFO_LEVELS.join(', ')}.`)
    patch.userInfo = opts.userInfo
  }
  return patch
}

/** Who adds or removes a connection on a page: the `--as` person (their rule applies), else the operator. */
async function connectionShareActor(deps: Deps, connectionId: string, as: string | undefined) {
  return resolveShareActor(deps.store.db, await connectionWorkspace(deps.store.db, connectionId), as)
}

/** The acting person on a connection: `--as`, else the first owner of the connection's workspace. */
async function connectionActor(deps: Deps, connectionId: string, as: string | undefined) {
  return resolveActor(deps.store.db, await connectionWorkspace(deps.store.db, connectionId), as)
}

const CAPS_HELP = `comma-separated exact set of ${CAPABILITY_NAMES.join(', ')} (or "none")`

/** `workspace create|list|show` and `member add|remove`. Errors: DomainError from the services (exit 1). */
export function workspaceCommands(program: Command): void {
  const workspace = program.command('workspace').description('create, list and show workspaces')

  workspace
    .command('create')
    .description('create a workspace with its people and top-level pages')
    .requiredOption('--name <name>', 'workspace name')
    .addOption(new Option('--plan <plan>', 'plan').choices(['free', 'plus', 'business', 'enterprise']).default('free'))
    .requiredOption('--owner <person>', 'the owner, as "Name <email>"')
    .option('--member <person>', 'a member, as "Name <email>" (repeatable)', collect, [])
    .option('--guest <person>', 'a guest, as "Name <email>" (repeatable)', collect, [])
    .option('--page <title>', 'a top-level page to create (repeatable)', collect, [])
    .action(async (opts: { name: string; plan: Plan; owner: string; member: string[]; guest: string[]; page: string[] }, cmd: Command) => {
      const members = [
        parsePerson(opts.owner, 'owner'),
        ...opts.member.map((m) => parsePerson(m, 'member')),
        ...opts.guest.map((g) => parsePerson(g, 'guest')),
      ]
      await withStore(
        cmd,
        (deps) => createWorkspace(deps, { name: opts.name, plan: opts.plan, members, pages: opts.page }),
        (r) =>
          [
            `Created workspace "${r.workspace.name}" (${r.workspace.plan}): ${r.workspace.id}`,
            columns(byRole(r.members).map(personLine), '  '),
            ...(r.pages.length
              ? [
                  'Pages:',
                  columns(
                    r.pages.map((p) => [p.id, p.title]),
                    '  ',
                  ),
                ]
              : []),
          ].join('\n'),
      )
    })

  workspace
    .command('list')
    .description('list workspaces')
    .action(async (_opts: unknown, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => ({ workspaces: await listWorkspaces(deps.store.db) }),
        (r) =>
          r.workspaces.length
            ? columns(r.workspaces.map((w) => [w.id, w.plan, w.name]))
            : 'No workspaces. Create one with `octavo workspace create`.',
      )
    })

  workspace
    .command('show <workspace>')
    .description('show a workspace (id or exact name) and its members')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => getWorkspace(deps, await resolveWorkspace(deps.store.db, ref)),
        (r) =>
          [
            `${r.workspace.name} (${r.workspace.plan}): ${r.workspace.id}`,
            'Members:',
            columns(byRole(r.members).map(personLine), '  '),
          ].join('\n'),
      )
    })

  const member = program.command('member').description('add and remove workspace members')
  member
    .command('add <workspace> <person>')
    .description('add a person ("Name <email>") to a workspace, or change their role')
    .addOption(
      new Option('--role <role>', 'role').choices(['owner', 'membership_admin', 'member', 'restricted_member', 'guest']).default('member'),
    )
    .action(async (ref: string, person: string, opts: { role: MemberRole }, cmd: Command) => {
      const p = parsePerson(person, opts.role)
      await withStore(
        cmd,
        async (deps) => addMember(deps, await resolveWorkspace(deps.store.db, ref), p),
        (r) => `Added ${r.name} <${r.email}> as ${r.role}: ${r.id}`,
      )
    })
  member
    .command('remove <workspace> <user>')
    .description('remove a person (user id or e-mail) from a workspace; every grant they hold ends at once')
    .option('--as <user>', 'acting person: an owner, a membership admin, or the person leaving (default: the operator, no role check)')
    .action(async (ref: string, user: string, opts: { as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          const userId = await resolveActor(deps.store.db, ws, user)
          await removeMember(deps, ws, userId, opts.as ? await resolveActor(deps.store.db, ws, opts.as) : undefined)
          return { removed: true, workspace_id: ws, user_id: userId }
        },
        (r) => `Removed ${r.user_id} from workspace ${r.workspace_id}.`,
      )
    })
}

/** `pages list|create`. `pages create` obeys createPageAsUser's rules (guests: no top-level pages). */
export function pageCommands(program: Command): void {
  const pages = program.command('pages').description('list and create pages')
  pages
    .command('list <workspace>')
    .description('the page tree of a workspace, with ids')
    .option('--rows', 'also list database rows (hidden by default)')
    .action(async (ref: string, opts: { rows?: boolean }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => ({ pages: await listWorkspacePages(deps, await resolveWorkspace(deps.store.db, ref)) }),
        (r) => {
          if (r.pages.length === 0) return 'No pages.'
          const lines: string[] = []
          const rowCount = new Map<string, number>()
          for (const p of r.pages) if (p.is_row && p.parent_id) rowCount.set(p.parent_id, (rowCount.get(p.parent_id) ?? 0) + 1)
          for (const p of r.pages) {
            if (p.is_row && !opts.rows) continue
            const rows = p.object === 'database' ? rowCount.get(p.id) : undefined
            const title = p.title || 'Untitled'
            const label = p.object === 'database' ? `${title} [database${rows !== undefined ? `, ${rows} rows` : ''}]` : title
            lines.push(`${p.id}  ${'  '.repeat(p.depth)}${label}${p.in_trash ? ' (in trash)' : ''}`)
          }
          return lines.join('\n')
        },
      )
    })
  pages
    .command('create <workspace>')
    .description('create a page, at the top level or under --parent, as --as (default: the first owner)')
    .requiredOption('--title <title>', 'page title')
    .option('--parent <page-id>', 'parent page id')
    .option('--private', "a top-level page in the acting person's private section (only they have access)")
    .option('--as <user>', 'acting person (e-mail or user id)')
    .action(async (ref: string, opts: { title: string; parent?: string; private?: boolean; as?: string }, cmd: Command) => {
      const parentId = opts.parent !== undefined ? uuidArg(opts.parent, '--parent') : undefined
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return createPageAsUser(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            title: opts.title,
            parentId,
            private: opts.private,
          })
        },
        (r) => `Created page "${r.title}": ${r.id}`,
      )
    })
}

/**
 * `connection create|list|show|token|refresh|capabilities|share|unshare|pages|delete`, with the
 * rules of connections.service.ts: `decideConnectionManage` (owners only; a member gets "Only
 * workspace owners can …") and, for share/unshare, `decideConnectionShare`.
 */
export function connectionCommands(program: Command): void {
  const connection = program.command('connection').description('internal connections: create, tokens, capabilities, sharing')
  const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')
  const shareAsOption = () =>
    new Option(
      '--as <user>',
      'acting person, who needs full access to the page and must not be a guest (e-mail or user id; default: the operator, no person rule)',
    )

  connection
    .command('create <workspace>')
    .description('create an internal connection (owners only) and print its token')
    .requiredOption('--name <name>', 'connection name')
    .addOption(asOption())
    .option('--capabilities <list>', CAPS_HELP)
    .addOption(new Option('--user-info <level>', 'user information capability').choices([...USER_INFO_LEVELS]))
    .action(async (ref: string, opts: { name: string; as?: string; capabilities?: string; userInfo?: string }, cmd: Command) => {
      const capabilities = capabilityPatch(opts)
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return createConnection(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            name: opts.name,
            capabilities,
          })
        },
        (r) =>
          [
            `Created connection "${r.connection.name}": ${r.connection.id}`,
            `  capabilities: ${describeCapabilities(r.connection.capabilities)}`,
            `  token: ${r.token}`,
            'Share pages with it: npm run octavo -- connection share <connection-id> <page-id>',
          ].join('\n'),
      )
    })

  connection
    .command('list <workspace>')
    .description("a workspace's internal connections (owners only)")
    .addOption(asOption())
    .action(async (ref: string, opts: { as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return { connections: await listConnections(deps, ws, await resolveActor(deps.store.db, ws, opts.as)) }
        },
        (r) =>
          r.connections.length
            ? columns(r.connections.map((c) => [c.id, c.name, c.token_hint ?? '(no token)', describeCapabilities(c.capabilities)]))
            : 'No connections.',
      )
    })

  connection
    .command('show <connection-id>')
    .description('one connection')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      await withStore(
        cmd,
        async (deps) => getConnection(deps, cid, await connectionActor(deps, cid, opts.as)),
        (c) =>
          [
            `${c.name}: ${c.id}`,
            `  bot user: ${c.bot_id}`,
            `  token: ${c.token_hint ?? '(none)'}`,
            `  capabilities: ${describeCapabilities(c.capabilities)}`,
          ].join('\n'),
      )
    })

  connection
    .command('token <connection-id>')
    .description("reveal a connection's current token (owners only; audited)")
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      await withStore(
        cmd,
        async (deps) => ({ token: await revealToken(deps, cid, await connectionActor(deps, cid, opts.as)) }),
        (r) => r.token,
      )
    })

  connection
    .command('refresh <connection-id>')
    .description('issue a new token; the old one stops working at once')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      await withStore(
        cmd,
        async (deps) => ({ token: await refreshToken(deps, cid, await connectionActor(deps, cid, opts.as)) }),
        (r) => `New token (the old one is revoked): ${r.token}`,
      )
    })

  connection
    .command('capabilities <connection-id>')
    .description('show, or with --capabilities/--user-info change, what a connection may do (the token stays the same)')
    .option('--capabilities <list>', CAPS_HELP)
    .addOption(new Option('--user-info <level>', 'user information capability').choices([...USER_INFO_LEVELS]))
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string; capabilities?: string; userInfo?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      const patch = capabilityPatch(opts)
      await withStore(
        cmd,
        async (deps) => {
          const actor = await connectionActor(deps, cid, opts.as)
          const c = Object.keys(patch).length ? await updateCapabilities(deps, cid, actor, patch) : await getConnection(deps, cid, actor)
          return { id: c.id, name: c.name, capabilities: c.capabilities }
        },
        (r) => `${r.name}: ${describeCapabilities(r.capabilities)}`,
      )
    })

  connection
    .command('share <connection-id> <page-id>')
    .description('share a page or database (and everything below it) with a connection')
    .addOption(shareAsOption())
    .action(async (id: string, page: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      const pid = uuidArg(page, 'page-id')
      await withStore(
        cmd,
        async (deps) => shareWithConnection(deps, cid, pid, await connectionShareActor(deps, cid, opts.as)),
        (r) => `Shared ${r.page_id} with connection ${r.connection_id}.`,
      )
    })

  connection
    .command('unshare <connection-id> <page-id>')
    .description("remove a connection's direct share of a page")
    .addOption(shareAsOption())
    .action(async (id: string, page: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      const pid = uuidArg(page, 'page-id')
      await withStore(
        cmd,
        async (deps) => ({
          ...(await unshareFromConnection(deps, cid, pid, await connectionShareActor(deps, cid, opts.as))),
          connection_id: cid,
          page_id: pid,
        }),
        (r) =>
          r.removed ? `Unshared ${pid} from connection ${cid}.` : `${pid} was not shared directly with connection ${cid}; nothing changed.`,
      )
    })

  connection
    .command('pages <connection-id>')
    .description('the pages and databases shared directly with a connection')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      await withStore(
        cmd,
        async (deps) => ({ pages: await listConnectionShares(deps, cid, await connectionActor(deps, cid, opts.as)) }),
        (r) =>
          r.pages.length
            ? columns(r.pages.map((p) => [p.page_id, p.type === 'child_database' ? 'database' : 'page', p.title]))
            : 'Nothing is shared with this connection.',
      )
    })

  connection
    .command('delete <connection-id>')
    .description('delete a connection, its shares and its tokens')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'connection-id')
      await withStore(
        cmd,
        async (deps) => {
          await deleteConnection(deps, cid, await connectionActor(deps, cid, opts.as))
          return { deleted: true, id: cid }
        },
        () => `Deleted connection ${cid}.`,
      )
    })
}

/** `audit <workspace>` and `reset --yes`. */
export function maintenanceCommands(program: Command): void {
  program
    .command('audit <workspace>')
    .description("a workspace's audit log, newest first")
    .option(
      '--limit <n>',
      'entries to show',
      (v) => {
        const n = Number(v)
        if (!Number.isInteger(n) || n < 1) throw new DomainError('invalid_input', '--limit must be a positive integer.')
        return n
      },
      100,
    )
    .option('--action <name>', 'only this action; `pat.*` matches a prefix (repeatable)', collect, [])
    .option('--actor <user>', 'only entries by this person (e-mail or user id), or admin / admin_api')
    .option('--target <id>', 'only entries about this object id')
    .option('--since <iso>', 'entries at or after this time (ISO-8601)')
    .option('--until <iso>', 'entries before this time (ISO-8601)')
    .action(
      async (
        ref: string,
        opts: { limit: number; action: string[]; actor?: string; target?: string; since?: string; until?: string },
        cmd: Command,
      ) => {
        await withStore(
          cmd,
          async (deps) => {
            const ws = await resolveWorkspace(deps.store.db, ref)
            const actor =
              opts.actor === undefined || opts.actor === 'admin' || opts.actor === 'admin_api'
                ? opts.actor
                : `user:${await resolveActor(deps.store.db, ws, opts.actor)}`
            return {
              entries: await listAudit(deps.store.db, ws, {
                limit: opts.limit,
                ...(opts.action.length ? { actions: opts.action } : {}),
                ...(actor ? { actor } : {}),
                ...(opts.target ? { target: opts.target } : {}),
                ...(opts.since ? { since: opts.since } : {}),
                ...(opts.until ? { until: opts.until } : {}),
              }),
            }
          },
          (r) =>
            r.entries.length
              ? columns(r.entries.map((e) => [e.time, e.actor, e.action, e.target ?? '', e.meta ? JSON.stringify(e.meta) : '']))
              : 'No audit entries.',
        )
      },
    )

  program
    .command('reset')
    .description('delete everything in the store (needs --yes)')
    .option('--yes', 'really delete everything')
    .action(async (opts: { yes?: boolean }, cmd: Command) => {
      if (!opts.yes)
        throw new DomainError('invalid_input', 'Refusing to reset without --yes: this deletes every workspace, page and connection.')
      await withStore(
        cmd,
        async (deps) => {
          await resetStore(deps, 'cli')
          return { reset: true }
        },
        () => 'The store is empty. The next `octavo serve` seeds the demo workspace again (unless --no-demo).',
      )
    })
}
