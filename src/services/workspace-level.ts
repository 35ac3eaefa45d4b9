import type { ApiCaller } from '../auth/principal.js'
import { validationError } from '../errors/notion-error.js'
import { CONNECTION_SHARE_LEVEL, principalOf } from '../permissions/roles.js'
import { grantOnPage } from '../storage/repositories/acl.repository.js'
import type { BlockRow } from '../storage/repositories/blocks.repository.js'
import type { Db } from '../storage/store.js'

/**
 * Where a page or database created with `parent: {workspace: true}` goes, one rule for
 * `POST /v1/pages` and `POST /v1/databases`:
 * - internal connection: refused (`refusal`, a 400 validation_error; docs/reference/notion-api.md §1.2/§1.4: "internal
 *   connections cannot create workspace-level pages/databases");
 * - PAT: a private page/database of its creator (seed 004: "workspace-level private page creation uses
 *   the PAT creator"; docs/adr/0010-personal-access-tokens.md);
 * - OAuth install: a private page/database of the authorizing person, shared with the install's bot at
 *   the connection share level so it keeps working on it (docs/adr/0014-oauth-public-connections.md).
 */
export interface WorkspacePlacement {
  parent: { type: 'workspace' }
  section: 'private'
  /** The person whose private section holds the new node. */
  privateOwner: string
}

/**
 * Creates a workspace-level node for `caller` by calling `create` with its placement (pass it on to
 * `createNode`/`createDatabase`), then shares it with an OAuth install's bot. Run inside the request's
 * transaction.
 * @returns the created row (what `create` returned).
 * @throws NotionApiError validation_error `refusal` for internal connections (nothing is created).
 */
export async function createAtWorkspaceLevel(
  trx: Db,
  caller: ApiCaller,
  opts: { refusal: string; time: string },
  create: (placement: WorkspacePlacement) => Promise<BlockRow>,
): Promise<BlockRow> {
  if (caller.kind === 'internal') throw validationError(opts.refusal)
  const row = await create({ parent: { type: 'workspace' }, section: 'private', privateOwner: caller.userId })
  if (caller.kind === 'oauth') {
    await grantOnPage(trx, row, {
      principal: principalOf.bot(caller.botId),
      role: CONNECTION_SHARE_LEVEL,
      grantedBy: caller.userId,
      time: opts.time,
    })
  }
  return row
}
