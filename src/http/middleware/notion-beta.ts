import { BETA_FLAGS, isBetaFlag, type BetaFlag } from '../../domain/versions.js'
import { NotionApiError } from '../../errors/notion-error.js'

/**
 * The `Notion-Beta` request header (docs/reference/notion-api-2026.md §6.2; docs/views-and-versions.md):
 * one flag or several, comma-separated (spaces around each ignored). Each must be a flag Octavo knows
 * (`BETA_FLAGS` in domain/versions.ts, e.g. `status-group-filters-2026-10-06`); an empty, unknown or
 * repeated flag → 400 `invalid_beta` (SDK `APIErrorCode.InvalidBeta`), so nothing is ignored
 * silently. Checked after the credential and `Notion-Version`, before the rate limit.
 * @returns the flags, in order (empty when the header is absent)
 * @throws NotionApiError invalid_beta
 */
export function betaFlagsOf(raw: string | undefined): BetaFlag[] {
  if (raw === undefined) return []
  const parts = raw.split(',').map((p) => p.trim())
  const out: BetaFlag[] = []
  for (const p of parts) {
    if (!isBetaFlag(p)) {
      throw new NotionApiError(
        'invalid_beta',
        `Notion-Beta header failed validation: ${JSON.stringify(p)} is not a known beta flag. Known flags: ${BETA_FLAGS.map((f) => JSON.stringify(f)).join(', ')}.`,
      )
    }
    if (out.includes(p)) throw new NotionApiError('invalid_beta', `Notion-Beta header failed validation: ${JSON.stringify(p)} is repeated.`)
    out.push(p)
  }
  return out
}
