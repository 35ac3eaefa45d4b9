import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

/**
 * `npx tsx bench/profile-top.ts <file.cpuprofile> [n]`: the functions with the most self time in a
 * V8 CPU profile (from `npm run bench -- --cpu-prof --only <workload>`), and the Octavo source files
 * with the most inclusive time, as plain text. A quick look before opening the profile in DevTools.
 */

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [file, nArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: tsx bench/profile-top.ts <file.cpuprofile> [n]\n')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const n = Number(nArg ?? 25)
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id)
const total = profile.samples.length
const where = (node: Node) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '')
  return `${node.callFrame.functionName || '(anonymous)'} ${url ? `${relative(process.cwd(), url)}:${node.callFrame.lineNumber + 1}` : ''}`.trim()
}
const self = new Map<string, number>()
const inclusiveFile = new Map<string, number>()
for (const id of profile.samples) {
  const node = byId.get(id) as Node
  self.set(where(node), (self.get(where(node)) ?? 0) + 1)
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const url = (byId.get(cur) as Node).callFrame.url
    const key = url.includes('/node_modules/')
      ? `node_modules/${url.split('/node_modules/')[1]?.split('/')[0]}`
      : url.includes('/dist/')
        ? relative(process.cwd(), url.replace(/^file:\/\//, ''))
        : url.startsWith('node:')
          ? url
          : ''
    if (key && !seen.has(key)) {
      seen.add(key)
      inclusiveFile.set(key, (inclusiveFile.get(key) ?? 0) + 1)
    }
  }
}
const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%`
process.stdout.write(`${total} samples, ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s\n\nself time:\n`)
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(v)}  ${k}\n`)
process.stdout.write('\ninclusive time by file / package:\n')
for (const [k, v] of [...inclusiveFile].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(v)}  ${k}\n`)
