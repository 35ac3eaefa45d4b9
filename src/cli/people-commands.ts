import { Command, Option } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { groupWorkspace as groupWorkspaceOf, resolveActor, resolveWorkspace } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import {
  ACCESS_LEVELS,
  getPageAccess,
  personLevelOnPage,
  restorePageAccess,
  setPageAccess,
  workspaceOfPage,
  type AccessLevelName,
  type ShareTarget,
} from '../services/page-permissions.service.js'
import {
  MEMBER_ROLES,
  addGroupMember,
  changeMemberRole,
  createGroup,
  deleteGroup,
  listGroups,
  removeGroupMember,
  renameGroup,
} from '../services/people.service.js'
import type { MemberRole } from '../domain/workspace.js'
import { columns, uuidArg, withStore } from './runtime.js'

/**
 * `octavo member role`, `octavo group …` and `octavo access …`: people, groups and page permissions,
 * over the same service functions as the admin API (src/admin/people.routes.ts), so the same rules
 * apply. Actions run as `--as` (e-mail or user id), by default the workspace's first owner.
 * Errors: DomainError from the services (exit 1, `octavo: <message>`).
 */

const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')

function groupWorkspace(deps: Deps, groupId: string): Promise<string> {
  return groupWorkspaceOf(deps.store.db, groupId)
}

/** `--workspace` | `--group <id>` | `--user <e-mail or id>` into a share target. @throws DomainError invalid_input */
async function targetOf(deps: Deps, ws: string, opts: { workspace?: boolean; group?: string; user?: string }): Promise<ShareTarget> {
  const given = [opts.workspace ? 1 : 0, opts.group ? 1 : 0, opts.user ? 1 : 0].reduce((a, b) => a + b, 0)
  if (given !== 1) throw new DomainError('invalid_input', 'Name exactly one of --workspace, --group <id> or --user <e-mail or id>.')
  if (opts.workspace) return { type: 'workspace' }
  if (opts.group) return { type: 'group', id: uuidArg(opts.group, '--group') }
  return { type: 'user', id: await resolveActor(deps.store.db, ws, opts.user) }
}

export function peopleCommands(program: Command): void {
  const member = program.commands.find((c) => c.name() === 'member') ?? program.command('member').description('workspace members')
  member
    .command('role <workspace> <user> <role>')
    .description(`change a member's role (${MEMBER_ROLES.join(', ')}); owners and membership admins only`)
    .addOption(asOption())
    .action(async (ref: string, user: string, role: string, opts: { as?: string }, cmd: Command) => {
      if (!MEMBER_ROLES.includes(role as MemberRole))
        throw new DomainError('invalid_input', `role must be one of ${MEMBER_ROLES.join(', ')}.`)
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          const db = deps.store.db
          return changeMemberRole(deps, {
            workspaceId: ws,
            actorId: await resolveActor(db, ws, opts.as),
            userId: await resolveActor(db, ws, user),
            role: role as MemberRole,
          })
        },
        (r) => `${r.user_id}: ${r.previous_role} → ${r.role}`,
      )
    })

  const group = program.command('group').description('workspace groups and their members (owners and membership admins)')
  group
    .command('list <workspace>')
    .description('groups with their members')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => ({ groups: await listGroups(deps, await resolveWorkspace(deps.store.db, ref)) }),
        (r) =>
          r.groups.length
            ? r.groups
                .map(
                  (g) =>
                    `${g.id}  ${g.name} (${g.members.length})${g.members.map((m) => `\n  ${m.role ?? ''} ${m.name ?? ''} <${m.email ?? ''}> ${m.id}`).join('')}`,
                )
                .join('\n')
            : 'No groups.',
      )
    })
  group
    .command('create <workspace>')
    .description('create a group')
    .requiredOption('--name <name>', 'group name')
    .addOption(asOption())
    .action(async (ref: string, opts: { name: string; as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return createGroup(deps, { workspaceId: ws, actorId: await resolveActor(deps.store.db, ws, opts.as), name: opts.name })
        },
        (g) => `Created group "${g.name}": ${g.id}`,
      )
    })
  group
    .command('rename <group-id>')
    .requiredOption('--name <name>', 'new name')
    .addOption(asOption())
    .action(async (id: string, opts: { name: string; as?: string }, cmd: Command) => {
      const gid = uuidArg(id, 'group-id')
      await withStore(
        cmd,
        async (deps) => {
          const ws = await groupWorkspace(deps, gid)
          return renameGroup(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            groupId: gid,
            name: opts.name,
          })
        },
        (g) => `Renamed group ${g.id} to "${g.name}".`,
      )
    })
  group
    .command('delete <group-id>')
    .description('delete a group and its page grants')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const gid = uuidArg(id, 'group-id')
      await withStore(
        cmd,
        async (deps) => {
          const ws = await groupWorkspace(deps, gid)
          return deleteGroup(deps, { workspaceId: ws, actorId: await resolveActor(deps.store.db, ws, opts.as), groupId: gid })
        },
        (r) => `Deleted group ${r.id}.`,
      )
    })
  for (const [name, fn, verb] of [
    ['add', addGroupMember, 'Added'],
    ['remove', removeGroupMember, 'Removed'],
  ] as const) {
    group
      .command(`${name} <group-id> <user>`)
      .description(`${name} a member (e-mail or user id) ${name === 'add' ? 'to' : 'from'} a group`)
      .addOption(asOption())
      .action(async (id: string, user: string, opts: { as?: string }, cmd: Command) => {
        const gid = uuidArg(id, 'group-id')
        await withStore(
          cmd,
          async (deps) => {
            const ws = await groupWorkspace(deps, gid)
            const db = deps.store.db
            return fn(deps, {
              workspaceId: ws,
              actorId: await resolveActor(db, ws, opts.as),
              groupId: gid,
              userId: await resolveActor(db, ws, user),
            })
          },
          (r) => `${verb} ${r.user_id} ${name === 'add' ? 'to' : 'from'} group ${r.group_id}.`,
        )
      })
  }

  const access = program.command('access').description('page permissions: who has access to a page, grant, change, remove, restore')
  access
    .command('show <page-id>')
    .description("a page's effective access, each entry with the page it comes from")
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'page-id')
      await withStore(
        cmd,
        async (deps) =>
          getPageAccess(deps, {
            pageId: pid,
            actorId: await resolveActor(deps.store.db, await workspaceOfPage(deps.store.db, pid), opts.as),
          }),
        (r) =>
          [
            `${r.page_id}${r.access_differs ? ' (access differs from its parent)' : ''}${r.inherits ? '' : ' (does not inherit people access)'}`,
            columns(
              r.entries.map((e) => [e.level, e.type, e.name ?? '', e.id, e.inherited ? `from ${e.source_page_id}` : 'on this page']),
              '  ',
            ),
          ].join('\n'),
      )
    })
  const targetOptions = (c: Command) =>
    c
      .option('--workspace', 'everyone in the workspace (full members)')
      .option('--group <group-id>', 'a group')
      .option('--user <user>', 'a person (e-mail or user id; guests included)')
      .addOption(asOption())
  targetOptions(
    access
      .command('grant <page-id>')
      .description('grant or change a level on a page (lowering an inherited level makes the page stop inheriting)')
      .addOption(new Option('--level <level>', 'access level').choices(ACCESS_LEVELS as string[]).makeOptionMandatory()),
  ).action(
    async (id: string, opts: { level: AccessLevelName; workspace?: boolean; group?: string; user?: string; as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'page-id')
      await withStore(
        cmd,
        async (deps) => {
          const ws = await workspaceOfPage(deps.store.db, pid)
          return setPageAccess(deps, {
            pageId: pid,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            target: await targetOf(deps, ws, opts),
            level: opts.level,
          })
        },
        (r) => `${r.principal}: ${r.previous_level} → ${r.level} on ${r.page_id}.`,
      )
    },
  )
  targetOptions(access.command('revoke <page-id>').description("remove someone's access to a page (level none)")).action(
    async (id: string, opts: { workspace?: boolean; group?: string; user?: string; as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'page-id')
      await withStore(
        cmd,
        async (deps) => {
          const ws = await workspaceOfPage(deps.store.db, pid)
          return setPageAccess(deps, {
            pageId: pid,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            target: await targetOf(deps, ws, opts),
            level: 'none',
          })
        },
        (r) => `${r.principal}: ${r.previous_level} → none on ${r.page_id}.`,
      )
    },
  )
  access
    .command('restore <page-id>')
    .description("make a page inherit its parent's access again")
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'page-id')
      await withStore(
        cmd,
        async (deps) =>
          restorePageAccess(deps, {
            pageId: pid,
            actorId: await resolveActor(deps.store.db, await workspaceOfPage(deps.store.db, pid), opts.as),
          }),
        (r) => `${r.page_id} inherits its parent's access again.`,
      )
    })
  access
    .command('check <page-id> <user>')
    .description("a person's effective level on a page, as the API computes it")
    .action(async (id: string, user: string, _opts: unknown, cmd: Command) => {
      const pid = uuidArg(id, 'page-id')
      await withStore(
        cmd,
        async (deps) =>
          personLevelOnPage(deps, {
            pageId: pid,
            userId: await resolveActor(deps.store.db, await workspaceOfPage(deps.store.db, pid), user),
          }),
        (r) => `${r.user_id} (${r.role ?? 'not a member'}): ${r.level}`,
      )
    })
}
