import { describe, expect, it } from 'vitest'
import { urlOf } from '../../src/api/pages/pages.presenter.js'

/**
 * A page's `url` slug (api/pages/pages.presenter.ts `urlOf`): ASCII titles take a shortcut past the
 * Unicode letter and digit tables, and must give the slug those tables give.
 */
function reference(publicUrl: string, id: string, title: string): string {
  const slug = title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
  return `${publicUrl}/${slug ? `${slug}-` : ''}${id.replace(/-/g, '')}`
}

describe('page url slugs', () => {
  const id = '0f3c7a52-9d1e-4b8a-8f0e-1c2d3e4f5a6b'
  const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join('')
  const titles = [
    '',
    'Order 42',
    '  --Hello,   World!--  ',
    ascii,
    ascii.split('').reverse().join(''),
    'x'.repeat(80),
    `${'word '.repeat(15)}end`,
    'Crème brûlée — 2 × 3',
    '日本語のタイトル ٣٤ Ⅻ',
    'emoji 🎉 party',
    'tab\tand\nnewline_underscore',
  ]
  it.each(titles)('%j', (title) => {
    expect(urlOf('https://octavo.test', id, title)).toBe(reference('https://octavo.test', id, title))
  })
})
