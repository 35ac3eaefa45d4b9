/**
 * An answer object already serialized (issue 16): the text `JSON.stringify` would write for it, byte
 * for byte, but without its closing brace, so that the router can append the `request_id` member
 * every `/v1` object answer ends with (api/router.ts). A handler returns one when building the text
 * directly is cheaper than building objects and serializing them: 2026-12-01's title-only lists of
 * 100 rows (api/data-sources/data-sources.service.ts, api/pages/pages.presenter.ts
 * `presentTitleOnlyPageText`). Only for answers that hold no file marker and no custom emoji: the
 * router neither signs nor refreshes anything in it.
 */
export class JsonText {
  /** @param open the object's JSON text without its final `}` (it holds at least one member). */
  constructor(readonly open: string) {}

  /**
   * The whole answer: `open`, the `request_id` member last, and the closing brace, as
   * `JSON.stringify({...answer, request_id})` writes it (no member when `requestId` is undefined).
   */
  withRequestId(requestId: string | undefined): string {
    return requestId === undefined ? `${this.open}}` : `${this.open},"request_id":${JSON.stringify(requestId)}}`
  }
}
