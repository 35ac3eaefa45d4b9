import { Client, LogLevel } from '@notionhq/client'

const rt = (content: string) => [{ type: 'text' as const, text: { content } }]

/**
 * Builds through the official SDK (Notion-Version 2025-09-03) the data source of bench/title-only.ts
 * (issue 16) under the page `rootId`, which `token`'s connection can reach on the server at `url`:
 * "Items" (50 rows: title, number) and "Orders" (100 rows: title "Order i", number, a relation to 5
 * items, a formula over the number, a rollup (sum) over the relation and a formula over the rollup).
 * Returns the id of the "Orders" data source.
 */
export async function buildTitleOnlyStore(url: string, token: string, rootId: string): Promise<string> {
  const notion = new Client({
    auth: token,
    baseUrl: url,
    retry: false,
    logLevel: LogLevel.ERROR,
    logger: () => {},
    notionVersion: '2025-09-03',
  })
  const target = (await notion.databases.create({
    parent: { type: 'page_id', page_id: rootId },
    title: rt('Items'),
    initial_data_source: { properties: { Name: { title: {} }, Amount: { number: {} } } },
  })) as unknown as { data_sources: { id: string }[] }
  const targetDs = (target.data_sources[0] as { id: string }).id
  const items: string[] = []
  for (let i = 0; i < 50; i++) {
    items.push(
      (
        await notion.pages.create({
          parent: { data_source_id: targetDs },
          properties: { Name: { title: rt(`Item ${i}`) }, Amount: { number: i } } as never,
        })
      ).id,
    )
  }
  const main = (await notion.databases.create({
    parent: { type: 'page_id', page_id: rootId },
    title: rt('Orders'),
    initial_data_source: {
      properties: {
        Name: { title: {} },
        Qty: { number: {} },
        Items: { relation: { data_source_id: targetDs, single_property: {} } },
        Double: { formula: { expression: 'prop("Qty") * 2 + length(prop("Name"))' } },
      } as never,
    },
  })) as unknown as { data_sources: { id: string }[] }
  const mainDs = (main.data_sources[0] as { id: string }).id
  await notion.dataSources.update({
    data_source_id: mainDs,
    properties: { Total: { rollup: { relation_property_name: 'Items', rollup_property_name: 'Amount', function: 'sum' } } } as never,
  })
  await notion.dataSources.update({
    data_source_id: mainDs,
    properties: { Score: { formula: { expression: 'prop("Total") / (prop("Qty") + 1)' } } } as never,
  })
  for (let i = 0; i < 100; i++) {
    await notion.pages.create({
      parent: { data_source_id: mainDs },
      properties: {
        Name: { title: rt(`Order ${i}`) },
        Qty: { number: i },
        Items: { relation: [0, 1, 2, 3, 4].map((k) => ({ id: items[(i + k * 7) % 50] as string })) },
      } as never,
    })
  }
  return mainDs
}
