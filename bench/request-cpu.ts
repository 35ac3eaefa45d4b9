import { createServer } from 'node:http'
import { connect } from 'node:net'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startRepoServer } from './lib/repo-server.js'

/**
 * `npx tsx bench/request-cpu.ts [--repo <dir>] [--only page_read,users_me,not_found,bad_token,bare]
 * [--requests 10000] [--rounds 2]`: CPU time of this process per request (µs; `process.cpuUsage`),
 * with the real server (from `--repo`'s `src/`, default this checkout) started in this process on a
 * copy of the generated size-S store, and a raw keep-alive client (4 connections, one request in flight
 * each, a prebuilt request buffer, responses framed by `Content-Length`) in the same process; `bare`
 * is a `node:http` server in the same process sending a 910-byte JSON body, the floor. Client and
 * server share the process, so the figures include the client's share (a few µs); compare workloads
 * and trees with each other, not with `npm run bench`'s per-process figures. Run it once per tree,
 * alternating, to compare two trees (issue 19, docs/adr/0044-row-cache.md): the best round is printed.
 */
const { values: args } = parseArgs({
  options: {
    repo: { type: 'string', default: process.cwd() },
    only: { type: 'string', default: 'bare,page_read,users_me,not_found,bad_token' },
    requests: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
  },
})
const repo = resolve(args.repo)
const { server, manifest: m, close } = await startRepoServer(repo, 'octavo-request-cpu-')
const port = Number(new URL(server.url).port)
const body = Buffer.from(JSON.stringify({ object: 'page', id: 'x'.repeat(36), pad: 'y'.repeat(840) }))
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
})
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r))
const barePort = (bare.address() as { port: number }).port

const token = m.connections.bench.token
const unknownToken = `ntn_${'1'.repeat(11)}${'a'.repeat(35)}`
const workloads: Record<string, { port: number; path: string; token: string; status: string }> = {
  bare: { port: barePort, path: '/', token, status: '200' },
  page_read: { port, path: `/v1/pages/${m.ids.spine[20]}`, token, status: '200' },
  users_me: { port, path: '/v1/users/me', token, status: '200' },
  not_found: { port, path: `/v1/pages/${m.ids.unsharedPage}`, token, status: '404' },
  bad_token: { port, path: '/v1/users/me', token: unknownToken, status: '401' },
}

/** Sends `n` requests of workload `w` over 4 keep-alive connections; returns the statuses seen. */
async function run(w: (typeof workloads)[string], n: number): Promise<Set<string>> {
  const request = Buffer.from(
    `GET ${w.path} HTTP/1.1\r\nHost: 127.0.0.1:${w.port}\r\nAuthorization: Bearer ${w.token}\r\nNotion-Version: 2025-09-03\r\n\r\n`,
  )
  const statuses = new Set<string>()
  const connections = 4
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((done, fail) => {
          const socket = connect(w.port, '127.0.0.1')
          socket.setNoDelay(true)
          let left = Math.ceil(n / connections)
          let pending = ''
          socket.on('error', fail)
          socket.on('data', (chunk) => {
            pending += chunk.toString('latin1')
            for (;;) {
              const headEnd = pending.indexOf('\r\n\r\n')
              if (headEnd < 0) return
              const length = Number(/content-length: *(\d+)/i.exec(pending.slice(0, headEnd))?.[1] ?? 0)
              if (pending.length < headEnd + 4 + length) return
              statuses.add(pending.slice(9, 12))
              pending = pending.slice(headEnd + 4 + length)
              if (--left <= 0) {
                socket.end()
                done()
                return
              }
              socket.write(request)
            }
          })
          socket.write(request)
        }),
    ),
  )
  return statuses
}

const names = args.only.split(',')
const n = Number(args.requests)
for (const name of names) {
  const w = workloads[name]
  if (!w) throw new Error(`unknown workload ${name}`)
  const seen = await run(w, 2000)
  if (seen.size !== 1 || !seen.has(w.status)) throw new Error(`${name}: expected ${w.status}, got ${[...seen].join(', ')}`)
}
const best = new Map<string, number[]>()
for (let round = 0; round < Number(args.rounds); round++) {
  for (const name of names) {
    const before = process.cpuUsage()
    await run(workloads[name]!, n)
    const used = process.cpuUsage(before)
    best.set(name, [...(best.get(name) ?? []), (used.user + used.system) / n])
  }
}
for (const [name, us] of best)
  console.log(
    `${name.padEnd(10)} best ${Math.min(...us).toFixed(1)} µs/req (process incl. client) ${us.map((x) => x.toFixed(1)).join(' ')}`,
  )
await close()
bare.close()
