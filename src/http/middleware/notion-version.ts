import { NotionApiError } from '../../errors/notion-error.js'
import { NOTION_VERSIONS, isNotionVersion, type NotionVersion } from '../../domain/versions.js'

const EXPECTED = NOTION_VERSIONS.map((v) => `\`"${v}"\``)
const EXPECTED_LIST = `${EXPECTED.slice(0, -1).join(', ')}, or ${EXPECTED.at(-1)}`

/**
 * Requires a known `Notion-Version` header, else 400 `missing_version` with Notion's two messages
 * (docs/reference/notion-api.md §3.2): "…should be defined, instead was `undefined`." when absent, and the list of
 * accepted versions when empty or unknown. The value must equal an accepted date exactly. `raw` is the
 * header's value (`undefined` when absent); the accepted version is returned. Synchronous: the `/v1`
 * router checks it after authentication (api/router.ts).
 * @throws NotionApiError missing_version
 */
export function requireNotionVersion(raw: string | undefined): NotionVersion {
  if (raw === undefined) {
    throw new NotionApiError(
      'missing_version',
      'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    )
  }
  // Only HTTP's optional whitespace (SP, HTAB) around a field value is not part of it (RFC 9110
  // §5.5; Node strips it already). Any other character, a non-breaking space included, is.
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, '')
  if (!isNotionVersion(value)) {
    throw new NotionApiError(
      'missing_version',
      `Notion-Version header failed validation: Notion-Version header should be ${EXPECTED_LIST}, instead was \`${JSON.stringify(raw)}\`.`,
    )
  }
  return value
}
