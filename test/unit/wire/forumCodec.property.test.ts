import assert from 'node:assert/strict'
import fc from 'fast-check'
import { publicKeyOf, sign, verify } from '../../../src/crypto/ed25519.js'
import { toHex } from '../../../src/signals/hex.js'
import { WireError } from '../../../src/wire/errors.js'
import {
  decodeKeyRotation, decodeSignedForumRecord, encodeForumRecordBody, encodeKeyRotation, encodeSignedForumRecord, encodeSignedKeyRotation,
  forumRecordId
} from '../../../src/wire/forumCodec.js'
import {
  MAX_FORUM_RECORD_BYTES, MAX_REVOCATION_REASON_CHARS, NETWORK_PATTERN, ORGANISATION_PATTERN, PUBLIC_KEY_BYTES
} from '../../../src/wire/limits.js'
import { ForumRecordType, KeyRotationType, SignedForumRecordType, SignedKeyRotationType } from '../../../src/wire/schema.js'
import { ROLES, type DecodedForumRecord, type ForumRecord, type KeyRotation, type Revocation } from '../../../src/wire/types.js'

const RUNS = 300

const key = fc.uint8Array({ minLength: PUBLIC_KEY_BYTES, maxLength: PUBLIC_KEY_BYTES })
const time = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }))
const network = fc.stringMatching(NETWORK_PATTERN)
const OLD_SECRET = new Uint8Array(32).fill(0x11)
const ROOT_SECRET = new Uint8Array(32).fill(0x22)
const ROOT = publicKeyOf(ROOT_SECRET)

const rotationArb: fc.Arbitrary<KeyRotation> = fc.record({ oldKey: fc.constant(publicKeyOf(OLD_SECRET)), newKey: key, network, createdAtMs: time,
  lastSeq: time })
  .filter(r => toHex(r.oldKey) !== toHex(r.newKey))

function signedRotation (r: KeyRotation): Uint8Array {
  const body = encodeKeyRotation(r)
  return encodeSignedKeyRotation(body, sign(body, OLD_SECRET))
}

const credentialRecordArb: fc.Arbitrary<ForumRecord> = fc.record({
  network,
  createdAtMs: time,
  member: key,
  organisation: fc.stringMatching(ORGANISATION_PATTERN),
  roles: fc.subarray([...ROLES], { minLength: 1 }),
  validFromMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 }),
  span: fc.integer({ min: 1, max: 10 * 365 * 86_400_000 }),
  serial: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  rotation: fc.option(rotationArb, { nil: undefined })
}).map(c => ({
  signer: ROOT,
  network: c.network,
  createdAtMs: c.createdAtMs,
  credential: {
    member: c.rotation?.newKey ?? c.member,
    organisation: c.organisation,
    roles: c.roles,
    validFromMs: c.validFromMs,
    validUntilMs: Math.min(Number.MAX_SAFE_INTEGER, c.validFromMs + c.span),
    serial: c.serial,
    ...(c.rotation === undefined ? {} : { rotation: decodeKeyRotation(signedRotation(c.rotation)) })
  }
}))

const revocationArb: fc.Arbitrary<Revocation> = fc.record({
  member: key,
  serial: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  effectiveAtMs: time,
  lastSeq: fc.oneof(fc.constant(0), time),
  reason: fc.string({ maxLength: MAX_REVOCATION_REASON_CHARS }).filter(s => !/[\x00-\x1f\x7f]/.test(s))
})

const recordArb: fc.Arbitrary<ForumRecord> = fc.oneof(
  credentialRecordArb,
  fc.record({ network, createdAtMs: time, revocation: revocationArb }).map(r => ({ signer: ROOT, ...r }))
)

function signed (record: ForumRecord): Uint8Array {
  const body = encodeForumRecordBody(record)
  return encodeSignedForumRecord(body, sign(body, ROOT_SECRET))
}

/** Buffers and Uint8Arrays differ under deepEqual; hex does not. */
function comparable (v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v)
  if (Array.isArray(v)) return v.map(comparable)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, comparable(x)]))
  return v
}

function decodesOrThrowsWireError (bytes: Uint8Array): DecodedForumRecord | undefined {
  try {
    return decodeSignedForumRecord(bytes)
  } catch (err) {
    if (!(err instanceof WireError)) throw new Error(`decodeSignedForumRecord threw a non-WireError: ${String(err)}`, { cause: err })
    return undefined
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

describe('wire: forum codec properties', function () {
  this.timeout(60_000)

  it('decode(encode(record)) equals the record, its id is SHA-256 of the body, and the root\'s signature verifies', function () {
    fc.assert(fc.property(recordArb, record => {
      const bytes = signed(record)
      assert.ok(bytes.length <= MAX_FORUM_RECORD_BYTES)
      const decoded = decodeSignedForumRecord(bytes)
      assert.deepEqual(comparable(decoded.body), comparable(record))
      assert.equal(toHex(decoded.id), toHex(forumRecordId(decoded.bodyBytes)))
      assert.ok(verify(decoded.signature, decoded.bodyBytes, ROOT))
      assert.ok(sameBytes(decoded.signedBytes, bytes))
    }), { numRuns: RUNS })
  })

  it('decodeKeyRotation(encode(rotation)) equals the rotation', function () {
    fc.assert(fc.property(rotationArb, r => {
      const decoded = decodeKeyRotation(signedRotation(r))
      assert.deepEqual(comparable(decoded.body), comparable(r))
      assert.ok(verify(decoded.signature, decoded.bodyBytes, r.oldKey))
    }), { numRuns: RUNS })
  })

  it('random bytes throw nothing but WireError, for records and rotations', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), bytes => {
      decodesOrThrowsWireError(bytes)
      try {
        decodeKeyRotation(bytes)
      } catch (err) {
        assert.ok(err instanceof WireError, String(err))
      }
    }), { numRuns: RUNS * 3 })
  })

  it('well-framed protobuf with arbitrary field values throws nothing but WireError', function () {
    const uint64 = fc.bigInt(0n, 2n ** 64n - 1n).map(String)
    const looseRotation = fc.record({ oldKey: fc.uint8Array({ maxLength: 34 }), newKey: fc.uint8Array({ maxLength: 34 }),
      network: fc.string({ maxLength: 66, unit: 'binary' }), createdAtMs: uint64, lastSeq: uint64 }, { requiredKeys: [] })
      .map(r => SignedKeyRotationType.encode({ body: KeyRotationType.encode(KeyRotationType.fromObject(r)).finish(), signature: new Uint8Array(64) }).finish())
    const looseCredential = fc.record({
      member: fc.uint8Array({ maxLength: 34 }),
      organisation: fc.string({ maxLength: 130, unit: 'binary' }),
      roles: fc.array(fc.oneof(fc.constantFrom(...ROLES), fc.string({ maxLength: 8 })), { maxLength: 5 }),
      validFromMs: uint64,
      validUntilMs: uint64,
      serial: uint64,
      rotation: fc.oneof(fc.uint8Array({ maxLength: 40 }), looseRotation)
    }, { requiredKeys: [] })
    const looseRevocation = fc.record({ member: fc.uint8Array({ maxLength: 34 }), serial: uint64, effectiveAtMs: uint64, lastSeq: uint64,
      reason: fc.string({ maxLength: 300, unit: 'binary' }) }, { requiredKeys: [] })
    const looseRecord = fc.record({
      signer: fc.uint8Array({ maxLength: 34 }),
      network: fc.string({ maxLength: 66, unit: 'binary' }),
      createdAtMs: uint64,
      credential: looseCredential,
      revocation: looseRevocation
    }, { requiredKeys: [] })
    fc.assert(fc.property(looseRecord, fc.uint8Array({ maxLength: 66 }), (fields, signature) => {
      const body = ForumRecordType.encode(ForumRecordType.fromObject(fields)).finish()
      decodesOrThrowsWireError(SignedForumRecordType.encode({ body, signature }).finish())
    }), { numRuns: RUNS * 3 })
  })

  it('never produces what it refuses: encoding a record that breaks a rule throws a WireError', function () {
    fc.assert(fc.property(recordArb, fc.constantFrom('signer', 'network', 'organisation', 'roles', 'serial', 'validity', 'reason'), (record, broken) => {
      const bad = structuredClone(record)
      if (broken === 'signer') bad.signer = bad.signer.subarray(1)
      if (broken === 'network') bad.network = `-${bad.network}`
      if (bad.credential !== undefined) {
        if (broken === 'organisation') bad.credential.organisation = ''
        if (broken === 'roles') bad.credential.roles = []
        if (broken === 'serial') bad.credential.serial = 0
        if (broken === 'validity') bad.credential.validUntilMs = bad.credential.validFromMs
      }
      if (bad.revocation !== undefined && broken === 'reason') bad.revocation.reason = 'line\nbreak'
      fc.pre(JSON.stringify(comparable(bad)) !== JSON.stringify(comparable(record)))
      assert.throws(() => encodeForumRecordBody(bad), (err: unknown) => err instanceof WireError)
    }), { numRuns: RUNS })
  })

  describe('a mutated signed record is never accepted as validly signed with different content', function () {
    const original = recordArb.map(r => {
      const bytes = signed(r)
      return { bytes, decoded: decodeSignedForumRecord(bytes) }
    })

    function check (o: { decoded: DecodedForumRecord }, mutated: Uint8Array): void {
      const decoded = decodesOrThrowsWireError(mutated)
      if (decoded === undefined) return
      if (sameBytes(decoded.bodyBytes, o.decoded.bodyBytes)) {
        assert.equal(toHex(decoded.id), toHex(o.decoded.id), 'same body, same id')
        return
      }
      assert.equal(verify(decoded.signature, decoded.bodyBytes, ROOT), false, 'mutated record verified against the root')
    }

    it('flipping one bit', function () {
      fc.assert(fc.property(original, fc.nat(), fc.integer({ min: 0, max: 7 }), (o, at, bit) => {
        const mutated = Uint8Array.from(o.bytes)
        mutated[at % mutated.length]! ^= 1 << bit
        check(o, mutated)
      }), { numRuns: RUNS })
    })

    it('truncating and appending', function () {
      fc.assert(fc.property(original, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 }), (o, len, extra) => {
        check(o, Uint8Array.from(o.bytes.subarray(0, len % o.bytes.length)))
        check(o, Buffer.concat([o.bytes, extra]))
      }), { numRuns: RUNS })
    })
  })
})
