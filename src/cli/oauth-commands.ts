import { Command, Option } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import type { Capabilities } from '../permissions/capabilities.js'
import { resolveActor, resolveShareActor, resolveWorkspace } from '../services/actors.js'
import type { Deps } from '../services/deps.js'
import {
  installWorkspace,
  listOwnInstalls,
  listWorkspaceInstalls,
  removeInstall,
  setInstallPageShare,
  type PresentedInstall,
} from '../services/oauth/installs.js'
import {
  deletePublicConnection,
  getPublicConnection,
  listPublicConnections,
  loadPublicConnection,
  refreshClientSecret,
  registerPublicConnection,
  revealClientSecret,
  type PresentedPublicConnection,
} from '../services/public-connections.service.js'
import {
  CAPABILITY_NAMES,
  USER_INFO_LEVELS,
  columns,
  describeCapabilities,
  isUserInfoLevel,
  parseCapabilities,
  uuidArg,
  withStore,
} from './runtime.js'

/**
 * `octavo public-connection …` (register, show, reveal or refresh the client secret, delete) and
 * `octavo install …` (list and remove installs), over the same services as the portal and the admin API
 * (src/admin/oauth.routes.ts). Actions run as `--as` (e-mail or user id; default the first owner).
 */

const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')

function connectionText(c: PresentedPublicConnection): string {
  return [
    `Public connection "${c.name}": ${c.id}`,
    `  client id: ${c.client_id}`,
    `  client secret: ${c.client_secret_hint}`,
    `  redirect URIs: ${c.redirect_uris.join(' ')}`,
    `  capabilities: ${describeCapabilities(c.capabilities)}`,
    ...(c.template_page_id ? [`  template page: ${c.template_page_id}`] : []),
  ].join('\n')
}

function installTable(list: PresentedInstall[]): string {
  if (list.length === 0) return 'No installs.'
  return columns([
    ['ID', 'CONNECTION', 'WORKSPACE', 'AUTHORIZED BY', 'BOT', 'PAGES', 'SINCE', 'ACTIVE'],
    ...list.map((i) => [
      i.id,
      i.connection.name,
      i.workspace.name,
      i.authorized_by.email ?? i.authorized_by.id,
      i.bot_id,
      String(i.pages.length),
      i.created_time.slice(0, 10),
      i.active ? 'yes' : 'no (authorizer left)',
    ]),
  ])
}

async function connectionActor(deps: Deps, id: string, as: string | undefined) {
  return resolveActor(deps.store.db, (await loadPublicConnection(deps.store.db, id)).workspace_id, as)
}

/** Registers `public-connection` and `install`. Errors: DomainError from the services (exit 1). */
export function oauthCommands(program: Command): void {
  const pc = program.command('public-connection').description('public (OAuth) connections: register, client secret, delete')

  pc.command('create <workspace>')
    .description('register a public connection (any full member) and print its client id and secret')
    .requiredOption('--name <name>', 'connection name')
    .requiredOption('--redirect-uri <uri...>', 'redirect URI(s), matched exactly')
    .option('--icon <emoji>', 'icon')
    .option('--capabilities <list>', `comma-separated exact set of ${CAPABILITY_NAMES.join(', ')} (or "none")`)
    .addOption(new Option('--user-info <level>', 'user information capability').choices([...USER_INFO_LEVELS]))
    .option('--template <page-id>', 'a page people may duplicate at consent')
    .addOption(asOption())
    .action(
      async (
        ref: string,
        opts: {
          name: string
          redirectUri: string[]
          icon?: string
          capabilities?: string
          userInfo?: string
          template?: string
          as?: string
        },
        cmd: Command,
      ) => {
        const capabilities: Partial<Capabilities> = opts.capabilities !== undefined ? parseCapabilities(opts.capabilities) : {}
        if (opts.userInfo !== undefined) {
          if (!isUserInfoLevel(opts.userInfo))
            throw new DomainError('invalid_input', `--user-info must be one of ${USER_INFO_LEVELS.join(', ')}.`)
          capabilities.userInfo = opts.userInfo
        }
        const template = opts.template ? uuidArg(opts.template, 'template') : null
        await withStore(
          cmd,
          async (deps) => {
            const ws = await resolveWorkspace(deps.store.db, ref)
            return registerPublicConnection(deps, {
              workspaceId: ws,
              actorId: await resolveActor(deps.store.db, ws, opts.as),
              name: opts.name,
              icon: opts.icon ?? null,
              redirectUris: opts.redirectUri,
              capabilities,
              templatePageId: template,
            })
          },
          (r) =>
            `${connectionText(r.connection)}\n  client secret (shown now; reveal again with \`public-connection secret\`): ${r.client_secret}`,
        )
      },
    )

  pc.command('list <workspace>')
    .description('public connections of a workspace that --as manages')
    .addOption(asOption())
    .action(async (ref: string, opts: { as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          const all = await listPublicConnections(deps, await resolveActor(deps.store.db, ws, opts.as))
          return { public_connections: all.filter((c) => c.workspace_id === ws) }
        },
        (r) => (r.public_connections.length ? r.public_connections.map(connectionText).join('\n\n') : 'No public connections.'),
      )
    })

  pc.command('show <id>')
    .description('one public connection')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'id')
      await withStore(cmd, async (deps) => getPublicConnection(deps, cid, await connectionActor(deps, cid, opts.as)), connectionText)
    })

  pc.command('secret <id>')
    .description('reveal the client secret (audited)')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'id')
      await withStore(
        cmd,
        async (deps) => ({ client_secret: await revealClientSecret(deps, cid, await connectionActor(deps, cid, opts.as)) }),
        (r) => r.client_secret,
      )
    })

  pc.command('refresh-secret <id>')
    .description('issue a new client secret; the old one stops at once')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'id')
      await withStore(
        cmd,
        async (deps) => ({ client_secret: await refreshClientSecret(deps, cid, await connectionActor(deps, cid, opts.as)) }),
        (r) => r.client_secret,
      )
    })

  pc.command('delete <id>')
    .description('delete a public connection and every install of it')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const cid = uuidArg(id, 'id')
      await withStore(
        cmd,
        async (deps) => (await deletePublicConnection(deps, cid, await connectionActor(deps, cid, opts.as)), { deleted: true, id: cid }),
        () => `Deleted public connection ${cid}.`,
      )
    })

  const install = program.command('install').description('installs of public connections: list, remove')

  install
    .command('list <workspace>')
    .description("every install in a workspace (owners), or with --own the --as person's own")
    .option('--own', "only the acting person's installs")
    .addOption(asOption())
    .action(async (ref: string, opts: { own?: boolean; as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          const actorId = await resolveActor(deps.store.db, ws, opts.as)
          return { installs: opts.own ? await listOwnInstalls(deps, actorId, ws) : await listWorkspaceInstalls(deps, ws, actorId) }
        },
        (r) => installTable(r.installs),
      )
    })

  for (const [name, share] of [
    ['share', true],
    ['unshare', false],
  ] as const) {
    install
      .command(`${name} <install-id> <page-id>`)
      .description(
        share ? "share one more page (and its descendants) with an install's bot" : "remove a page's direct share with an install's bot",
      )
      .addOption(
        new Option(
          '--as <user>',
          'acting person, who needs full access to the page and must not be a guest (e-mail or user id; default: the operator, no person rule)',
        ),
      )
      .action(async (id: string, page: string, opts: { as?: string }, cmd: Command) => {
        const iid = uuidArg(id, 'install-id')
        const pid = uuidArg(page, 'page-id')
        await withStore(
          cmd,
          async (deps) =>
            setInstallPageShare(
              deps,
              iid,
              pid,
              await resolveShareActor(deps.store.db, await installWorkspace(deps.store.db, iid), opts.as),
              share,
            ),
          (r) =>
            r.changed ? `${share ? 'Shared' : 'Unshared'} page ${pid} ${share ? 'with' : 'from'} install ${iid}.` : 'Nothing changed.',
        )
      })
  }

  install
    .command('remove <install-id>')
    .description('remove an install (its authorizer or a workspace owner): its tokens stop at once')
    .addOption(asOption())
    .action(async (id: string, opts: { as?: string }, cmd: Command) => {
      const iid = uuidArg(id, 'install-id')
      await withStore(
        cmd,
        async (deps) => (
          await removeInstall(deps, iid, await resolveActor(deps.store.db, await installWorkspace(deps.store.db, iid), opts.as)),
          { removed: true, id: iid }
        ),
        () => `Removed install ${iid}; its tokens no longer work.`,
      )
    })
}
