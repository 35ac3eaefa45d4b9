import type { Context } from 'hono'
import type { ApiCaller } from '../auth/principal.js'
import type { NotionVersion } from '../domain/versions.js'

/** Variables set by Octavo's middleware on the Hono context. */
export interface AppEnv {
  Variables: {
    requestId: string
    caller: ApiCaller
    version: NotionVersion
    /** The SDK endpoint of the matched `/v1` route (`pages.retrieve`), for the request journal. */
    endpoint: string | null
    /** The fault rule that acted on the request (http/emulator/faults.ts). */
    fault: string
  }
}

export type AppContext = Context<AppEnv>
