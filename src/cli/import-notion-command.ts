import { Option, type Command } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { resolveActor, resolveWorkspace } from '../services/actors.js'
import { importNotion, type ImportNotionResult } from '../services/import-notion/import-notion.service.js'
import { configFor, parsePerson, withStore } from './runtime.js'

/**
 * `octavo import-notion --token ntn_… [--base-url …]` (or the token in `NOTION_TOKEN`; issue 18, ADR 31, docs/emulator.md "Import from
 * Notion"): copies what the token can see from Notion (or any server speaking its API, such as another
 * Octavo) into a workspace of this store, through services/import-notion. Progress goes to stderr, the
 * summary (or `--json` document) to stdout. Interrupted runs continue where they stopped: run the same
 * command again. The token is only sent to `--base-url`; it is never printed nor stored.
 */

interface ImportOptions {
  token?: string
  baseUrl: string
  workspace?: string
  newWorkspace?: string
  owner?: string
  as?: string
  quiet?: boolean
}

/** Registers `import-notion`. */
export function importNotionCommand(program: Command): void {
  program
    .command('import-notion')
    .description('copy what a Notion token can see (pages, blocks, databases, rows, users, comments, files) into a workspace')
    // From the environment too, so the token stays out of the process list and the shell history.
    .addOption(new Option('--token <token>', 'the source integration token (ntn_… or secret_…)').env('NOTION_TOKEN'))
    .option('--base-url <url>', "the source server's API base URL", 'https://api.notion.com')
    .option('--workspace <workspace>', 'target workspace (id or unique name); default: the first one')
    .option('--new-workspace <name>', 'create the target workspace instead (needs --owner)')
    .option('--owner <person>', 'owner of --new-workspace, as "Name <email>"')
    .option('--as <person>', "who the copy is written as (e-mail or user id); default: the workspace's first owner")
    .option('--quiet', 'no progress lines on stderr')
    .action(async (o: ImportOptions, cmd: Command) => {
      if (!o.token) throw new DomainError('invalid_input', 'Give the source token as --token or in NOTION_TOKEN.')
      if (o.newWorkspace && !o.owner) throw new DomainError('invalid_input', '--new-workspace needs --owner "Name <email>".')
      if (o.newWorkspace && o.workspace) throw new DomainError('invalid_input', 'Give --workspace or --new-workspace, not both.')
      let baseUrl: URL
      try {
        baseUrl = new URL(o.baseUrl)
      } catch {
        throw new DomainError('invalid_input', `--base-url must be a URL, got "${o.baseUrl}".`)
      }
      const sdk = await import('@notionhq/client').catch(() => {
        throw new DomainError('invalid_input', 'import-notion needs @notionhq/client: npm install @notionhq/client')
      })
      const source = new sdk.Client({
        auth: o.token,
        baseUrl: baseUrl.href.replace(/\/$/, ''),
        notionVersion: '2025-09-03',
        // A long import meets Notion's rate limit often: more patience than the SDK's default (2 retries).
        retry: { maxRetries: 8, maxRetryDelayMs: 60_000 },
        logLevel: sdk.LogLevel.ERROR,
        logger: () => {},
      })
      const stateDir = configFor(cmd).dataDir
      await withStore(
        cmd,
        async (deps) => {
          const workspaceId = o.workspace ? await resolveWorkspace(deps.store.db, o.workspace) : undefined
          const actorId = o.as && workspaceId ? await resolveActor(deps.store.db, workspaceId, o.as) : undefined
          return importNotion(deps, {
            source,
            sourceBaseUrl: baseUrl.href,
            stateDir,
            ...(workspaceId ? { workspaceId } : {}),
            ...(actorId ? { actorId } : {}),
            ...(o.newWorkspace ? { newWorkspace: { name: o.newWorkspace, owner: parsePerson(o.owner!, 'owner') } } : {}),
            ...(o.quiet ? {} : { progress: (line: string) => process.stderr.write(`import-notion: ${line}\n`) }),
          })
        },
        human,
      )
    })
}

function human(r: ImportNotionResult): string {
  const c = r.counts
  const lines = [
    `Imported into workspace ${r.workspace.name} (${r.workspace.id}): ${c.pages} pages, ${c.databases} databases (${c.data_sources} data sources), ${c.rows} rows, ${c.blocks} blocks, ${c.comments} comments, ${c.files} files, ${c.users} people.`,
  ]
  if (r.already_present) lines.push(`${r.already_present} objects were already there from an earlier run.`)
  if (r.skipped.length) lines.push(`Skipped ${r.skipped.length}:`, ...r.skipped.map((s) => `  ${s.what} ${s.id}: ${s.reason}`))
  if (Object.keys(r.remapped).length)
    lines.push(`${Object.keys(r.remapped).length} ids were taken in another workspace and got new ids (see ${r.state_file}).`)
  lines.push('', 'Connections to create (tokens are not importable):')
  for (const conn of r.connections) {
    lines.push(`  octavo connection create ${r.workspace.id} --name ${JSON.stringify(conn.name)}   # ${conn.capabilities_note}`)
    for (const p of conn.share) lines.push(`    octavo connection share <its id> ${p.id}   # ${p.title}`)
  }
  lines.push(`State: ${r.state_file}`)
  return lines.join('\n')
}
