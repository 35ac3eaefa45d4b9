import * as z from 'zod'

/**
 * The declarative fixture format (ADR 23; JSON Schema in docs/fixture.schema.json, generated from this
 * module by `npm run docs:fixture-schema`): workspaces with their people, a tree of pages and databases
 * whose content is Notion block objects as `PATCH /v1/blocks/{id}/children` takes them, database
 * schemas as `initial_data_source.properties` and rows as `POST /v1/pages` `properties`
 * (docs/reference/notion-api.md §2.5, §1.4), internal connections with capabilities, an optional fixed
 * token and the pages shared with them, personal access tokens and public connections. Loaded by
 * `services/fixtures.service.ts` through the same services as the API, in file order, so a fixture
 * gives the same content and change events every time (ids are random unless given; freeze the clock
 * first for fixed timestamps).
 */

const Email = z.email().describe('E-mail address; people are matched by it.')
const Capabilities = z
  .strictObject({
    read_content: z.boolean(),
    update_content: z.boolean(),
    insert_content: z.boolean(),
    read_comments: z.boolean(),
    insert_comments: z.boolean(),
    user_info: z.enum(['none', 'without_email', 'with_email']),
  })
  .partial()
  .describe("A connection's capabilities as Notion's Configuration tab lists them; absent ones take the default.")
const Id = z.uuid().describe('A fixed id (UUID); random when absent.')
const Key = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/)
  .describe('A name to refer to this node elsewhere in the file (shared_with) and in the load result.')
const Blocks = z
  .array(z.record(z.string(), z.unknown()))
  .describe('Block objects, as PATCH /v1/blocks/{id}/children takes them (children nest).')
const Icon = z.string().min(1).describe('An emoji.')

export const FixturePerson = z.strictObject({
  name: z.string().min(1),
  email: Email,
  role: z.enum(['owner', 'membership_admin', 'member', 'restricted_member', 'guest']).default('member'),
  password: z.string().min(8).optional().describe('Portal sign-in password (stored as an argon2id hash).'),
})

export interface FixturePage {
  type?: 'page' | undefined
  key?: string | undefined
  id?: string | undefined
  title: string
  icon?: string | undefined
  content?: Record<string, unknown>[] | undefined
  children?: FixtureNode[] | undefined
}
export interface FixtureDatabase {
  type: 'database'
  key?: string | undefined
  id?: string | undefined
  title: string
  icon?: string | undefined
  is_inline?: boolean | undefined
  properties?: Record<string, Record<string, unknown>> | undefined
  rows?:
    | {
        key?: string | undefined
        id?: string | undefined
        properties: Record<string, unknown>
        content?: Record<string, unknown>[] | undefined
      }[]
    | undefined
}
export type FixtureNode = FixturePage | FixtureDatabase

const Row = z.strictObject({
  key: Key.optional(),
  id: Id.optional(),
  properties: z.record(z.string(), z.unknown()).describe('Property values as POST /v1/pages takes them, by property name.'),
  content: Blocks.optional(),
})

export const FixtureDatabaseSchema: z.ZodType<FixtureDatabase> = z.strictObject({
  type: z.literal('database'),
  key: Key.optional(),
  id: Id.optional(),
  title: z.string(),
  icon: Icon.optional(),
  is_inline: z.boolean().optional(),
  properties: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .optional()
    .describe('The schema, as initial_data_source.properties of POST /v1/databases (relations and rollups are not supported yet).'),
  rows: z.array(Row).optional(),
})

export const FixtureNodeSchema: z.ZodType<FixtureNode> = z.lazy(() => z.union([FixturePageSchema, FixtureDatabaseSchema]))

export const FixturePageSchema: z.ZodType<FixturePage> = z.strictObject({
  type: z.literal('page').optional(),
  key: Key.optional(),
  id: Id.optional(),
  title: z.string(),
  icon: Icon.optional(),
  content: Blocks.optional(),
  get children() {
    return z.array(FixtureNodeSchema).optional()
  },
})

export const FixtureConnection = z.strictObject({
  name: z.string().min(1),
  capabilities: Capabilities.optional(),
  token: z.string().optional().describe('A fixed ntn_1… token (see `octavo fixture token`); a fresh one when absent.'),
  created_by: Email.optional().describe('An owner (default: the first owner).'),
  shared_with: z.array(z.string()).optional().describe('Keys (or titles) of pages and databases shared with the connection.'),
})

export const FixturePat = z.strictObject({
  name: z.string().min(1),
  owner: Email.describe("The creator; the PAT acts with this person's access."),
  token: z.string().optional().describe('A fixed ntn_2… token; a fresh one when absent.'),
  expires_in_days: z.union([z.literal(7), z.literal(30), z.literal(90), z.literal(180), z.literal(365)]).optional(),
})

export const FixturePublicConnection = z.strictObject({
  name: z.string().min(1),
  redirect_uris: z.array(z.string()).min(1),
  capabilities: Capabilities.optional(),
  created_by: Email.optional(),
})

export const FixtureWorkspace = z.strictObject({
  name: z.string().min(1),
  plan: z.enum(['free', 'plus', 'business', 'enterprise']).default('free'),
  people: z.array(FixturePerson).min(1).describe('At least one owner.'),
  pages: z
    .array(FixtureNodeSchema)
    .optional()
    .describe('Top-level pages and databases (the workspace section), created by the first owner.'),
  connections: z.array(FixtureConnection).optional(),
  personal_access_tokens: z.array(FixturePat).optional(),
  public_connections: z.array(FixturePublicConnection).optional(),
})

export const Fixture = z
  .strictObject({
    $schema: z.string().optional(),
    workspaces: z.array(FixtureWorkspace).min(1),
  })
  .describe('An Octavo fixture: the state to load into an emulator (docs/testing.md).')

export type FixtureInput = z.input<typeof Fixture>
export type FixtureData = z.output<typeof Fixture>

/** The fixture's JSON Schema (draft 2020-12), as published in docs/fixture.schema.json. */
export function fixtureJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(Fixture, { target: 'draft-2020-12', io: 'input' }),
    $id: 'https://github.com/octavo-dev/octavo/blob/main/docs/fixture.schema.json',
    title: 'Octavo fixture',
  }
}
