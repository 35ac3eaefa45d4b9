import { JsonText } from '../http/json-text.js'

/**
 * Answers that never change once built (issue 19, docs/adr/0044-row-cache.md): the page presenter's
 * memo of plain pages hands the same object to every request until the row cache drops its row, and
 * nothing in it is ever changed (no file to sign, no custom emoji to refresh). Their JSON text is built
 * once, as a `JsonText` (http/json-text.ts), and kept as long as the object; the router adds each
 * request's `request_id` to it.
 */
const texts = new WeakMap<object, JsonText | null>()

/**
 * Marks `answer` (a JSON object with at least one member, deeply unchanging from now on, holding no
 * file marker and no custom emoji) so the router serializes it once; returns it.
 */
export function markImmutable<T extends object>(answer: T): T {
  texts.set(answer, null)
  return answer
}

/** The `JsonText` of an answer `markImmutable` vouched for (built at the first call); undefined for any other value. */
export function immutableText(answer: unknown): JsonText | undefined {
  if (answer === null || typeof answer !== 'object') return undefined
  let text = texts.get(answer)
  if (text === undefined) return undefined
  if (text === null) {
    text = answerText(answer, { kept: true })
    if (!text) return undefined
    texts.set(answer, text)
  }
  return text
}

/**
 * The `JsonText` of an answer object holding no file marker and no custom emoji, built now and kept by
 * no one but the caller (unlike `immutableText`, whose texts live as long as their answers in a
 * `WeakMap`, which lets go of them only at a full collection). With `opts.kept` the caller keeps it for
 * later requests, and a long text is held as bytes (`JsonText.kept`, ADR 47). Undefined for `{}`, which
 * has no member for `request_id` to follow (the router's usual way answers it).
 */
export function answerText(answer: object, opts: { kept?: boolean } = {}): JsonText | undefined {
  const json = JSON.stringify(answer)
  if (json.length <= 2) return undefined
  return opts.kept ? JsonText.kept(json.slice(0, -1)) : JsonText.of(json.slice(0, -1))
}
