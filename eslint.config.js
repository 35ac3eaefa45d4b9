// ESLint flat config (ESLint 10, typescript-eslint 8). Run by `npm test` through `npm run lint`.
// Besides the recommended rules it enforces the architecture's rooms (docs/architecture.md, ADR 3):
// - SQL (Kysely query builders and `sql` templates) only in src/storage/: services pass the store's handle
//   (the database or an open transaction, their unit of work) to repository functions and build no query;
// - layers import only downward (bottom to top): errors, domain → permissions, auth → storage →
//   services → http → api, admin, portal, cli; so domain imports no http/storage/services, and so on;
// - every promise is awaited or explicitly voided (no-floating-promises).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Query-builder entry points of Kysely, used only by repositories. */
const SQL_SYNTAX = [
  {
    selector: 'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|selectNoFrom)$/]',
    message: 'SQL lives in src/storage/repositories (ADR 3): call a repository function instead.',
  },
  {
    selector: "TaggedTemplateExpression[tag.name='sql']",
    message: 'SQL lives in src/storage/repositories (ADR 3): call a repository function instead.',
  },
]

/** @param {string[]} groups @param {string} why */
const forbid = (groups, why) => ({ patterns: [{ group: groups, message: why }] })

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node.js scripts (the benchmark's hello-world baseline, this file).
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  // SQL only in storage (tests and benchmarks may read the store directly to set up or inspect state).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**'],
    rules: { 'no-restricted-syntax': ['error', ...SQL_SYNTAX] },
  },
  // Layering: each room imports only downward.
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        forbid(
          [
            '**/http/**',
            '**/storage/**',
            '**/services/**',
            '**/api/**',
            '**/portal/**',
            '**/admin/**',
            '**/cli/**',
            '**/auth/**',
            '**/permissions/**',
          ],
          'domain/ is the bottom layer: it imports only domain/ and errors/.',
        ),
      ],
    },
  },
  {
    files: ['src/permissions/**/*.ts', 'src/auth/**/*.ts', 'src/errors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        forbid(
          ['**/http/**', '**/storage/**', '**/services/**', '**/api/**', '**/portal/**', '**/admin/**', '**/cli/**'],
          'permissions/, auth/ and errors/ are pure: they import only domain/ and each other.',
        ),
      ],
    },
  },
  {
    files: ['src/rate-limit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        forbid(
          ['**/storage/**', '**/services/**', '**/api/**', '**/portal/**', '**/admin/**', '**/cli/**'],
          'rate-limit/ counts requests for the HTTP layer: it imports only domain/, config and the logger.',
        ),
      ],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        forbid(
          ['**/http/**', '**/services/**', '**/api/**', '**/portal/**', '**/admin/**', '**/cli/**'],
          'storage/ sits under services: it imports only domain/, permissions/, auth/ and errors/.',
        ),
      ],
    },
  },
  {
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        forbid(
          [
            '**/http/**',
            '**/api/**',
            '**/portal/**',
            '**/admin/**',
            '**/cli/**',
            '**/storage/migrations/**',
            '**/storage/transfer.js',
            '**/storage/postgres-store.js',
          ],
          'services/ sit under the delivery layers (api, admin, portal, cli, http) and use the store only through repositories and its transaction.',
        ),
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
)
