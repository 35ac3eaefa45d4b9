import { Command } from 'commander'

/**
 * Runs `octavo <args>` in-process with only the given command groups registered (the same commander
 * definitions as the binary), capturing stdout. Faster than a subprocess; tests keep one subprocess
 * run to check the binary's wiring. `databaseUrl` (a PostgreSQL test schema) is set as
 * `OCTAVO_DATABASE_URL` for the run, so the command opens the same store as the server under test.
 * @returns what the command printed to stdout.
 * @throws the command's error (commander's `exitOverride`).
 */
export async function runCliInProcess(
  register: ((program: Command) => void)[],
  args: string[],
  opts: { databaseUrl?: string } = {},
): Promise<string> {
  const program = new Command('octavo').option('--data-dir <dir>').option('--json').exitOverride()
  for (const r of register) r(program)
  let out = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  }) as typeof process.stdout.write
  const saved = process.env.OCTAVO_DATABASE_URL
  if (opts.databaseUrl?.startsWith('postgres')) process.env.OCTAVO_DATABASE_URL = opts.databaseUrl
  try {
    await program.parseAsync(['node', 'octavo', ...args])
  } finally {
    process.stdout.write = write
    if (saved === undefined) delete process.env.OCTAVO_DATABASE_URL
    else process.env.OCTAVO_DATABASE_URL = saved
  }
  return out
}
