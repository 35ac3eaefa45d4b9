import * as z from 'zod'
import { NotionId } from '../../domain/ids.js'
import { JsonObject } from '../../domain/validation.js'
import { BodyPageSize, QueryPageSize, StartCursor } from '../../http/pagination.js'

/**
 * Request shapes of `/v1/views` (SDK 5.26 `CreateViewRequest`, `UpdateViewRequest`,
 * `CreateViewQueryRequest`, `ListDatabaseViewsParameters`; docs/reference/notion-api-2026.md §4.3–4.5).
 * `filter`, `sorts` and `quick_filters` conditions are checked by the data-source query engine
 * (domain/query), not here, so their messages are the query's. Configuration property ids are
 * resolved against the data source's schema by the service.
 */

export const VIEW_TYPES = ['table', 'board', 'list', 'calendar', 'timeline', 'gallery', 'form', 'chart', 'map', 'dashboard'] as const
export type ViewType = (typeof VIEW_TYPES)[number]

const GroupSort = z.object({ type: z.enum(['manual', 'ascending', 'descending']) }).strict()
const groupCommon = { property_id: z.string().min(1), sort: GroupSort, hide_empty_groups: z.boolean().optional() }
const dateGroup = {
  group_by: z.enum(['relative', 'day', 'week', 'month', 'year']),
  start_day_of_week: z.union([z.literal(0), z.literal(1)]).optional(),
}
const textGroup = { group_by: z.enum(['exact', 'alphabet_prefix']) }
const numberGroup = { range_start: z.number().optional(), range_end: z.number().optional(), range_size: z.number().min(1).optional() }
const formulaSub = z.discriminatedUnion('type', [
  z.object({ type: z.literal('date'), ...dateGroup, sort: GroupSort }).strict(),
  z.object({ type: z.literal('text'), ...textGroup, sort: GroupSort }).strict(),
  z.object({ type: z.literal('number'), ...numberGroup, sort: GroupSort }).strict(),
  z.object({ type: z.literal('checkbox'), sort: GroupSort }).strict(),
])

/** A group-by (board `group_by`/`sub_group_by`, table `group_by`, chart axes): by the grouped property's type. */
export const GroupBy = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['select', 'multi_select']), ...groupCommon }).strict(),
  z.object({ type: z.literal('status'), group_by: z.enum(['group', 'option']), ...groupCommon }).strict(),
  z.object({ type: z.enum(['person', 'created_by', 'last_edited_by']), ...groupCommon }).strict(),
  z.object({ type: z.literal('relation'), ...groupCommon }).strict(),
  z.object({ type: z.enum(['date', 'created_time', 'last_edited_time']), ...dateGroup, ...groupCommon }).strict(),
  z.object({ type: z.enum(['text', 'title', 'url', 'email', 'phone_number']), ...textGroup, ...groupCommon }).strict(),
  z.object({ type: z.literal('number'), ...numberGroup, ...groupCommon }).strict(),
  z.object({ type: z.literal('checkbox'), ...groupCommon }).strict(),
  z.object({ type: z.literal('formula'), group_by: formulaSub, ...groupCommon }).strict(),
])

/** One entry of a view's `properties[]` (visibility, width, display options). */
export const ViewProperty = z
  .object({
    property_id: z.string().min(1),
    visible: z.boolean().optional(),
    width: z.number().int().min(1).optional(),
    wrap: z.boolean().optional(),
    status_show_as: z.enum(['select', 'checkbox']).optional(),
    card_property_width_mode: z.enum(['full_line', 'inline']).optional(),
    date_format: z.enum(['full', 'short', 'month_day_year', 'day_month_year', 'year_month_day', 'relative']).optional(),
    time_format: z.enum(['12_hour', '24_hour', 'hidden']).optional(),
  })
  .strict()
const Properties = z.array(ViewProperty).max(200)
const Cover = z
  .object({ type: z.enum(['page_cover', 'page_content', 'page_content_first', 'property']), property_id: z.string().min(1).optional() })
  .strict()
const cards = {
  cover: Cover.nullable().optional(),
  cover_size: z.enum(['small', 'medium', 'large']).nullable().optional(),
  cover_aspect: z.enum(['contain', 'cover']).nullable().optional(),
  card_layout: z.enum(['list', 'compact']).nullable().optional(),
}
const Aggregation = z
  .object({
    aggregator: z.enum([
      'count',
      'count_values',
      'sum',
      'average',
      'median',
      'min',
      'max',
      'range',
      'unique',
      'empty',
      'not_empty',
      'percent_empty',
      'percent_not_empty',
      'checked',
      'unchecked',
      'percent_checked',
      'percent_unchecked',
      'earliest_date',
      'latest_date',
      'date_range',
    ]),
    property_id: z.string().min(1).optional(),
  })
  .strict()
const ReferenceLine = z
  .object({
    value: z.number(),
    label: z.string().max(2000),
    color: z.enum(['gray', 'lightgray', 'brown', 'yellow', 'orange', 'green', 'blue', 'purple', 'pink', 'red']),
    dash_style: z.enum(['solid', 'dash']),
  })
  .strict()

/**
 * `configuration` by view type. Nullable fields accept `null` on update to clear them (shallow merge,
 * §4.4). Dashboards' `rows` are read-only: a dashboard configuration carries only its `type`.
 */
export const ViewConfiguration = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('table'),
      properties: Properties.optional(),
      group_by: GroupBy.nullable().optional(),
      subtasks: z
        .object({
          property_id: z.string().min(1).optional(),
          display_mode: z.enum(['show', 'hidden', 'flattened', 'disabled']).optional(),
          filter_scope: z.enum(['parents', 'parents_and_subitems', 'subitems']).optional(),
          toggle_column_id: z.string().min(1).optional(),
        })
        .strict()
        .nullable()
        .optional(),
      wrap_cells: z.boolean().optional(),
      frozen_column_index: z.number().int().min(0).optional(),
      show_vertical_lines: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('board'),
      group_by: GroupBy,
      sub_group_by: GroupBy.nullable().optional(),
      properties: Properties.optional(),
      ...cards,
    })
    .strict(),
  z.object({ type: z.literal('gallery'), properties: Properties.optional(), ...cards }).strict(),
  z.object({ type: z.literal('list'), properties: Properties.optional() }).strict(),
  z
    .object({
      type: z.literal('calendar'),
      date_property_id: z.string().min(1),
      properties: Properties.optional(),
      view_range: z.enum(['week', 'month']).optional(),
      show_weekends: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('timeline'),
      date_property_id: z.string().min(1),
      end_date_property_id: z.string().min(1).nullable().optional(),
      properties: Properties.optional(),
      show_table: z.boolean().optional(),
      table_properties: Properties.optional(),
      preference: z
        .object({
          zoom_level: z.enum(['hours', 'day', 'week', 'bi_week', 'month', 'quarter', 'year', '5_years']),
          center_timestamp: z.number().int().optional(),
        })
        .strict()
        .optional(),
      arrows_by: z
        .object({ property_id: z.string().min(1).nullable().optional() })
        .strict()
        .nullable()
        .optional(),
      color_by: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('map'),
      height: z.enum(['small', 'medium', 'large', 'extra_large']).optional(),
      map_by: z.string().min(1).optional(),
      properties: Properties.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('form'),
      is_form_closed: z.boolean().optional(),
      anonymous_submissions: z.boolean().optional(),
      submission_permissions: z.enum(['none', 'comment_only', 'reader', 'read_and_write', 'editor']).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('chart'),
      chart_type: z.enum(['column', 'bar', 'line', 'donut', 'number']),
      x_axis: GroupBy.nullable().optional(),
      y_axis: Aggregation.nullable().optional(),
      x_axis_property_id: z.string().min(1).optional(),
      y_axis_property_id: z.string().min(1).optional(),
      value: Aggregation.optional(),
      sort: z.enum(['manual', 'x_ascending', 'x_descending', 'y_ascending', 'y_descending']).optional(),
      color_theme: z.enum(['gray', 'blue', 'yellow', 'green', 'purple', 'teal', 'orange', 'pink', 'red', 'auto', 'colorful']).optional(),
      height: z.enum(['small', 'medium', 'large', 'extra_large']).optional(),
      hide_empty_groups: z.boolean().optional(),
      legend_position: z.enum(['off', 'bottom', 'side']).optional(),
      show_data_labels: z.boolean().optional(),
      axis_labels: z.enum(['none', 'x_axis', 'y_axis', 'both']).optional(),
      grid_lines: z.enum(['none', 'horizontal', 'vertical', 'both']).optional(),
      cumulative: z.boolean().optional(),
      smooth_line: z.boolean().optional(),
      hide_line_fill_area: z.boolean().optional(),
      group_style: z.enum(['normal', 'percent', 'side_by_side']).optional(),
      y_axis_min: z.number().nullable().optional(),
      y_axis_max: z.number().nullable().optional(),
      donut_labels: z.enum(['none', 'value', 'name', 'name_and_value']).optional(),
      hide_title: z.boolean().optional(),
      stack_by: GroupBy.nullable().optional(),
      reference_lines: z.array(ReferenceLine).max(20).nullable().optional(),
      caption: z.string().max(2000).nullable().optional(),
      color_by_value: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('dashboard') }).strict(),
])
export type ViewConfigurationInput = z.output<typeof ViewConfiguration>

const Name = z.string().min(1).max(2000)
/** A filter or sorts value: any JSON, checked by the query engine (domain/query). */
const QueryPart = z.unknown()
/** `quick_filters`: property name or id → a condition without `property` (or `{}`); checked by the query engine. */
const QuickFilters = JsonObject

/** `POST /v1/views` (SDK `CreateViewRequest`). Exactly one of `database_id`, `view_id`, `create_database`. */
export const CreateViewBody = z
  .object({
    data_source_id: NotionId,
    name: Name,
    type: z.enum(VIEW_TYPES),
    database_id: NotionId.optional(),
    view_id: NotionId.optional(),
    create_database: z
      .object({
        parent: z.object({ type: z.literal('page_id'), page_id: NotionId }).strict(),
        position: z
          .object({ type: z.literal('after_block'), block_id: NotionId })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    filter: QueryPart.optional(),
    sorts: QueryPart.optional(),
    quick_filters: QuickFilters.optional(),
    configuration: ViewConfiguration.optional(),
    position: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('start') }).strict(),
        z.object({ type: z.literal('end') }).strict(),
        z.object({ type: z.literal('after_view'), view_id: NotionId }).strict(),
      ])
      .optional(),
    placement: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('new_row'), row_index: z.number().int().min(0).optional() }).strict(),
        z.object({ type: z.literal('existing_row'), row_index: z.number().int().min(0) }).strict(),
      ])
      .optional(),
  })
  .strict()
export type CreateViewInput = z.output<typeof CreateViewBody>

/** `PATCH /v1/views/{id}` (SDK `UpdateViewRequest`): every field optional; `null` clears filter, sorts, quick filters. */
export const UpdateViewBody = z
  .object({
    name: Name.optional(),
    filter: QueryPart.optional(),
    sorts: QueryPart.optional(),
    quick_filters: QuickFilters.nullable().optional(),
    configuration: ViewConfiguration.optional(),
  })
  .strict()
export type UpdateViewInput = z.output<typeof UpdateViewBody>

/** `GET /v1/views` query: `database_id` and/or `data_source_id` (at least one), pagination. */
export const ListViewsQuery = z
  .object({
    database_id: NotionId.optional(),
    data_source_id: NotionId.optional(),
    start_cursor: StartCursor,
    page_size: QueryPageSize,
  })
  .strict()

/** `POST /v1/views/{id}/queries` body (SDK `CreateViewQueryRequest`). */
export const CreateViewQueryBody = z.object({ page_size: BodyPageSize }).strict()

/** `GET /v1/views/{id}/queries/{query_id}` query. */
export const ViewQueryResultsQuery = z.object({ start_cursor: StartCursor, page_size: QueryPageSize }).strict()
