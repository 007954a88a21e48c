import assert from 'node:assert/strict'
import type { MemberInfo } from '../../../src/forum/memberInfo.js'
import { EXPIRY_WARNING_MS, ownMembership } from '../../../src/forum/ownMembership.js'

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.parse('2026-06-01T00:00:00Z')
const US = 'aa'.repeat(32)

function credential (o: Partial<MemberInfo> & { untilMs?: number, issuedMs?: number } = {}): MemberInfo {
  const { untilMs = NOW + 365 * DAY, issuedMs = NOW - DAY, ...rest } = o
  return {
    publisher: US,
    organisation: 'Us',
    roles: ['publish', 'consume'],
    validFrom: new Date(NOW - 30 * DAY).toISOString(),
    validUntil: new Date(untilMs).toISOString(),
    serial: 1,
    root: 'bb'.repeat(32),
    status: 'active',
    recordId: 'cc'.repeat(32),
    issuedAt: new Date(issuedMs).toISOString(),
    ...rest
  }
}

describe('forum: this node\'s own membership', () => {
  it('none when no credential names the key', () => {
    assert.deepEqual(ownMembership([credential({ publisher: 'dd'.repeat(32) })], US, NOW), { admitted: false, status: 'none', expiresSoon: false })
  })

  it('the active credential that lasts longest, with its organisation, roles and end', () => {
    const own = ownMembership([
      credential({ serial: 1, status: 'expired', untilMs: NOW - DAY }),
      credential({ serial: 2, untilMs: NOW + 20 * DAY }),
      credential({ serial: 3, organisation: 'Us Ltd', untilMs: NOW + 400 * DAY })
    ], US, NOW)
    assert.deepEqual(own, {
      admitted: true,
      status: 'active',
      organisation: 'Us Ltd',
      roles: ['publish', 'consume'],
      validUntil: new Date(NOW + 400 * DAY).toISOString(),
      expiresSoon: false
    })
  })

  it('expires soon within 14 days of its end, not before', () => {
    assert.equal(ownMembership([credential({ untilMs: NOW + EXPIRY_WARNING_MS - 1 })], US, NOW).expiresSoon, true)
    assert.equal(ownMembership([credential({ untilMs: NOW + EXPIRY_WARNING_MS })], US, NOW).expiresSoon, false)
  })

  it('not admitted when the newest credential is revoked or expired: it says which', () => {
    const own = ownMembership([
      credential({ status: 'expired', untilMs: NOW - 2 * DAY, issuedMs: NOW - 90 * DAY }),
      credential({ status: 'revoked', issuedMs: NOW - 10 * DAY })
    ], US, NOW)
    assert.deepEqual([own.admitted, own.status, own.expiresSoon], [false, 'revoked', false])
  })
})
