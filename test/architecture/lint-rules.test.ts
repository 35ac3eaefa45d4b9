import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/**
 * The architecture's rules that the linter enforces (eslint.config.js, run by `npm test`): SQL only in
 * src/storage, and layers importing only downward. Each case lints a small source as if it stood at
 * a path in the tree and expects the rule's error, so a rule that stops matching fails here.
 */
describe('lint rules of the architecture', () => {
  // The sources are virtual files, outside the TypeScript project: parse them without type information
  // (and so without the one type-aware rule, no-floating-promises).
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: { '@typescript-eslint/no-floating-promises': 'off' },
    },
  })
  const rulesAt = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath })
    const messages = result?.messages ?? []
    const fatal = messages.find((m) => m.fatal)
    if (fatal) throw new Error(`${filePath}: ${fatal.message}`)
    return messages.map((m) => m.ruleId)
  }

  it('refuses query builders and sql templates outside src/storage, and allows them inside', async () => {
    const code =
      "import type { Db } from '../storage/store.js'\nexport const f = (db: Db) => db.selectFrom('block').selectAll().execute()\n"
    expect(await rulesAt('src/services/example.ts', code)).toContain('no-restricted-syntax')
    expect(await rulesAt('src/cli/example.ts', code)).toContain('no-restricted-syntax')
    expect(
      await rulesAt('src/storage/repositories/example.repository.ts', code.replace('../storage/store.js', '../store.js')),
    ).not.toContain('no-restricted-syntax')
    const tagged = "import { sql } from 'kysely'\nexport const q = sql`select 1`\n"
    expect(await rulesAt('src/portal/example.ts', tagged)).toContain('no-restricted-syntax')
  })

  it('refuses upward imports', async () => {
    expect(await rulesAt('src/domain/example.ts', "export { requestId } from '../http/middleware/request-id.js'\n")).toContain(
      'no-restricted-imports',
    )
    expect(await rulesAt('src/domain/example.ts', "export { findBlock } from '../storage/repositories/blocks.repository.js'\n")).toContain(
      'no-restricted-imports',
    )
    expect(await rulesAt('src/permissions/example.ts', "export type { Database } from '../storage/database.js'\n")).toContain(
      'no-restricted-imports',
    )
    expect(await rulesAt('src/services/example.ts', "export { presentPage } from '../api/pages/pages.presenter.js'\n")).toContain(
      'no-restricted-imports',
    )
    expect(await rulesAt('src/storage/example.ts', "export { createNode } from '../services/tree.service.js'\n")).toContain(
      'no-restricted-imports',
    )
    expect(
      await rulesAt('src/services/example.ts', "export { findBlock } from '../storage/repositories/blocks.repository.js'\n"),
    ).not.toContain('no-restricted-imports')
  })
})
