import { APIErrorCode, APIResponseError } from '@notionhq/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConnection } from '../support/factories.js'
import { apiError, seedBasic, startTestServer, type TestServer } from '../support/harness.js'

describe('rate limits over HTTP', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: { enabled: true, connectionPerMinute: 5, workspacePerMinute: 8 } })
  })
  afterAll(async () => server.stop())

  it('answers 429 rate_limited with Retry-After and the reason once a connection spends its budget', async () => {
    const s = await seedBasic(server)
    const notion = server.client(s.token)
    for (let i = 0; i < 5; i++) await notion.users.me({})
    const err = await apiError(notion.users.me({}))
    expect(err).toBeInstanceOf(APIResponseError)
    expect(err.code).toBe(APIErrorCode.RateLimited)
    expect(err.status).toBe(429)
    expect(err.message).toBe('You have been rate limited. Please try again in a few minutes.')
    expect(Number((err.headers as Headers).get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number((err.headers as Headers).get('retry-after'))).toBeLessThanOrEqual(60)
    expect(err.additional_data).toMatchObject({ rate_limit_reason: 'public_api_request_rate_limit' })
  })

  it('shares a per-workspace budget across connections', async () => {
    const s = await seedBasic(server)
    const second = await buildConnection(server, s, 'Second')
    for (let i = 0; i < 5; i++) await server.client(s.token).users.me({})
    for (let i = 0; i < 3; i++) await server.client(second.token).users.me({})
    const err = await apiError(server.client(second.token).users.me({}))
    expect(err.code).toBe(APIErrorCode.RateLimited)
    expect(err.additional_data).toMatchObject({ rate_limit_reason: 'public_api_space_request_rate_limit' })
  })

  it('does not spend budget on requests that fail authentication', async () => {
    const s = await seedBasic(server)
    for (let i = 0; i < 20; i++) await server.raw('/v1/users/me', { token: 'ntn_junk' })
    expect((await server.raw('/v1/users/me', { token: s.token })).status).toBe(200)
  })
})
