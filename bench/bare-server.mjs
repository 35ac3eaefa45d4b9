// The benchmark's bare baseline (issue 19): a plain `node:http` server, no framework, answering every
// request with the same JSON body as the page read it is compared with (the file named by
// `OCTAVO_BENCH_BARE_BODY`, read once at start-up) and the headers a JSON response needs. Started like
// Octavo (same Node binary and flags, its own process, loopback); prints one JSON line `{"url": ...}` on
// stdout once it listens. See bench/run.ts and bench/suites/common.ts (measureBare).
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'

const file = process.env.OCTAVO_BENCH_BARE_BODY
const body = Buffer.from(file ? readFileSync(file) : '{"object":"hello"}')
// `OCTAVO_BENCH_BARE_WORK_US`: microseconds of CPU spent (a busy wait) before each answer, standing in
// for a handler's own work (bench/ratio-floor.ts); 0 or absent: none.
const workNs = BigInt(Math.round(Number(process.env.OCTAVO_BENCH_BARE_WORK_US ?? 0) * 1000))
const server = createServer((req, res) => {
  req.resume()
  if (workNs > 0n) {
    const until = process.hrtime.bigint() + workNs
    while (process.hrtime.bigint() < until);
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
})
server.listen(0, '127.0.0.1', () => {
  const addr = server.address()
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })}\n`)
})
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
