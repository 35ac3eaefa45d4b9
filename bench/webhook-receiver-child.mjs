/**
 * Child process of bench/webhooks.ts (`--receiver process`, the default): the webhook receiver, on
 * loopback, standing for the remote service a subscription points at. It answers every POST 200 with
 * an empty body and records, per event delivery, its arrival time (`Date.now()`, the same clock as the
 * server's event `timestamp`). It runs in a process of its own so that its work does not delay the
 * bench's clients, which time the page updates on their own event loop (in the bench process, a burst
 * of 10 deliveries per write was parsed between a client's request and its reading of the answer).
 * It still shares the machine's cores with the server and the clients.
 *
 * IPC (parent → child): `{op: 'reset'}` forgets the arrivals; `{op: 'count'}` answers `{count}`;
 * `{op: 'latencies'}` answers `{latencies}` (arrival − event timestamp, ms, in arrival order) and
 * `{cpuMs}` (this process's CPU time so far). Prints `{"url": …}` on stdout once it listens.
 */
import { createServer } from 'node:http'

let arrivals = []
const receiver = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const at = Date.now()
    try {
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      if (e.timestamp && e.entity) arrivals.push(at - Date.parse(e.timestamp))
    } catch {
      /* not JSON */
    }
    res.writeHead(200).end()
  })
})
receiver.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${receiver.address().port}/hook` })}\n`)
})
process.on('message', (m) => {
  if (m.op === 'reset') {
    arrivals = []
    process.send({ ok: true })
  } else if (m.op === 'count') process.send({ count: arrivals.length })
  else if (m.op === 'latencies') {
    const u = process.cpuUsage()
    process.send({ latencies: arrivals, cpuMs: (u.user + u.system) / 1000 })
  }
})
process.on('disconnect', () => process.exit(0))
