import assert from 'node:assert/strict'
import { sha256 } from '@noble/hashes/sha2.js'
import { Membership, type MembershipOptions } from '../../../src/forum/membership.js'
import { toHex } from '../../../src/signals/hex.js'
import { Action, type BatchBody, type DecodedForumRecord } from '../../../src/wire/types.js'
import { randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { DAY, newMember, Root, rotation, T0 } from './forumFixtures.js'

type Kind = 'hash' | 'opinion' | 'mixed'

function body (publisher: Uint8Array, seq: number, createdAtMs: number, kind: Kind = 'hash'): BatchBody {
  const entries = kind === 'hash'
    ? randomEntries(2)
    : kind === 'opinion'
      ? randomEntries(2, 'sha256', { labels: [], action: Action.CONFIRM })
      : [...randomEntries(1), ...randomEntries(1, 'sha256', { labels: [], action: Action.DISPUTE })]
  return { publisher, seq, prev: new Uint8Array(seq === 1 ? 0 : 32), createdAtMs, network: TEST_NETWORK, entries }
}

function membership (roots: Root[], records: DecodedForumRecord[] = [], o: Partial<MembershipOptions> = {}): Membership {
  const m = new Membership({ roots: roots.map(r => r.hex), trusted: [], revokedEntries: 'keep', ...o })
  for (const r of records) assert.equal(m.add(r), true)
  return m
}

/** The refusal code, or 'ok'. */
function verdict (m: Membership, b: BatchBody): string {
  return m.check(b)?.code ?? 'ok'
}

describe('forum: Membership', function () {
  const root = new Root()
  const other = new Root()

  describe('credentials', function () {
    it('cover a batch created from valid_from (inclusive) to valid_until (exclusive)', function () {
      const alice = newMember()
      const m = membership([root], [root.credential(alice.publicKey, { validFromMs: T0, validUntilMs: T0 + DAY })])
      assert.equal(verdict(m, body(alice.publicKey, 1, T0)), 'ok')
      assert.equal(verdict(m, body(alice.publicKey, 1, T0 + DAY - 1)), 'ok')
      assert.equal(verdict(m, body(alice.publicKey, 1, T0 + DAY)), 'NO_CREDENTIAL')
      assert.equal(verdict(m, body(alice.publicKey, 1, T0 - 1)), 'NO_CREDENTIAL')
      assert.deepEqual(m.standing(alice.publicKey, 1, T0 + DAY, 'hash'), { status: 'no-credential', visible: false, organisation: 'Example Org' })
    })

    it('a key with no credential is untrusted, and isTrusted says so until one arrives', function () {
      const bob = newMember()
      const m = membership([root])
      assert.equal(m.isTrusted(bob.publicKey), false)
      assert.equal(verdict(m, body(bob.publicKey, 1, T0)), 'UNTRUSTED_PUBLISHER')
      assert.deepEqual(m.standing(bob.publicKey, 1, T0, 'hash'), { status: 'no-credential', visible: false })
      m.add(root.credential(bob.publicKey))
      assert.equal(m.isTrusted(bob.publicKey), true)
      assert.equal(verdict(m, body(bob.publicKey, 1, T0)), 'ok')
    })

    it('counts only records signed by a configured root', function () {
      const carol = newMember()
      const m = membership([root])
      assert.equal(m.add(other.credential(carol.publicKey)), false)
      assert.equal(m.isTrusted(carol.publicKey), false)
      assert.equal(m.size, 0)
    })

    it('need publish for adds and retracts, opine for opinions, and both for a mixed batch', function () {
      const pub = newMember()
      const opine = newMember()
      const both = newMember()
      const m = membership([root], [
        root.credential(pub.publicKey, { roles: ['publish'] }),
        root.credential(opine.publicKey, { roles: ['opine', 'consume'] }),
        // Two credentials, one role each: together they cover a mixed batch.
        root.credential(both.publicKey, { roles: ['publish'] }),
        root.credential(both.publicKey, { roles: ['opine'] })
      ])
      assert.deepEqual(['hash', 'opinion', 'mixed'].map(k => verdict(m, body(pub.publicKey, 1, T0, k as Kind))), ['ok', 'MISSING_ROLE', 'MISSING_ROLE'])
      assert.deepEqual(['hash', 'opinion', 'mixed'].map(k => verdict(m, body(opine.publicKey, 1, T0, k as Kind))), ['MISSING_ROLE', 'ok', 'MISSING_ROLE'])
      assert.equal(verdict(m, body(both.publicKey, 1, T0, 'mixed')), 'ok')
      assert.equal(m.standing(pub.publicKey, 1, T0, 'hash').status, 'member')
      assert.equal(m.standing(pub.publicKey, 1, T0, 'opinion').status, 'no-credential')
      assert.equal(m.standing(opine.publicKey, 1, T0, 'opinion').status, 'member')
    })

    it('a member row names the covering credential: organisation, serial and root', function () {
      const dave = newMember()
      const m = membership([root], [
        root.credential(dave.publicKey, { organisation: 'Old Name', serial: 7, validUntilMs: T0 + DAY }),
        root.credential(dave.publicKey, { organisation: 'New Name', serial: 8, validFromMs: T0 + DAY, createdAtMs: T0 + DAY })
      ])
      assert.deepEqual(m.standing(dave.publicKey, 1, T0, 'hash'), { status: 'member', visible: true, organisation: 'Old Name', serial: 7, root: root.hex })
      assert.deepEqual(
        m.standing(dave.publicKey, 2, T0 + DAY, 'hash'),
        { status: 'member', visible: true, organisation: 'New Name', serial: 8, root: root.hex }
      )
      assert.equal(m.organisationOf(dave.publicKey), 'New Name')
    })
  })

  describe('revocations', function () {
    it('by serial: rows before the cut are revoked (shown under keep), rows after it are after-cut', function () {
      const erin = newMember()
      const cred = root.credential(erin.publicKey, { serial: 11 })
      const revoke = root.revocation(erin.publicKey, { serial: 11, effectiveAtMs: T0 + DAY })
      const keep = membership([root], [cred, revoke], { revokedEntries: 'keep' })
      const hide = membership([root], [cred, revoke], { revokedEntries: 'hide' })
      assert.deepEqual(
        keep.standing(erin.publicKey, 1, T0, 'hash'),
        { status: 'revoked', visible: true, organisation: 'Example Org', serial: 11, root: root.hex }
      )
      assert.equal(hide.standing(erin.publicKey, 1, T0, 'hash').visible, false)
      assert.equal(hide.standing(erin.publicKey, 1, T0, 'hash').status, 'revoked')
      assert.deepEqual(
        keep.standing(erin.publicKey, 2, T0 + DAY, 'hash'),
        { status: 'after-cut', visible: false, organisation: 'Example Org', serial: 11, root: root.hex }
      )
      // History before the cut still comes in (an offline node catching up); nothing after it.
      assert.equal(verdict(keep, body(erin.publicKey, 1, T0)), 'ok')
      assert.equal(verdict(keep, body(erin.publicKey, 2, T0 + DAY)), 'CREDENTIAL_REVOKED')
    })

    it('by serial leaves the member\'s other credentials standing', function () {
      const fay = newMember()
      const m = membership([root], [
        root.credential(fay.publicKey, { serial: 21 }),
        root.credential(fay.publicKey, { serial: 22, organisation: 'Second' }),
        root.revocation(fay.publicKey, { serial: 21, effectiveAtMs: T0 })
      ])
      assert.deepEqual(m.standing(fay.publicKey, 1, T0 + 5, 'hash'), { status: 'member', visible: true, organisation: 'Second', serial: 22, root: root.hex })
      assert.equal(verdict(m, body(fay.publicKey, 1, T0 + 5)), 'ok')
    })

    it('serial 0 revokes every credential the same root issued to the member, and none of another root\'s', function () {
      const gus = newMember()
      const first = root.credential(gus.publicKey, { serial: 31, createdAtMs: T0 })
      const second = root.credential(gus.publicKey, { serial: 32, createdAtMs: T0 + 1 })
      const all = root.revocation(gus.publicKey, { serial: 0, effectiveAtMs: T0 + DAY, createdAtMs: T0 + DAY })
      const m = membership([root, other], [first, second, all])
      assert.equal(m.standing(gus.publicKey, 5, T0 + 2 * DAY, 'hash').status, 'after-cut')
      assert.equal(m.standing(gus.publicKey, 1, T0 + 1, 'hash').status, 'revoked')
      assert.equal(verdict(m, body(gus.publicKey, 5, T0 + 2 * DAY)), 'CREDENTIAL_REVOKED')
      assert.deepEqual(m.members(T0).map(i => i.status), ['revoked', 'revoked'])

      m.add(other.credential(gus.publicKey, { organisation: 'Via Other Root', serial: 1, createdAtMs: T0 }))
      assert.deepEqual(
        m.standing(gus.publicKey, 5, T0 + 2 * DAY, 'hash'),
        { status: 'member', visible: true, organisation: 'Via Other Root', serial: 1, root: other.hex }
      )
      assert.equal(verdict(m, body(gus.publicKey, 5, T0 + 2 * DAY)), 'ok')
    })

    it('serial 0 leaves a credential the root issued after it: the forum can admit the member again', function () {
      const jo = newMember()
      const before = root.credential(jo.publicKey, { serial: 41, createdAtMs: T0 })
      const all = root.revocation(jo.publicKey, { serial: 0, effectiveAtMs: T0 + DAY, lastSeq: 3, createdAtMs: T0 + DAY })
      const again = root.credential(jo.publicKey, { serial: 42, organisation: 'Readmitted', validFromMs: T0 + 2 * DAY, createdAtMs: T0 + 2 * DAY })
      const m = membership([root], [before, all])
      assert.equal(verdict(m, body(jo.publicKey, 4, T0 + 3 * DAY)), 'CREDENTIAL_REVOKED')
      m.add(again)
      assert.deepEqual(
        m.standing(jo.publicKey, 4, T0 + 3 * DAY, 'hash'),
        { status: 'member', visible: true, organisation: 'Readmitted', serial: 42, root: root.hex }
      )
      assert.equal(verdict(m, body(jo.publicKey, 4, T0 + 3 * DAY)), 'ok')
      assert.equal(m.standing(jo.publicKey, 2, T0 + 1, 'hash').status, 'revoked', 'history under the old credential stays revoked')
    })

    it('a last_seq cut refuses seqs above it even when created_at is backdated before effective_at', function () {
      const hal = newMember()
      const m = membership([root], [root.credential(hal.publicKey), root.revocation(hal.publicKey, { effectiveAtMs: T0 + 100 * DAY, lastSeq: 5 })])
      assert.equal(m.standing(hal.publicKey, 5, T0 + DAY, 'hash').status, 'revoked')
      assert.equal(m.standing(hal.publicKey, 6, T0 + DAY, 'hash').status, 'after-cut')
      assert.equal(verdict(m, body(hal.publicKey, 5, T0 + DAY)), 'ok')
      assert.equal(verdict(m, body(hal.publicKey, 6, T0 + DAY)), 'CREDENTIAL_REVOKED')
    })

    it('a created-at cut refuses rows from effective_at on, whatever their seq', function () {
      const ivy = newMember()
      const m = membership([root], [root.credential(ivy.publicKey), root.revocation(ivy.publicKey, { effectiveAtMs: T0 + DAY, lastSeq: 0 })])
      assert.equal(m.standing(ivy.publicKey, 1000, T0 + DAY - 1, 'opinion').status, 'revoked')
      assert.equal(m.standing(ivy.publicKey, 2, T0 + DAY, 'opinion').status, 'after-cut')
    })

    it('a revocation that arrives before the credential it names is kept and applies', function () {
      const jan = newMember()
      const m = membership([root])
      assert.equal(m.add(root.revocation(jan.publicKey, { serial: 41, effectiveAtMs: T0 + DAY })), true)
      assert.equal(m.isTrusted(jan.publicKey), false)
      m.add(root.credential(jan.publicKey, { serial: 41 }))
      assert.equal(m.standing(jan.publicKey, 1, T0 + DAY, 'hash').status, 'after-cut')
      assert.equal(m.members(T0)[0]?.status, 'revoked')
    })

    it('a revocation by another root does not touch this root\'s credential', function () {
      const kim = newMember()
      const m = membership([root, other], [root.credential(kim.publicKey, { serial: 1 }), other.revocation(kim.publicKey, { serial: 1, effectiveAtMs: T0 })])
      assert.equal(m.standing(kim.publicKey, 1, T0 + 1, 'hash').status, 'member')
    })
  })

  describe('key rotation', function () {
    it('cuts the old key above last_seq; its history stays its own organisation\'s; the new key is a member', function () {
      const old = newMember()
      const next = newMember()
      const m = membership([root], [
        root.credential(old.publicKey, { organisation: 'Old Key Org', serial: 1 }),
        root.credential(next.publicKey, { organisation: 'New Key Org', rotation: rotation(old.secretKey, next.publicKey, { lastSeq: 3 }) })
      ])
      assert.deepEqual(
        m.standing(old.publicKey, 3, T0 + 5 * DAY, 'hash'),
        { status: 'member', visible: true, organisation: 'Old Key Org', serial: 1, root: root.hex }
      )
      assert.deepEqual(m.standing(old.publicKey, 4, T0, 'hash'), { status: 'after-cut', visible: false, organisation: 'Old Key Org' })
      assert.equal(verdict(m, body(old.publicKey, 3, T0)), 'ok')
      assert.equal(verdict(m, body(old.publicKey, 4, T0)), 'KEY_ROTATED')
      assert.equal(verdict(m, body(next.publicKey, 1, T0 + 2 * DAY)), 'ok')
      assert.equal(m.rotatedTo(old.publicKey), next.hex)
      assert.equal(m.rotatedFrom(next.publicKey), old.hex)
      assert.equal(m.rotatedTo(next.publicKey), undefined)
      const members = new Map(m.members(T0).map(i => [i.publisher, i]))
      assert.equal(members.get(old.hex)?.status, 'rotated')
      assert.equal(members.get(old.hex)?.rotatedTo, next.hex)
      assert.equal(members.get(next.hex)?.rotatedFrom, old.hex)
      assert.equal(members.get(next.hex)?.status, 'active')
    })

    it('with last_seq 0, cuts the old key at the rotation\'s created_at', function () {
      const old = newMember()
      const next = newMember()
      const m = membership([root], [
        root.credential(old.publicKey),
        root.credential(next.publicKey, { rotation: rotation(old.secretKey, next.publicKey, { lastSeq: 0, createdAtMs: T0 + DAY }) })
      ])
      assert.equal(m.standing(old.publicKey, 50, T0 + DAY - 1, 'hash').status, 'member')
      assert.equal(m.standing(old.publicKey, 1, T0 + DAY, 'hash').status, 'after-cut')
    })
  })

  describe('the local trust list and overrides', function () {
    it('without roots, the trust list alone decides: its keys are accepted and stand as trusted', function () {
      const solo = newMember()
      const stranger = newMember()
      const m = membership([], [], { trusted: [solo.hex.toUpperCase()] })
      assert.deepEqual(m.standing(solo.publicKey, 1, 0, 'hash'), { status: 'trusted', visible: true })
      assert.equal(verdict(m, body(solo.publicKey, 1, 0, 'mixed')), 'ok')
      assert.equal(m.isTrusted(solo.publicKey), true)
      assert.equal(verdict(m, body(stranger.publicKey, 1, 0)), 'UNTRUSTED_PUBLISHER')
      assert.match(m.check(body(stranger.publicKey, 1, 0))!.message, /not on this node's trust list/)
    })

    it('with roots, a revocation beats the trust list: a listed key is refused past the cut', function () {
      const lee = newMember()
      const records = [root.credential(lee.publicKey, { organisation: 'Lee Org' }), root.revocation(lee.publicKey, { effectiveAtMs: T0 + DAY, lastSeq: 3 })]
      const m = membership([root], records, { trusted: [lee.hex], revokedEntries: 'hide' })
      assert.equal(verdict(m, body(lee.publicKey, 3, T0)), 'ok')
      assert.equal(verdict(m, body(lee.publicKey, 4, T0)), 'CREDENTIAL_REVOKED')
      assert.equal(verdict(m, body(lee.publicKey, 1, T0 + DAY)), 'CREDENTIAL_REVOKED')
      assert.deepEqual([m.standing(lee.publicKey, 9, T0 + 9 * DAY, 'hash')].map(r => [r.status, r.visible, r.organisation]), [['after-cut', false, 'Lee Org']])
      assert.equal(m.standing(lee.publicKey, 3, T0, 'hash').status, 'revoked')
    })

    it('with roots, a rotation beats the trust list: the old key is refused past its last seq', function () {
      const old = newMember()
      const next = newMember()
      const m = membership([root], [
        root.credential(old.publicKey),
        root.credential(next.publicKey, { rotation: rotation(old.secretKey, next.publicKey, { lastSeq: 3 }) })
      ], { trusted: [old.hex] })
      assert.equal(verdict(m, body(old.publicKey, 3, T0)), 'ok')
      assert.equal(verdict(m, body(old.publicKey, 4, T0)), 'KEY_ROTATED')
      assert.equal(m.standing(old.publicKey, 4, T0, 'hash').status, 'after-cut')
    })

    it('with roots, a listed key with no credential, an expired one or without the role is refused', function () {
      const nia = newMember()
      const ola = newMember()
      const publishOnly = root.credential(ola.publicKey, { roles: ['publish'], validFromMs: T0, validUntilMs: T0 + DAY })
      const m = membership([root], [publishOnly], { trusted: [nia.hex, ola.hex] })
      assert.equal(m.isTrusted(nia.publicKey), false)
      assert.equal(verdict(m, body(nia.publicKey, 1, T0)), 'UNTRUSTED_PUBLISHER')
      assert.match(m.check(body(nia.publicKey, 1, T0))!.message, /no credential from this forum's roots/)
      assert.equal(verdict(m, body(ola.publicKey, 1, T0 + DAY)), 'NO_CREDENTIAL')
      assert.equal(verdict(m, body(ola.publicKey, 1, T0, 'opinion')), 'MISSING_ROLE')
      assert.equal(m.standing(nia.publicKey, 1, T0, 'hash').status, 'no-credential')
    })

    it('with roots, an override accepts a key whatever the forum says, and its rows stand as override', function () {
      const lee = newMember()
      const solo = newMember()
      const records = [root.credential(lee.publicKey, { organisation: 'Lee Org' }), root.revocation(lee.publicKey, { effectiveAtMs: T0 })]
      const m = membership([root], records, { overrides: [lee.hex, solo.hex.toUpperCase()], revokedEntries: 'hide' })
      assert.equal(verdict(m, body(lee.publicKey, 9, T0 + 9 * DAY, 'mixed')), 'ok')
      assert.deepEqual(m.standing(lee.publicKey, 9, T0 + 9 * DAY, 'opinion'), { status: 'override', visible: true, organisation: 'Lee Org' })
      assert.deepEqual(m.standing(solo.publicKey, 1, 0, 'hash'), { status: 'override', visible: true })
      assert.equal(m.isTrusted(solo.publicKey), true)
    })

    it('overrides count only in a forum: without roots the trust list decides', function () {
      const solo = newMember()
      const m = membership([], [], { overrides: [solo.hex] })
      assert.equal(verdict(m, body(solo.publicKey, 1, 0)), 'UNTRUSTED_PUBLISHER')
    })
  })

  describe('reports', function () {
    it('members() gives each credential its status now', function () {
      const mia = newMember()
      const m = membership([root], [
        root.credential(mia.publicKey, { serial: 1, validFromMs: T0, validUntilMs: T0 + DAY }),
        root.credential(mia.publicKey, { serial: 2, validFromMs: T0 + 2 * DAY, validUntilMs: T0 + 3 * DAY }),
        root.credential(mia.publicKey, { serial: 3, validFromMs: T0, validUntilMs: T0 + 10 * DAY }),
        root.credential(mia.publicKey, { serial: 4, validFromMs: T0, validUntilMs: Number.MAX_SAFE_INTEGER }),
        root.revocation(mia.publicKey, { serial: 3, effectiveAtMs: T0 + 5 * DAY })
      ])
      const bySerial = new Map(m.members(T0 + 1.5 * DAY).map(i => [i.serial, i]))
      assert.equal(bySerial.get(1)?.status, 'expired')
      assert.equal(bySerial.get(2)?.status, 'not-yet-valid')
      assert.equal(bySerial.get(3)?.status, 'revoked')
      assert.equal(bySerial.get(3)?.revokedAt, new Date(T0 + 5 * DAY).toISOString())
      assert.equal(bySerial.get(4)?.status, 'active')
      assert.equal(bySerial.get(4)?.validUntil, '+275760-09-13T00:00:00.000Z', 'a validity past what Date holds shows as its latest')
      assert.deepEqual({ ...bySerial.get(1), recordId: undefined }, {
        publisher: mia.hex,
        organisation: 'Example Org',
        roles: ['publish', 'consume', 'opine'],
        validFrom: new Date(T0).toISOString(),
        validUntil: new Date(T0 + DAY).toISOString(),
        serial: 1,
        root: root.hex,
        status: 'expired',
        recordId: undefined,
        issuedAt: new Date(T0).toISOString()
      })
      const [revocation] = m.revocations()
      assert.deepEqual({ ...revocation, recordId: undefined }, {
        member: mia.hex,
        serial: 3,
        effectiveAt: new Date(T0 + 5 * DAY).toISOString(),
        lastSeq: 0,
        reason: 'left the forum',
        root: root.hex,
        recordId: undefined,
        issuedAt: new Date(T0 + DAY).toISOString()
      })
    })

    it('digest() is SHA-256 over the sorted record ids, whatever the order they came in; a record is held once', function () {
      const ned = newMember()
      const records = [root.credential(ned.publicKey), root.revocation(ned.publicKey), root.credential(newMember().publicKey)]
      assert.equal(toHex(membership([root]).digest()), toHex(sha256(new Uint8Array(0))))
      const a = membership([root], records)
      const b = membership([root], [...records].reverse())
      const expected = sha256(Buffer.concat(records.map(r => toHex(r.id)).sort().map(h => Buffer.from(h, 'hex'))))
      assert.equal(toHex(a.digest()), toHex(expected))
      assert.equal(toHex(b.digest()), toHex(expected))
      assert.equal(a.add(records[0]!), false)
      assert.equal(a.size, 3)
      assert.equal(a.has(records[1]!.id), true)
      assert.deepEqual(a.signedRecords().map(toHex).sort(), records.map(r => toHex(r.signedBytes)).sort())
    })
  })
})
