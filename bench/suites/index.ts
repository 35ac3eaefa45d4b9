import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../lib/store-cache.js'
import type { Suite } from '../lib/types.js'
import { childProcessSuite } from './external.js'
import { permissionCheckSuite } from './permission-check.js'
import { searchScalingSuite, sharesSuite } from './scaling.js'
import { startupSuite } from './startup.js'
import { postgresWorkloadsSuite, workloadsSuite } from './workloads.js'

/**
 * The suites `npm run bench` runs, in order. To add one, export a `Suite` (bench/lib/types.ts) and
 * list it here, or list a script with `childProcessSuite(name, path)`.
 */
export const SUITES: Suite[] = [
  startupSuite,
  workloadsSuite,
  postgresWorkloadsSuite,
  sharesSuite,
  searchScalingSuite,
  permissionCheckSuite,
  // The data-source benchmark script, when present (its protocol: suites/external.ts).
  ...(existsSync(join(ROOT, 'bench/data-sources.ts')) ? [childProcessSuite('data-sources', 'bench/data-sources.ts')] : []),
]
