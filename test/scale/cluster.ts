import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, type Served } from '../e2e/cli-process.js'

/**
 * Multi-node test fixtures: real `octavo serve` processes (tsx) on loopback ports sharing one
 * PostgreSQL schema and one Redis, a private `redis-server` child (so a fault test can stop it
 * without touching the machine's shared Redis), and nginx in front (docs/deploy.md's config).
 */

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface RedisChild {
  url: string
  /** Stops it (SIGKILL: Redis vanishes mid-run) and waits for the exit. */
  kill(): Promise<void>
}

/** Whether `redis-server` can be run here. */
export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version']).status === 0

/** Starts `redis-server` on a free loopback port with no persistence. */
export async function startRedis(): Promise<RedisChild> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  await waitFor(
    () =>
      new Promise((resolve) => {
        const sock = connect(port, '127.0.0.1', () => {
          sock.end()
          resolve(true)
        })
        sock.on('error', () => resolve(false))
      }),
    'redis-server',
  )
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

export interface Node {
  url: string
  served: Served
  stderr(): string
  kill(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts one `octavo serve` process with `env` (its own data directory). */
export async function startNode(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'octavo-node-'))
  const served = await serve(dataDir, ['--no-demo'], env)
  return { url: served.info.url, served, stderr: served.stderr, kill: (signal = 'SIGTERM') => served.stop(signal) }
}

/** Path of Debian's nginx, or undefined when it is not installed. */
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))

/**
 * The nginx configuration of docs/deploy.md for `upstreams` (host:port), listening on `port`.
 * `X-Octavo-Upstream` is added for the test only, to see which node answered.
 */
export function nginxConfig(prefix: string, port: number, upstreams: string[]): string {
  return `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  upstream octavo {
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 1m;
    location / {
      proxy_pass http://octavo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
      add_header X-Octavo-Upstream $upstream_addr always;
    }
  }
}
`
}

export interface Nginx {
  url: string
  stop(): Promise<void>
}

/**
 * Runs nginx in the foreground with a temporary prefix and `nginxConfig`, on `port` (a free one when
 * absent). Pick the port before starting the nodes so their `OCTAVO_PUBLIC_URL` can name it: nginx
 * passes the client's `Host`, which the nodes accept only for their public URL or allowed hosts.
 */
export async function startNginx(upstreams: string[], port?: number): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed')
  const prefix = mkdtempSync(join(tmpdir(), 'octavo-nginx-'))
  for (const d of ['body', 'proxy', 'logs']) mkdirSync(join(prefix, d), { recursive: true })
  port ??= await freePort()
  const conf = join(prefix, 'nginx.conf')
  writeFileSync(conf, nginxConfig(prefix, port, upstreams))
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const url = `http://127.0.0.1:${port}`
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`)
    return (await fetch(`${url}/healthz`)).ok
  }, 'nginx')
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGQUIT')
      await exited
    },
  }
}
