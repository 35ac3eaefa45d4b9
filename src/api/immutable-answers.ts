/**
 * Answers that never change once built (issue 19, docs/adr/0044-row-cache.md): the page presenter's
 * memo of plain pages hands the same object to every request until the row cache drops its row, and
 * nothing in it is ever changed (no file to sign, no custom emoji to refresh). Their JSON text is built
 * once and kept as long as the object; the router adds each request's `request_id` to the text.
 */
const texts = new WeakMap<object, string>()

/** Marks `answer` (a JSON object, deeply unchanging from now on) so the router serializes it once; returns it. */
export function markImmutable<T extends object>(answer: T): T {
  texts.set(answer, '')
  return answer
}

/**
 * `JSON.stringify({ ...answer, request_id: requestId })` for an answer `markImmutable` vouched for, from
 * its text built once; undefined for any other value.
 */
export function immutableJson(answer: unknown, requestId: string): string | undefined {
  if (answer === null || typeof answer !== 'object') return undefined
  let text = texts.get(answer)
  if (text === undefined) return undefined
  if (text === '') {
    text = JSON.stringify(answer)
    texts.set(answer, text)
  }
  // `request_id` last, as the spread puts a new key; `{}` has no member to follow.
  return `${text.length > 2 ? `${text.slice(0, -1)},` : '{'}"request_id":${JSON.stringify(requestId)}}`
}
