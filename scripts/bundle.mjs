// `npm run build`, second step (issue 19, docs/adr/0032-title-search-index.md §5, ADR 49): bundles
// the compiled CLI (dist/cli/main.js, from `tsc`) and the packages it imports into ES modules,
// dist/octavo.mjs, the `octavo` bin. Node then reads and links a few files instead of a few hundred
// modules, which is most of a start-up's CPU. Packages that load files next to themselves stay
// imports (native addons: better-sqlite3, @node-rs/argon2, the optional pg-native; pino, whose
// transports run in worker threads by file name). dist/ keeps its modules for `octavo/testing` and
// the library entry points.
//
// Code splitting (ADR 49): what the source imports with `import()` (PostgreSQL's store and driver,
// Redis's rate limiter, the S3 blob store, the official SDK of `octavo import-notion`) goes into
// chunks of its own, `dist/octavo-chunk-<hash>.mjs`, which Node compiles only when they are
// imported. A start on SQLite without Redis or S3 compiles about 3.1 MB of the 5.5 MB instead of
// all of it. Chunks sit next to the bin (not in a folder), so `import.meta.url`-relative lookups
// such as src/webhooks-host.ts's work from any chunk.
import { build } from 'esbuild'
import { readdirSync, rmSync } from 'node:fs'

// The webhook worker's thread (src/webhooks-thread.ts, ADR 34) is an entry point of its own, loaded
// by file name by the worker thread the server starts (src/webhooks-host.ts looks for
// dist/octavo-webhooks.mjs first); it shares chunks with the bin.
for (const file of readdirSync('dist')) if (file.startsWith('octavo-chunk-')) rmSync(`dist/${file}`)
await build({
  entryPoints: { octavo: 'dist/cli/main.js', 'octavo-webhooks': 'dist/webhooks-thread.js' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'octavo-chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'pg-native', 'pino'],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins; each
  // chunk is a module of its own and gets its own `require`.
  banner: {
    js: "import { createRequire as __octavoCreateRequire } from 'node:module';\nconst require = __octavoCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
