/**
 * Writes to and under the trash (security issue "trashed pages accept children, comments and moves").
 * Notion refuses them with 400 `validation_error`:
 * - the object written (or the parent written into) is in the trash: "Can't edit block that is
 *   archived. You must unarchive the block before editing." — only restoring it is allowed;
 * - a page, database, data source or block above it is in the trash: "Can't edit page on block with an
 *   archived ancestor. You must unarchive the ancestor before editing page." — restore the ancestor
 *   first; restoring the object itself is refused too.
 * Both messages as live Notion answers them (quoted verbatim by several public API clients that match
 * on them, e.g. notion-sync run notes and archive-error classifiers found with the code search).
 */
export const ARCHIVED_MESSAGE = "Can't edit block that is archived. You must unarchive the block before editing."
export const ARCHIVED_ANCESTOR_MESSAGE =
  "Can't edit page on block with an archived ancestor. You must unarchive the ancestor before editing page."

export interface TrashedWriteRequest {
  /** The object written (or the parent created into) is in the trash itself. */
  selfInTrash: boolean
  /** Something above it is in the trash (page path, parent blocks, data source, database). */
  ancestorInTrash: boolean
  /** The write takes the object itself out of the trash (`in_trash: false` / `archived: false`). */
  restoresSelf: boolean
}

export type TrashedWriteDecision = { type: 'allow' } | { type: 'deny'; reason: 'archived' | 'archived_ancestor'; message: string }

/**
 * Decides whether a write may touch an object given its trash state. Pure. A trashed ancestor wins
 * (nothing below it may change, not even a restore of the object itself); a trashed object accepts
 * only its own restore.
 */
export function decideTrashedWrite(req: TrashedWriteRequest): TrashedWriteDecision {
  if (req.ancestorInTrash) return { type: 'deny', reason: 'archived_ancestor', message: ARCHIVED_ANCESTOR_MESSAGE }
  if (req.selfInTrash && !req.restoresSelf) return { type: 'deny', reason: 'archived', message: ARCHIVED_MESSAGE }
  return { type: 'allow' }
}
