import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecrets } from '../../src/auth/secrets.js'
import { generateToken, isWellFormedToken, tokenKind } from '../../src/auth/token-format.js'
import { createLogger } from '../../src/logger.js'
import { refreshToken, revealToken } from '../../src/services/connections.service.js'
import { seedBasic, startTestServer, type TestServer } from '../support/harness.js'

/** The public scanner rules for Notion tokens (gitleaks `notion-api-token`, trufflehog notion/v2). */
const SCANNER = /\bntn_[0-9]{11}[A-Za-z0-9]{32}[A-Za-z0-9]{3}\b/

describe('token format', () => {
  it("matches the secret scanners' Notion rule and carries a valid checksum", () => {
    for (let i = 0; i < 200; i++) {
      const t = generateToken('internal')
      expect(t).toHaveLength(50)
      expect(t).toMatch(SCANNER)
      expect(isWellFormedToken(t)).toBe(true)
      expect(tokenKind(t)).toBe('internal')
    }
  })

  it('gives personal access tokens the same scanner-visible shape, with kind digit 2', () => {
    for (let i = 0; i < 200; i++) {
      const t = generateToken('personal')
      expect(t).toHaveLength(50)
      expect(t).toMatch(SCANNER)
      expect(t.startsWith('ntn_2')).toBe(true)
      expect(isWellFormedToken(t)).toBe(true)
      expect(tokenKind(t)).toBe('personal')
    }
  })

  it('rejects any single-character change through the checksum', () => {
    const t = generateToken('internal')
    for (let i = 4; i < t.length; i++) {
      const c = t[i] === 'a' ? 'b' : t[i] === '1' ? '2' : /[0-9]/.test(t[i] as string) ? '1' : 'a'
      const mutated = t.slice(0, i) + c + t.slice(i + 1)
      expect(isWellFormedToken(mutated), `position ${i}`).toBe(false)
    }
  })

  it('binds sealed secrets to their context', () => {
    const secrets = createSecrets(Buffer.alloc(32, 7))
    const sealed = secrets.encrypt('ntn_secret', 'token-1|ws-1')
    expect(secrets.decrypt(sealed, 'token-1|ws-1')).toBe('ntn_secret')
    expect(() => secrets.decrypt(sealed, 'token-2|ws-1')).toThrow()
    expect(sealed).not.toContain('ntn_secret')
  })
})

describe('tokens at rest and in logs', () => {
  let server: TestServer
  let logs = ''
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs += String(chunk)
        cb()
      },
    })
    server = await startTestServer({ logger: createLogger('debug', sink) })
  })
  afterAll(async () => server.stop())

  it('stores neither the token nor its secret in plain text, and never logs them', async () => {
    const s = await seedBasic(server)
    await s.share(s.pages.root.id)
    const notion = server.client(s.token)
    await notion.users.me({})
    await notion.pages.retrieve({ page_id: s.pages.root.id })
    await notion.pages.retrieve({ page_id: s.pages.secret.id }).catch(() => undefined)
    const revealed = await revealToken(server.deps, s.connection.id, s.owner.id)
    expect(revealed).toBe(s.token)
    const fresh = await refreshToken(server.deps, s.connection.id, s.owner.id)
    await server.client(fresh).users.me({})
    await server.raw('/v1/users/me', { token: s.token })

    const rows = await server.deps.store.db.selectFrom('token').selectAll().execute()
    const dump = JSON.stringify(rows)
    expect(dump).not.toContain(s.token)
    expect(dump).not.toContain(fresh)
    // The raw database files hold no token either.
    for (const f of readdirSync(server.dataDir)) {
      const bytes = readFileSync(join(server.dataDir, f)).toString('latin1')
      expect(bytes.includes(s.token), f).toBe(false)
      expect(bytes.includes(fresh), f).toBe(false)
    }
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).toContain('"path":"/v1/users/me"')
    expect(logs).not.toContain(s.token)
    expect(logs).not.toContain(fresh)
    expect(logs).not.toMatch(SCANNER)
    expect(logs).not.toContain(server.config.adminKey)
  })

  it('lets only owners reveal, refresh or manage a connection', async () => {
    const s = await seedBasic(server)
    for (const who of [s.member.id, s.guest.id]) {
      await expect(revealToken(server.deps, s.connection.id, who)).rejects.toThrow(/Only workspace owners/)
      await expect(refreshToken(server.deps, s.connection.id, who)).rejects.toThrow(/Only workspace owners/)
    }
  })
})
