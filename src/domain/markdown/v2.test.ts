import { describe, expect, it } from 'vitest'
import { v2Conflict } from './v2.js'

/** Which Markdown reads the same in v1 and v2 (docs/reference/notion-api-2026.md §2.5; docs/markdown.md "Markdown v2"). */
describe('v2Conflict', () => {
  it.each([
    ['# Title\n\nSome **bold** and *italic* and `<code>` and [l](https://x.y) $e$'],
    ['- one\n\t- nested\n- two\n\n1. first\n2. second\n\n- [x] done'],
    ['> quoted'],
    ['```js\n<div>\n{color="x"}\none\ntwo\n```'],
    ['$$\na\nb\n$$'],
    ['---\n\n![cap](https://x.y/a.png)'],
    ['| a | b |\n| - | - |\n| 1 | 2 |'],
    ['<page url="https://h/abc">P</page>\n\n<unknown url="https://h/abc" alt="toggle"/>'],
    ['text with \\<escaped> tag and <https://auto.link>'],
    [''],
  ])('coincides: %j', (md) => expect(v2Conflict(md)).toBeUndefined())

  it.each([
    ['<details>\n<summary>x</summary>\n</details>', '`<details>`'],
    ['Text {color="blue"}', 'braces'],
    ['# H {toggle="true"}', 'braces'],
    ['one\ntwo', 'line break inside a block'],
    ['- item\nlazy', 'line break inside a block'],
    ['> a\n> b', 'consecutive `>`'],
    ['Para\n\tchild', 'indented'],
    ['a <span underline="true">u</span>', '`<span>`'],
    ['a<br>b', '`<br>`'],
    ['<empty-block/>', '`<empty-block>`'],
    ['<callout icon="x">\n\tBody\n</callout>', '`<callout>`'],
    ['<mention-user url="user://1"/>', '`<mention-user>`'],
    ['line\\', 'trailing backslash'],
  ])('differs: %j', (md, what) => expect(v2Conflict(md)).toContain(what))
})
