#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander'
import { connectionCommands, maintenanceCommands, pageCommands, workspaceCommands } from './commands.js'
import { patCommands } from './pat-commands.js'
import { oauthCommands } from './oauth-commands.js'
import { peopleCommands } from './people-commands.js'
import { dataCommands } from './data.js'
import { journalFaultCommands } from './journal-fault-commands.js'
import { reportError } from './runtime.js'
import { serveCommand } from './serve.js'
import { userCommands } from './user.command.js'
import { emulatorCommands } from './emulator-commands.js'
import { importNotionCommand } from './import-notion-command.js'
import { webhookCommands } from './webhook-commands.js'
import { fileCommands } from './file-commands.js'
import { emojiCommands } from './emoji-commands.js'

/**
 * `octavo`: the server (`serve`) and the set-up commands that work directly on the store
 * (`workspace`, `member`, `pages`, `connection`, `user`, `audit`, `reset`). Every command takes
 * `--data-dir` (else `OCTAVO_DATA_DIR`, else `./.octavo`) and `--json`. On failure it prints one line
 * `octavo: <message>` to stderr and exits with code 1.
 */
export function buildProgram(): Command {
  const program = new Command('octavo')
    .description("Octavo: a self-hosted server that speaks Notion's public API")
    .option('--data-dir <dir>', 'data directory (store, master key, admin key); default $OCTAVO_DATA_DIR or ./.octavo')
    .option('--json', 'machine-readable output')
    .option('--config <file>', 'JSON configuration file (OCTAVO_* settings; the environment wins); default $OCTAVO_CONFIG')
    .showHelpAfterError()
    .exitOverride()

  program
    .command('serve')
    .description('start the server (seeds the demo workspace into an empty store)')
    .option('--host <host>', 'address to listen on (default $OCTAVO_HOST or 127.0.0.1)')
    .option('--port <port>', 'port, 0 picks a free one (default $OCTAVO_PORT or 7700)')
    .addOption(new Option('--no-demo', 'do not seed the demo workspace'))
    .option('--fixture <file>', 'load a JSON fixture (docs/fixture.schema.json) into an empty store instead of the demo')
    .action(serveCommand)

  workspaceCommands(program)
  peopleCommands(program)
  pageCommands(program)
  connectionCommands(program)
  patCommands(program)
  oauthCommands(program)
  maintenanceCommands(program)
  userCommands(program)
  dataCommands(program)
  journalFaultCommands(program)
  emulatorCommands(program)
  importNotionCommand(program)
  webhookCommands(program)
  fileCommands(program)
  emojiCommands(program)
  return program
}

async function main(): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(process.argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message (and help); keep its exit code (0 for --help).
      process.exitCode = err.exitCode
      return
    }
    reportError(err, process.argv.includes('--json'))
  }
}

await main()
