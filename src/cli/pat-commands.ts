import { Command, Option } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { resolveActor, resolveWorkspace } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import { PAT_POLICIES, getPatPolicy, setPatPolicy } from '../services/pat-policy.js'
import {
  PAT_EXPIRY_DAYS,
  PAT_STATUSES,
  createPat,
  getPat,
  listOwnPats,
  listWorkspacePats,
  patWorkspace,
  revealPat,
  revokePat,
  updatePatCapabilities,
  type PatCapabilities,
  type PatStatus,
  type PresentedPat,
} from '../services/pats.service.js'
import type { PatPolicy } from '../storage/database.js'
import { columns, uuidArg, withStore } from './runtime.js'

/**
 * `octavo pat …` (personal access tokens) and `octavo pat-policy …` (who may create them), over the
 * same service functions as the admin API (src/admin/pats.routes.ts). Actions run as `--as` (e-mail or
 * user id; default the workspace's first owner) and obey that person's rules.
 */

const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')

/** `--capabilities notion_api,workers` into PAT bundles. @throws DomainError invalid_input */
function parsePatCapabilities(list: string): PatCapabilities {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => n !== 'notion_api' && n !== 'workers')
  if (unknown.length) throw new DomainError('invalid_input', `Unknown PAT capability ${unknown.join(', ')}; use notion_api and/or workers.`)
  return { notionApi: names.includes('notion_api'), workers: names.includes('workers') }
}

const capsText = (p: PresentedPat) =>
  [p.capabilities.notion_api && 'Notion API', p.capabilities.workers && 'Workers'].filter(Boolean).join(' + ')
const statusText = (p: PresentedPat) =>
  p.status === 'active' && p.suspended ? `active, suspended (${p.suspended.replaceAll('_', ' ')})` : p.status
const revokerText = (p: PresentedPat) =>
  p.revoked_by ? (p.revoked_by.type === 'admin_api' ? 'Admin API' : (p.revoked_by.email ?? p.revoked_by.id)) : ''
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-')

function patTable(pats: PresentedPat[]): string {
  if (pats.length === 0) return 'No personal access tokens.'
  return columns([
    ['ID', 'NAME', 'CREATOR', 'STATUS', 'CAPABILITIES', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED BY'],
    ...pats.map((p) => [
      p.id,
      p.name,
      p.creator.email ?? p.creator.id,
      statusText(p),
      capsText(p),
      day(p.created_time),
      day(p.last_used_time),
      day(p.expires_time),
      revokerText(p) ? `${revokerText(p)} ${day(p.revoked_time)}` : '',
    ]),
  ])
}

async function patActor(deps: Deps, patId: string, as: string | undefined) {
  return resolveActor(deps.store.db, await patWorkspace(deps.store.db, patId), as)
}

/** Registers `pat` and `pat-policy`. Errors: DomainError from the services (exit 1). */
export function patCommands(program: Command): void {
  const pat = program.command('pat').description('personal access tokens: create, list, reveal, revoke')

  pat
    .command('create <workspace>')
    .description('create a PAT for --as (its creator) and print its token')
    .requiredOption('--name <name>', 'token name')
    .option('--capabilities <list>', 'notion_api and/or workers, comma-separated', 'notion_api')
    .addOption(new Option('--expires-in <days>', 'expiry in days').choices(PAT_EXPIRY_DAYS.map(String)).default('365'))
    .addOption(asOption())
    .action(async (ref: string, opts: { name: string; capabilities: string; expiresIn: string; as?: string }, cmd: Command) => {
      const capabilities = parsePatCapabilities(opts.capabilities)
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return createPat(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            name: opts.name,
            capabilities,
            expiresInDays: Number(opts.expiresIn),
          })
        },
        (r) =>
          [
            `Created personal access token "${r.pat.name}": ${r.pat.id}`,
            `  bot user: ${r.pat.bot_id}`,
            `  capabilities: ${capsText(r.pat)}`,
            `  expires: ${r.pat.expires_time}`,
            `  token: ${r.token}`,
          ].join('\n'),
      )
    })

  pat
    .command('list <workspace>')
    .description("every PAT of a workspace (owners' admin view), or with --own the --as person's own")
    .option('--own', "only the acting person's own tokens")
    .option('--search <text>', 'name contains')
    .option('--creator <user>', 'created by (e-mail or user id)')
    .addOption(new Option('--status <status>', 'status').choices([...PAT_STATUSES]))
    .addOption(asOption())
    .action(
      async (ref: string, opts: { own?: boolean; search?: string; creator?: string; status?: PatStatus; as?: string }, cmd: Command) => {
        await withStore(
          cmd,
          async (deps) => {
            const ws = await resolveWorkspace(deps.store.db, ref)
            const actorId = await resolveActor(deps.store.db, ws, opts.as)
            if (opts.own) return { personal_access_tokens: await listOwnPats(deps, ws, actorId) }
            const creatorId = opts.creator ? await resolveActor(deps.store.db, ws, opts.creator) : undefined
            return {
              personal_access_tokens: await listWorkspacePats(deps, {
                workspaceId: ws,
                actorId,
                ...(opts.search ? { query: opts.search } : {}),
                ...(creatorId ? { creatorId } : {}),
                ...(opts.status ? { status: opts.status } : {}),
              }),
            }
          },
          (r) => patTable(r.personal_access_tokens),
        )
      },
    )

  pat
    .command('show <pat-id>')
    .description('one PAT (its creator or an owner)')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'pat-id')
      await withStore(
        cmd,
        async (deps) => getPat(deps, pid, await patActor(deps, pid, opts.as)),
        (p) => patTable([p]),
      )
    })

  pat
    .command('token <pat-id>')
    .description("reveal a PAT's secret (its creator only; audited)")
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'pat-id')
      await withStore(
        cmd,
        async (deps) => ({ token: await revealPat(deps, pid, await patActor(deps, pid, opts.as)) }),
        (r) => r.token,
      )
    })

  pat
    .command('revoke <pat-id>')
    .description('revoke a PAT (its creator, or any PAT for an owner); it fails from the next request')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'pat-id')
      await withStore(
        cmd,
        async (deps) => revokePat(deps, pid, { type: 'user', userId: await patActor(deps, pid, opts.as) }),
        (r) => (r.changed ? `Revoked ${pid}.` : `${pid} was already revoked; nothing changed.`),
      )
    })

  pat
    .command('capabilities <pat-id>')
    .description("change a PAT's capability bundles (its creator only; the token stays the same)")
    .requiredOption('--capabilities <list>', 'exact set: notion_api and/or workers, comma-separated')
    .addOption(asOption())
    .action(async (id: string, opts: { capabilities: string; as?: string }, cmd: Command) => {
      const pid = uuidArg(id, 'pat-id')
      const caps = parsePatCapabilities(opts.capabilities)
      await withStore(
        cmd,
        async (deps) => updatePatCapabilities(deps, pid, await patActor(deps, pid, opts.as), caps),
        (p) => `${p.name}: ${capsText(p)}`,
      )
    })

  const policy = program.command('pat-policy').description('who may create personal access tokens with Notion API access')
  policy
    .command('show <workspace>')
    .description('the policy in force and the choices the plan offers')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => getPatPolicy(deps, await resolveWorkspace(deps.store.db, ref)),
        (p) =>
          [
            `${p.description} (${p.policy}${p.is_default ? `, the ${p.plan} plan's default` : ''})`,
            ...(p.policy === 'owners_and_selected_groups'
              ? [`  selected groups: ${p.selected_groups.map((g) => g.name).join(', ') || 'none (only owners)'}`]
              : []),
            p.configurable ? `  choices on ${p.plan}: ${p.choices.join(', ')}` : `  not configurable on the ${p.plan} plan`,
          ].join('\n'),
      )
    })
  policy
    .command('set <workspace> <policy>')
    .description(`change the policy (owners only): ${PAT_POLICIES.join(' | ')}`)
    .option(
      '--group <group-id>',
      'a selected group (repeatable; replaces the selection)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .addOption(asOption())
    .action(async (ref: string, value: string, opts: { group: string[]; as?: string }, cmd: Command) => {
      if (!(PAT_POLICIES as readonly string[]).includes(value))
        throw new DomainError('invalid_input', `policy must be one of ${PAT_POLICIES.join(', ')}.`)
      const groupIds = opts.group.map((g) => uuidArg(g, '--group'))
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return setPatPolicy(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            policy: value as PatPolicy,
            ...(groupIds.length ? { groupIds } : {}),
          })
        },
        (p) =>
          `PAT creation policy: ${p.description}${p.selected_groups.length ? ` (${p.selected_groups.map((g) => g.name).join(', ')})` : ''}.`,
      )
    })
}
