import { describe, expect, it } from 'vitest'
import { Faults, FaultRuleInput, parseFaultRules, pathPattern } from './faults.js'
import { Journal } from './journal.js'
import { redactBody } from './redact.js'

const req = { endpoint: 'pages.retrieve', method: 'GET', path: '/v1/pages/abc', callerId: 'c1', callerName: 'Sync', workspaceId: 'w1' }

describe('fault rules', () => {
  it.each([
    ['/v1/pages/*', '/v1/pages/abc', true],
    ['/v1/pages/*', '/v1/pages/abc/properties/x', false],
    ['/v1/blocks/**', '/v1/blocks/a/children', true],
    ['/v1/pages/a*', '/v1/pages/abc', true],
    ['/v1/pages/x.y', '/v1/pages/xzy', false],
  ])('path %s vs %s → %s', (pattern, path, expected) => {
    expect(pathPattern(pattern).test(path)).toBe(expected)
  })

  it('matches on every given field; times spends and removes the rule; latency then error', () => {
    const f = new Faults()
    f.add(FaultRuleInput.parse({ endpoint: 'pages.retrieve', caller: 'sync', latency: { ms: 5 } }))
    f.add(FaultRuleInput.parse({ id: 'x', workspace: 'w2', error: 'bad_gateway' }))
    f.add(FaultRuleInput.parse({ id: 'once', method: 'get', times: 1, error: 'rate_limited' }))
    expect(f.match(req).map((a) => a.type)).toEqual(['latency', 'error'])
    expect(f.match(req).map((a) => a.type)).toEqual(['latency'])
    expect(f.list().map((r) => r.id)).toEqual(['fault_1', 'x'])
    expect(f.match({ ...req, callerName: 'Other', callerId: 'c2' })).toEqual([])
  })

  it('seeded probability repeats', () => {
    const run = () => {
      const f = new Faults()
      f.add(FaultRuleInput.parse({ probability: 0.3, seed: 7, drop: true }))
      return Array.from({ length: 30 }, () => f.match(req).length)
    }
    expect(run()).toEqual(run())
    expect(run()).toContain(1)
    expect(run()).toContain(0)
  })

  it('refuses rules without exactly one action, and bad configuration text', () => {
    expect(FaultRuleInput.safeParse({}).success).toBe(false)
    expect(FaultRuleInput.safeParse({ error: 'internal_server_error', drop: true }).success).toBe(false)
    expect(FaultRuleInput.safeParse({ error: 'internal_server_error', retry_after: 3 }).success).toBe(false)
    expect(() => parseFaultRules('{}')).toThrow('expected a JSON array')
    expect(() => parseFaultRules('[{"error":"nope"}]')).toThrow(/rule 0: error/)
  })
})

describe('journal ring buffer', () => {
  const entry = (ws: string | null, status = 200) => ({
    id: 0,
    time: '2026-01-01T00:00:00.000Z',
    request_id: 'r',
    workspace_id: ws,
    caller: null,
    endpoint: null,
    method: 'GET',
    path: '/v1/users/me',
    status,
    error_code: null,
    explanation: null,
    fault: null,
    duration_ms: 1,
  })

  it('keeps the last N per workspace, and at most maxWorkspaces buffers', () => {
    const j = new Journal({ size: 3, bodies: false, maxWorkspaces: 2 })
    for (let i = 0; i < 5; i++) j.record(entry('a', 200 + i))
    expect(j.list({ workspace: 'a' }).map((e) => e.status)).toEqual([202, 203, 204])
    j.record(entry('b'))
    j.record(entry(null))
    expect(j.list({ workspace: 'a' })).toEqual([])
    expect(j.list().length).toBe(2)
    expect(j.list({ after: j.list().at(-1)!.id })).toEqual([])
  })

  it('size 0 records nothing', () => {
    const j = new Journal({ size: 0, bodies: false })
    j.record(entry('a'))
    expect(j.list()).toEqual([])
  })
})

describe('body redaction', () => {
  it.each([
    ['{"access_token":"abc","token_type":"bearer"}', { access_token: '[redacted]', token_type: 'bearer' }],
    [
      '{"client_secret":"s","password":"p","new_password":"q"}',
      { client_secret: '[redacted]', password: '[redacted]', new_password: '[redacted]' },
    ],
    ['{"file":{"url":"https://x/y?sig=1","expiry_time":"t"}}', { file: { url: '[redacted]', expiry_time: 't' } }],
    ['{"upload_url":"https://x/u"}', { upload_url: '[redacted]' }],
    ['{"text":"use ntn_1234567890abcdefghij now"}', { text: 'use [redacted] now' }],
    ['{"code":{"language":"js"}}', { code: { language: 'js' } }],
    ['{"url":"https://notion.so/page"}', { url: 'https://notion.so/page' }],
  ])('%s', (text, expected) => {
    expect(redactBody(text)).toEqual(expected)
  })

  it('bounds size', () => {
    expect(redactBody('x'.repeat(100), 10)).toEqual({ truncated: 100 })
    expect(redactBody('')).toBeUndefined()
  })
})
