import { newId } from '../domain/ids.js'
import type { Schema } from '../domain/properties.js'
import type { RichTextItem } from '../domain/rich-text.js'
import type { DataSourceRow } from '../storage/repositories/data-sources.repository.js'
import type { BlockRow } from '../storage/repositories/blocks.repository.js'
import type { Db } from '../storage/store.js'
import { createNode } from './tree.service.js'

/**
 * Creates a database (a `child_database` node in the page tree) with its first data source.
 * Shared by `POST /v1/databases` and the demo seed. `schema` must already be normalised
 * (property ids assigned, exactly one title property).
 */
export async function createDatabase(
  db: Db,
  input: {
    workspaceId: string
    parent: { type: 'workspace' } | { type: 'page_id'; id: string }
    title: RichTextItem[]
    description?: RichTextItem[]
    isInline?: boolean
    icon?: Record<string, unknown> | null
    cover?: Record<string, unknown> | null
    schema: Schema
    actor: string
    time: string
  },
): Promise<{ database: BlockRow; dataSource: DataSourceRow }> {
  const database = await createNode(db, {
    workspaceId: input.workspaceId,
    parent: input.parent,
    kind: 'database',
    title: input.title,
    properties: { title: input.title, description: input.description ?? [] },
    icon: input.icon ?? null,
    cover: input.cover ?? null,
    isInline: input.isInline ?? false,
    actor: input.actor,
    time: input.time,
  })
  const dataSource: DataSourceRow = {
    id: newId(),
    workspace_id: input.workspaceId,
    database_id: database.id,
    title: JSON.stringify(input.title),
    description: JSON.stringify(input.description ?? []),
    properties: JSON.stringify(input.schema),
    icon: input.icon ? JSON.stringify(input.icon) : null,
    created_time: input.time,
    created_by: input.actor,
    last_edited_time: input.time,
    last_edited_by: input.actor,
    in_trash: 0,
  }
  await db.insertInto('data_source').values(dataSource).execute()
  return { database, dataSource }
}
