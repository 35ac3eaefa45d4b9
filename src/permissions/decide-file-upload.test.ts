import { describe, expect, it } from 'vitest'
import { decideAttach, decideComplete, decideSend, effectiveStatus, type UploadState } from './decide-file-upload.js'

const NOW = '2026-01-01T12:00:00.000Z'
const LATER = '2026-01-01T13:00:00.000Z'
const EARLIER = '2026-01-01T11:00:00.000Z'
const u = (over: Partial<UploadState> = {}): UploadState => ({
  id: 'u1',
  mode: 'single_part',
  status: 'pending',
  expiryTime: LATER,
  attached: false,
  contentType: 'image/png',
  ...over,
})

describe('effectiveStatus', () => {
  it.each([
    [u(), 'pending'],
    [u({ expiryTime: EARLIER }), 'expired'],
    [u({ expiryTime: NOW }), 'expired'],
    [u({ status: 'uploaded', expiryTime: EARLIER }), 'expired'],
    [u({ status: 'uploaded', expiryTime: null, attached: true }), 'uploaded'],
    [u({ status: 'failed', expiryTime: EARLIER }), 'failed'],
  ] as const)('%o → %s', (state, expected) => {
    expect(effectiveStatus(state, NOW)).toBe(expected)
  })
})

describe('decideSend', () => {
  it.each([
    [u(), 'allow'],
    [u({ mode: 'multi_part' }), 'allow'],
    [u({ mode: 'external_url' }), 'external'],
    [u({ expiryTime: EARLIER }), 'expired'],
    [u({ status: 'uploaded' }), 'not_pending'],
    [u({ status: 'failed' }), 'not_pending'],
  ] as const)('%o → %s', (state, expected) => {
    const d = decideSend(state, NOW)
    expect(d.type === 'allow' ? 'allow' : d.reason).toBe(expected)
  })
})

describe('decideComplete', () => {
  it.each([
    [u({ mode: 'multi_part' }), 'allow'],
    [u(), 'not_multi_part'],
    [u({ mode: 'external_url' }), 'not_multi_part'],
    [u({ mode: 'multi_part', expiryTime: EARLIER }), 'expired'],
    [u({ mode: 'multi_part', status: 'uploaded' }), 'not_pending'],
  ] as const)('%o → %s', (state, expected) => {
    const d = decideComplete(state, NOW)
    expect(d.type === 'allow' ? 'allow' : d.reason).toBe(expected)
  })
})

describe('decideAttach', () => {
  const up = (over: Partial<UploadState> = {}) => u({ status: 'uploaded', ...over })
  it.each([
    [up(), 'image', 'allow'],
    [up(), 'icon', 'allow'],
    [up(), 'cover', 'allow'],
    [up(), 'file', 'allow'],
    [up(), 'files_property', 'allow'],
    [up(), 'comment', 'allow'],
    [up(), 'video', 'wrong_type'],
    [up({ contentType: 'application/pdf' }), 'pdf', 'allow'],
    [up({ contentType: 'application/pdf' }), 'icon', 'wrong_type'],
    [up({ contentType: 'text/plain' }), 'video', 'wrong_type'],
    [up({ contentType: 'video/mp4' }), 'video', 'allow'],
    [up({ contentType: 'audio/mpeg' }), 'audio', 'allow'],
    [up({ attached: true, expiryTime: null }), 'image', 'attached'],
    [up({ expiryTime: EARLIER }), 'image', 'expired'],
    [u(), 'image', 'not_uploaded'],
    [u({ status: 'failed' }), 'image', 'failed'],
  ] as const)('%o to %s → %s', (state, target, expected) => {
    const d = decideAttach(state, target, NOW)
    expect(d.type === 'allow' ? 'allow' : d.reason).toBe(expected)
  })
})
