import { spawn } from 'node:child_process'
import { ROOT } from '../lib/store-cache.js'
import type { BenchContext, Row, Suite } from '../lib/types.js'

/**
 * A suite that is another program: `node --import tsx <script> --json [--quick] [--size <S|M|L>]`
 * run from the project root. Its stdout's last line must be `{"rows":[Row, …]}` (bench/lib/types.ts);
 * anything else it prints (progress) goes to stderr. Used for benchmarks that live in their own
 * script, such as a data-source benchmark.
 */
export function childProcessSuite(name: string, script: string): Suite {
  return {
    name,
    run: (ctx: BenchContext) =>
      new Promise<Row[]>((resolve, reject) => {
        const args = ['--import', 'tsx', script, '--json', ...(ctx.quick ? ['--quick'] : []), '--size', ctx.size]
        const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
        let out = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.once('exit', (code) => {
          const last = out.trim().split('\n').at(-1) ?? ''
          try {
            const parsed = JSON.parse(last) as { rows: Row[] }
            resolve(parsed.rows.map((r) => ({ ...r, suite: r.suite || name })))
          } catch {
            reject(new Error(`${script} exited with ${code} without a {"rows":[…]} line`))
          }
        })
      }),
  }
}
