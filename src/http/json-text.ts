/**
 * An answer object already serialized (issue 16): the text `JSON.stringify` would write for it, byte
 * for byte, but without its closing brace, so that the router can append the `request_id` member
 * every `/v1` object answer ends with (api/router.ts). A handler returns one when building the text
 * directly is cheaper than building objects and serializing them: 2026-12-01's title-only lists of
 * 100 rows (api/data-sources/data-sources.service.ts, api/pages/pages.presenter.ts
 * `presentTitleOnlyPageText`). Only for answers that hold no file marker and no custom emoji: the
 * router neither signs nor refreshes anything in it.
 *
 * A text kept across requests (`JsonText.kept`) and at least `KEPT_AS_BYTES_FROM` characters long
 * holds its UTF-8 bytes instead of the string (ADR 47). Each answer from a string is a new string of
 * the whole body on the V8 heap (the request id appended, then the HTTP head prepended by `node:http`),
 * and at a thousand 77 KB pages of children a second that garbage let the heap grow to four times what
 * was live; an answer from bytes is one copy outside the heap, which `node:http` writes as it is.
 */
export class JsonText {
  private constructor(
    private readonly text: string | undefined,
    private readonly bytes: Buffer | undefined,
  ) {}

  /** @param open the object's JSON text without its final `}` (it holds at least one member). */
  static of(open: string): JsonText {
    return new JsonText(open, undefined)
  }

  /**
   * Like `of`, for a text that will answer many requests (a page of children kept with its parent's
   * row): from `KEPT_AS_BYTES_FROM` characters on it is held as UTF-8 bytes (see the module comment).
   */
  static kept(open: string): JsonText {
    return open.length < KEPT_AS_BYTES_FROM ? new JsonText(open, undefined) : new JsonText(undefined, Buffer.from(open, 'utf8'))
  }

  /** Size of what is held: characters of text, or bytes (for budgets of kept texts). */
  get size(): number {
    return this.bytes ? this.bytes.length : (this.text as string).length
  }

  /**
   * The whole answer: the text, the `request_id` member last, and the closing brace, as
   * `JSON.stringify({...answer, request_id})` writes it (no member when `requestId` is undefined);
   * a string, or a new `Buffer` of its UTF-8 bytes for a text held as bytes.
   */
  withRequestId(requestId: string | undefined): string | Buffer<ArrayBuffer> {
    const tail = requestId === undefined ? '}' : `,"request_id":${JSON.stringify(requestId)}}`
    if (!this.bytes) return `${this.text as string}${tail}`
    const out = Buffer.allocUnsafe(this.bytes.length + Buffer.byteLength(tail))
    this.bytes.copy(out, 0)
    out.write(tail, this.bytes.length, 'utf8')
    return out
  }
}

/**
 * Characters from which a kept text is held as bytes (16 Ki): below it, the copies of a string answer
 * are small young-generation garbage, and a `Buffer` costs more to make than it saves.
 */
export const KEPT_AS_BYTES_FROM = 16 * 1024
