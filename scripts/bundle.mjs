// `npm run build`, second step (issue 19, docs/adr/0032-title-search-index.md §5): bundles the
// compiled CLI (dist/cli/main.js, from `tsc`) and the packages it imports into one ES module,
// dist/octavo.mjs, the `octavo` bin. Node then reads and links one file instead of a few hundred
// modules, which is most of a start-up's CPU. Packages that load files next to themselves stay
// imports (native addons: better-sqlite3, @node-rs/argon2, the optional pg-native; pino, whose
// transports run in worker threads by file name). dist/ keeps its modules for `octavo/testing` and
// the library entry points.
import { build } from 'esbuild'

// The webhook worker's thread (src/webhooks-thread.ts, ADR 34) is a module of its own, loaded by file
// name by the worker thread the server starts: bundled the same way, next to the bin
// (src/webhooks-host.ts looks for dist/octavo-webhooks.mjs first).
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'pg-native', 'pino'],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __octavoCreateRequire } from 'node:module';\nconst require = __octavoCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
}

await build({ ...common, entryPoints: ['dist/cli/main.js'], outfile: 'dist/octavo.mjs' })
await build({ ...common, entryPoints: ['dist/webhooks-thread.js'], outfile: 'dist/octavo-webhooks.mjs' })
