// The benchmark's baseline: a hello-world route on Octavo's HTTP stack (Hono on @hono/node-server),
// started the same way as Octavo (same Node binary and flags, one process, loopback). Prints one JSON
// line `{"url": ...}` on stdout once it listens, like `octavo --json serve`. See bench/run.ts.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.get('/hello', (c) => c.json({ object: 'hello', message: 'Hello, world' }))
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`)
})
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
