/**
 * `npm run docs:api-coverage`: writes docs/api-coverage.md, the SDK endpoints Octavo serves.
 * `npm run docs:api-coverage -- --check`: exits 1 (writing nothing) when the committed file is stale.
 *
 * The endpoint list comes from the installed `@notionhq/client` itself: its endpoint descriptors
 * (`build/src/api-endpoints/*.js`, objects `{method, pathParams, queryParams, bodyParams, path}`) give
 * method and path; its compiled `Client` (`build/src/Client.js`, parsed with the TypeScript compiler)
 * gives the method name callers use (`pages.retrieve`, `blocks.children.list`, `search`, …). The
 * served side is `listRoutes()` (src/api/routes.ts). test/docs/api-coverage.test.ts regenerates the
 * file in memory and fails when the committed copy differs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { listRoutes, type RouteInfo } from '../src/api/routes.js'
import { NOTION_VERSIONS } from '../src/domain/versions.js'

const require = createRequire(import.meta.url)

/** Where the generated file lives. */
export const COVERAGE_FILE = fileURLToPath(new URL('../docs/api-coverage.md', import.meta.url))

/** One endpoint descriptor of the SDK. */
export interface SdkEndpointInfo {
  /** The `Client` method (`'pages.retrieve'`), or the descriptor's own name when no method calls it. */
  name: string
  /** Whether `Client` exposes the descriptor as a method. */
  inClient: boolean
  /** Descriptor export name (`getPage`) and its module (`pages`, from `api-endpoints/pages.js`). */
  descriptor: string
  module: string
  /** Upper-case HTTP method. */
  method: string
  /** Path template with the `/v1` prefix and `{param}` placeholders: `/v1/pages/{page_id}`. */
  path: string
}

/** The installed SDK: version and every endpoint descriptor, sorted by `name`. */
export interface Sdk {
  version: string
  endpoints: SdkEndpointInfo[]
}

interface Descriptor {
  method: string
  pathParams: string[]
  path: (params: Record<string, string>) => string
}

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Partial<Descriptor> | null
  return typeof d === 'object' && d !== null && typeof d.method === 'string' && Array.isArray(d.pathParams) && typeof d.path === 'function'
}

/** `{name}` for every parameter the descriptor's `path()` reads. */
const placeholders = new Proxy({} as Record<string, string>, { get: (_t, key) => `{${String(key)}}` })

/**
 * Maps descriptor export names to `Client` method names by reading `Client.js`: in the constructor,
 * `this.<ns> = { <method>: (args) => … <alias>.<descriptor>.method … , <sub>: { … } }` and
 * `this.search = (args) => …`, where `<alias>` is a `require("./api-endpoints…")` binding.
 * @throws Error when a method references no descriptor or several (the SDK changed shape).
 */
function clientMethods(clientJs: string): Map<string, string> {
  const file = ts.createSourceFile('Client.js', clientJs, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS)
  const aliases = new Set<string>()
  let ctor: ts.ConstructorDeclaration | undefined
  const visitTop = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isCallExpression(node.initializer)) {
      const [arg] = node.initializer.arguments
      if (
        ts.isIdentifier(node.initializer.expression) &&
        node.initializer.expression.text === 'require' &&
        arg &&
        ts.isStringLiteral(arg) &&
        arg.text.startsWith('./api-endpoints')
      ) {
        aliases.add(node.name.text)
      }
    }
    if (ts.isClassDeclaration(node) && node.name?.text === 'Client') ctor = node.members.find(ts.isConstructorDeclaration)
    ts.forEachChild(node, visitTop)
  }
  visitTop(file)
  if (!ctor?.body || aliases.size === 0) throw new Error('api-coverage: Client.js has no Client constructor or no api-endpoints import')

  const byDescriptor = new Map<string, string>()
  const referenced = (fn: ts.Node): Set<string> => {
    const names = new Set<string>()
    const visit = (n: ts.Node): void => {
      // <alias>.<descriptor>.method
      if (ts.isPropertyAccessExpression(n) && n.name.text === 'method' && ts.isPropertyAccessExpression(n.expression)) {
        const inner = n.expression
        if (ts.isIdentifier(inner.expression) && aliases.has(inner.expression.text)) names.add(inner.name.text)
      }
      ts.forEachChild(n, visit)
    }
    visit(fn)
    return names
  }
  const collect = (node: ts.Expression, path: string[]): void => {
    if (ts.isObjectLiteralExpression(node)) {
      for (const p of node.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
          collect(p.initializer, [...path, p.name.text])
      }
    } else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const names = [...referenced(node)]
      if (names.length !== 1)
        throw new Error(`api-coverage: Client method ${path.join('.')} references ${names.length} endpoint descriptors`)
      byDescriptor.set(names[0]!, path.join('.'))
    }
  }
  for (const stmt of ctor.body.statements) {
    if (!ts.isExpressionStatement(stmt) || !ts.isBinaryExpression(stmt.expression)) continue
    const { left, operatorToken, right } = stmt.expression
    if (
      operatorToken.kind !== ts.SyntaxKind.EqualsToken ||
      !ts.isPropertyAccessExpression(left) ||
      left.expression.kind !== ts.SyntaxKind.ThisKeyword
    )
      continue
    collect(right, [left.name.text])
  }
  return byDescriptor
}

/**
 * Reads the installed `@notionhq/client`: every endpoint descriptor in `build/src/api-endpoints/*.js`,
 * named as `Client` exposes it.
 * @throws Error when the package's layout is not the one described in the module comment.
 */
export function readSdk(): Sdk {
  const pkgFile = require.resolve('@notionhq/client/package.json')
  const root = dirname(pkgFile)
  const version = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version
  const endpointsDir = join(root, 'build/src/api-endpoints')
  const methods = clientMethods(readFileSync(join(root, 'build/src/Client.js'), 'utf8'))
  const endpoints: SdkEndpointInfo[] = []
  for (const file of readdirSync(endpointsDir)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const mod = require(join(endpointsDir, file)) as Record<string, unknown>
    for (const [descriptor, value] of Object.entries(mod)) {
      if (!isDescriptor(value)) continue
      const client = methods.get(descriptor)
      endpoints.push({
        name: client ?? descriptor,
        inClient: client !== undefined,
        descriptor,
        module: file.replace(/\.js$/, ''),
        method: value.method.toUpperCase(),
        path: `/v1/${value.path(placeholders)}`,
      })
    }
  }
  const missing = [...methods.keys()].filter((d) => !endpoints.some((e) => e.descriptor === d))
  if (missing.length > 0) throw new Error(`api-coverage: Client uses descriptors not found in api-endpoints/: ${missing.join(', ')}`)
  return { version, endpoints: endpoints.sort((a, b) => compare(a.name, b.name)) }
}

/** Code-unit order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Octavo's Hono pattern as an SDK path template: `/pages/:page_id` → `/v1/pages/{page_id}`. */
export function pathTemplate(routePath: string): string {
  return `/v1${routePath.replace(/:(\w+)/g, '{$1}')}`
}

/**
 * Inconsistencies between routes and the SDK, as sentences (empty when all is well): an `endpoint`
 * the SDK's `Client` does not have, or whose method or path differs from the route's; an endpoint
 * served by two routes; a route naming no endpoint without a reason, or although an SDK method has
 * its method and path.
 */
export function routeProblems(routes: RouteInfo[], sdk: Sdk): string[] {
  const problems: string[] = []
  const byName = new Map(sdk.endpoints.filter((e) => e.inClient).map((e) => [e.name, e]))
  const seen = new Map<string, string>()
  for (const r of routes) {
    const route = `${r.method.toUpperCase()} ${pathTemplate(r.path)}`
    if (r.endpoint === null) {
      if (!r.reason) problems.push(`${route} names no SDK endpoint and gives no reason`)
      const twin = sdk.endpoints.find((e) => e.inClient && `${e.method} ${e.path}` === route)
      if (twin) problems.push(`${route} names no SDK endpoint, but it is ${twin.name}`)
      continue
    }
    const e = byName.get(r.endpoint)
    if (!e) {
      problems.push(`${route}: endpoint ${r.endpoint} is not a method of @notionhq/client ${sdk.version}`)
      continue
    }
    if (`${e.method} ${e.path}` !== route) problems.push(`${route}: endpoint ${r.endpoint} is ${e.method} ${e.path} in the SDK`)
    const other = seen.get(r.endpoint)
    if (other) problems.push(`${r.endpoint} is served by both ${other} and ${route}`)
    seen.set(r.endpoint, route)
  }
  return problems
}

const VERSION_LABEL: Record<RouteInfo['versions'], string> = {
  all: 'all',
  data_sources: '2025-09-03+',
  legacy: '≤ 2022-06-28',
  before_2022_02_22: '≤ 2021-08-16',
}

/**
 * The text of docs/api-coverage.md for `routes` against `sdk`; deterministic (sorted, no dates).
 * @throws Error listing `routeProblems` when there are any (a wrong `endpoint` never reaches the file).
 */
export function renderCoverage(routes: RouteInfo[] = listRoutes(), sdk: Sdk = readSdk()): string {
  const problems = routeProblems(routes, sdk)
  if (problems.length > 0) throw new Error(`api-coverage: routes disagree with the SDK:\n- ${problems.join('\n- ')}`)
  const served = new Map(routes.filter((r) => r.endpoint !== null).map((r) => [r.endpoint as string, r]))
  const clientEndpoints = sdk.endpoints.filter((e) => e.inClient)
  const descriptorOnly = sdk.endpoints.filter((e) => !e.inClient)
  const outside = routes.filter((r) => r.endpoint === null)
  const servedCount = clientEndpoints.filter((e) => served.has(e.name)).length
  const code = (s: string) => `\`${s}\``
  const recent = NOTION_VERSIONS.filter((v) => v >= '2025-09-03')
  const older = NOTION_VERSIONS.filter((v) => v <= '2022-06-28')

  const out: string[] = [
    '<!-- Generated by `npm run docs:api-coverage` (scripts/api-coverage.ts). Do not edit by hand: change the routes or upgrade the SDK, then regenerate. -->',
    '',
    '# API coverage',
    '',
    `Every endpoint of \`@notionhq/client\` ${sdk.version}, read from the SDK's own endpoint descriptors`,
    '(`build/src/api-endpoints/*.js`) and named as its `Client` exposes them, against the `/v1` routes',
    'Octavo mounts (`listRoutes()` in `src/api/routes.ts`, where each route names the endpoint it serves).',
    '',
    'Notion-Versions, the `Notion-Version` values a route is mounted for:',
    '',
    `- **all**: every accepted version (${NOTION_VERSIONS.join(', ')}); the OAuth routes need none;`,
    `- **2025-09-03+**: ${recent.join(', ')};`,
    `- **≤ 2022-06-28**: ${older.join(', ')}.`,
    '',
    '## Summary',
    '',
    '| | Count |',
    '|---|---:|',
    `| SDK endpoints (\`Client\` methods) | ${clientEndpoints.length} |`,
    `| served | ${servedCount} |`,
    `| not served | ${clientEndpoints.length - servedCount} |`,
    `| SDK descriptors without a \`Client\` method (not served) | ${descriptorOnly.length} |`,
    `| \`/v1\` routes outside the SDK | ${outside.length} |`,
    '',
  ]

  const namespaces = [...new Set(clientEndpoints.map((e) => e.name.split('.')[0]!))].sort(compare)
  for (const ns of namespaces) {
    out.push(`## ${ns}`, '', '| Endpoint | Method and path | Served | Notion-Versions |', '|---|---|---|---|')
    for (const e of clientEndpoints.filter((x) => x.name.split('.')[0] === ns)) {
      const r = served.get(e.name)
      out.push(`| ${code(e.name)} | ${code(`${e.method} ${e.path}`)} | ${r ? 'yes' : 'no'} | ${r ? VERSION_LABEL[r.versions] : '—'} |`)
    }
    out.push('')
  }

  out.push(
    '## SDK descriptors without a `Client` method',
    '',
    'Exported by `api-endpoints/*.js` but not callable through `Client` (only through `client.request`).',
    '',
    '| Descriptor | Method and path | Served |',
    '|---|---|---|',
  )
  for (const e of [...descriptorOnly].sort((a, b) => compare(`${a.module}/${a.descriptor}`, `${b.module}/${b.descriptor}`))) {
    out.push(`| ${code(`${e.module}/${e.descriptor}`)} | ${code(`${e.method} ${e.path}`)} | no |`)
  }
  out.push('')

  out.push('## `/v1` routes outside the SDK', '', '| Method and path | Notion-Versions | Why |', '|---|---|---|')
  for (const r of [...outside].sort((a, b) => compare(`${pathTemplate(a.path)} ${a.method}`, `${pathTemplate(b.path)} ${b.method}`))) {
    out.push(
      `| ${code(`${r.method.toUpperCase()} ${pathTemplate(r.path)}`)} | ${VERSION_LABEL[r.versions]} | ${(r.reason ?? '').replace(/\|/g, '\\|')} |`,
    )
  }
  out.push('')
  return out.join('\n')
}

/** Entry point: write the file, or with `--check` report whether it is stale (exit 1). */
function main(argv: string[]): void {
  const text = renderCoverage()
  if (argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(COVERAGE_FILE, 'utf8')
    } catch {
      // missing → stale
    }
    if (current !== text) {
      console.error('docs/api-coverage.md is stale: run `npm run docs:api-coverage`.')
      process.exitCode = 1
    }
    return
  }
  writeFileSync(COVERAGE_FILE, text)
  console.log(`wrote ${COVERAGE_FILE}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2))
