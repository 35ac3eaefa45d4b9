/**
 * The row both data-source benchmarks create (bench/data-sources.ts's "create" workload and
 * bench/create-statements.ts's statement timing): one value for each property type of the
 * generated data source, so the two measure the same write.
 */
export function benchRowProperties(): Record<string, unknown> {
  return {
    Name: { title: [{ text: { content: 'Created by the benchmark' } }] },
    Notes: { rich_text: [{ text: { content: 'some notes' } }] },
    Score: { number: 42 },
    Stage: { select: { name: 'Stage 3' } },
    Tags: { multi_select: [{ name: 'red' }, { name: 'blue' }] },
    Due: { date: { start: '2024-05-01' } },
    Done: { checkbox: true },
    Link: { url: 'https://example.com/new' },
  }
}
