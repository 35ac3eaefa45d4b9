import type { Context } from 'hono'
import type { ApiCaller } from '../auth/principal.js'
import type { NotionVersion } from '../domain/versions.js'

/** Variables set by Octavo's middleware on the Hono context. */
export interface AppEnv {
  Variables: {
    requestId: string
    caller: ApiCaller
    version: NotionVersion
  }
}

export type AppContext = Context<AppEnv>
