import type { Command } from 'commander'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { parseId } from '../domain/ids.js'
import { DomainError } from '../errors/domain-error.js'
import type { Deps } from '../services/deps.js'
import { setPassword } from '../services/portal-auth.service.js'
import { findUser, findUserByEmail } from '../storage/repositories/workspaces.repository.js'
import { withStore } from './runtime.js'

/**
 * `octavo user set-password <user>`: gives a person (e-mail or user id) a password for the web
 * portal, through the same `setPassword` as the admin API. The password is never an argument (it
 * would show in `ps` and shell history): it is read from stdin (first line) when stdin is not a
 * terminal, else prompted for twice without echo. Setting a password signs the person out everywhere.
 */
export function userCommands(program: Command): void {
  const user = program.command('user').description('people: portal passwords')
  user
    .command('set-password <user>')
    .description('set the web-portal password of a person (e-mail or user id); reads it from stdin or prompts')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const password = await readPassword()
      await withStore(
        cmd,
        async (deps) => setPassword(deps, await resolvePerson(deps, ref), password, 'cli'),
        (r) => `Password set for ${r.email ?? r.user_id}. They can sign in at the portal (/login).`,
      )
    })
}

/** A person by e-mail or id. @throws DomainError not_found */
async function resolvePerson(deps: Deps, ref: string): Promise<string> {
  const id = parseId(ref)
  const u = id ? await findUser(deps.store.db, id) : await findUserByEmail(deps.store.db, ref)
  if (!u) throw new DomainError('not_found', `No user ${ref}.`)
  return u.id
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    return text.split(/\r?\n/)[0] ?? ''
  }
  const first = await prompt('New password: ')
  const second = await prompt('Repeat it: ')
  if (first !== second) throw new DomainError('invalid_input', 'The two passwords differ; nothing changed.')
  return first
}

/** Reads one line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(question)
    const muted = new Writable({ write: (_chunk, _enc, done) => done() })
    const rl = createInterface({ input: process.stdin, output: muted, terminal: true })
    rl.question('', (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
  })
}
