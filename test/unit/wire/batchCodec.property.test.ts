import assert from 'node:assert/strict'
import fc from 'fast-check'
import { publicKeyOf, sign, verify } from '../../../src/crypto/ed25519.js'
import { SIGNAL_TYPES } from '../../../src/signals/registry.js'
import { decodeBatchBody, decodeSignedBatch, encodeBatchBody, encodeSignedBatch } from '../../../src/wire/batchCodec.js'
import { WireError } from '../../../src/wire/errors.js'
import {
  BATCH_ID_BYTES, LABEL_PATTERN, MAX_LABELS_PER_ENTRY, NETWORK_PATTERN, PUBLIC_KEY_BYTES
} from '../../../src/wire/limits.js'
import { Action, type BatchBody, type Entry } from '../../../src/wire/types.js'
import { comparable, rawBody, rawSigned } from './fixtures.js'

const RUNS = 300

const entryArb: fc.Arbitrary<Entry> = fc.constantFrom(...SIGNAL_TYPES).chain(type => fc.record({
  signalType: fc.constant(type.name),
  value: fc.uint8Array({ minLength: type.length, maxLength: type.length }),
  labels: fc.array(fc.stringMatching(LABEL_PATTERN), { maxLength: MAX_LABELS_PER_ENTRY }),
  action: fc.constantFrom(Action.ADD, Action.RETRACT)
}))

/** Any body an honest publisher could produce (entries kept few so that each run stays fast). */
function validBodyArb (publisher?: Uint8Array, maxEntries = 8): fc.Arbitrary<BatchBody> {
  return fc.record({
    publisher: publisher === undefined ? fc.uint8Array({ minLength: PUBLIC_KEY_BYTES, maxLength: PUBLIC_KEY_BYTES }) : fc.constant(publisher),
    seq: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
    prev: fc.uint8Array({ minLength: BATCH_ID_BYTES, maxLength: BATCH_ID_BYTES }),
    createdAtMs: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 })),
    network: fc.stringMatching(NETWORK_PATTERN),
    entries: fc.array(entryArb, { minLength: 1, maxLength: maxEntries })
  }).map(b => ({ ...b, prev: b.seq === 1 ? new Uint8Array(0) : b.prev }))
}

/** The decoder must turn every bad input into a WireError: anything else would escape the validator. */
function decodesOrThrowsWireError (bytes: Uint8Array): ReturnType<typeof decodeSignedBatch> | undefined {
  try {
    return decodeSignedBatch(bytes)
  } catch (err) {
    if (!(err instanceof WireError)) throw new Error(`decodeSignedBatch threw a non-WireError: ${String(err)}`, { cause: err })
    return undefined
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0

describe('wire: batch codec properties', function () {
  this.timeout(60_000)

  it('decode(encode(body)) equals body for every valid body', function () {
    fc.assert(fc.property(validBodyArb(), b => {
      assert.deepEqual(comparable(decodeBatchBody(encodeBatchBody(b))), comparable(b))
    }), { numRuns: RUNS })
  })

  it('decodeSignedBatch on random bytes throws nothing but WireError', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), bytes => {
      decodesOrThrowsWireError(bytes)
    }), { numRuns: RUNS * 3 })
  })

  it('decodeSignedBatch on well-framed protobuf with arbitrary field values throws nothing but WireError', function () {
    // Random bytes rarely get past the framing; these do, so every field check sees bad values.
    const looseEntry = fc.record({
      signalType: fc.oneof(fc.constantFrom(...SIGNAL_TYPES.map(t => t.name)), fc.string({ maxLength: 8 })),
      value: fc.uint8Array({ maxLength: 40 }),
      labels: fc.array(fc.string({ maxLength: 70, unit: 'binary' }), { maxLength: 18 }),
      action: fc.integer({ min: -3, max: 3 })
    }, { requiredKeys: [] })
    const looseBody = fc.record({
      publisher: fc.uint8Array({ maxLength: 34 }),
      seq: fc.bigInt(0n, 2n ** 64n - 1n).map(String),
      prev: fc.uint8Array({ maxLength: 34 }),
      createdAtMs: fc.bigInt(0n, 2n ** 64n - 1n).map(String),
      network: fc.string({ maxLength: 66, unit: 'binary' }),
      entries: fc.array(looseEntry, { maxLength: 4 })
    }, { requiredKeys: [] })
    fc.assert(fc.property(looseBody, fc.uint8Array({ maxLength: 66 }), (fields, signature) => {
      decodesOrThrowsWireError(rawSigned(rawBody(fields), signature))
    }), { numRuns: RUNS * 3 })
  })

  describe('a mutated signed batch is never accepted as validly signed with different content', function () {
    const secretKey = new Uint8Array(32).fill(0x42)
    const publisher = publicKeyOf(secretKey)
    const original = validBodyArb(publisher, 3).map(b => {
      const bodyBytes = encodeBatchBody(b)
      const signature = sign(bodyBytes, secretKey)
      return { bodyBytes, signature, signed: encodeSignedBatch(bodyBytes, signature) }
    })

    function check (o: { bodyBytes: Uint8Array, signature: Uint8Array }, mutated: Uint8Array): void {
      const decoded = decodesOrThrowsWireError(mutated)
      if (decoded === undefined) return
      if (sameBytes(decoded.bodyBytes, o.bodyBytes) && sameBytes(decoded.signature, o.signature)) {
        // Only the framing changed (an unknown field, say): same batch, same id.
        assert.ok(verify(decoded.signature, decoded.bodyBytes, publisher))
        return
      }
      assert.equal(verify(decoded.signature, decoded.bodyBytes, publisher), false, 'mutated batch verified against the original publisher')
      if (!sameBytes(decoded.body.publisher, publisher)) {
        assert.equal(verify(decoded.signature, decoded.bodyBytes, decoded.body.publisher), false, 'mutated batch verified against its own publisher field')
      }
    }

    it('flipping one bit', function () {
      fc.assert(fc.property(original, fc.nat(), fc.integer({ min: 0, max: 7 }), (o, at, bit) => {
        const mutated = Uint8Array.from(o.signed)
        mutated[at % mutated.length]! ^= 1 << bit
        check(o, mutated)
      }), { numRuns: RUNS })
    })

    it('truncating', function () {
      fc.assert(fc.property(original, fc.nat(), (o, len) => {
        check(o, Uint8Array.from(o.signed.subarray(0, len % o.signed.length)))
      }), { numRuns: RUNS })
    })

    it('appending bytes', function () {
      fc.assert(fc.property(original, fc.uint8Array({ minLength: 1, maxLength: 80 }), (o, extra) => {
        check(o, Buffer.concat([o.signed, extra]))
      }), { numRuns: RUNS })
    })

    it('splicing: replacing a range with other bytes', function () {
      fc.assert(fc.property(original, fc.nat(), fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 40 }), (o, at, remove, insert) => {
        const start = at % o.signed.length
        const mutated = Buffer.concat([o.signed.subarray(0, start), insert, o.signed.subarray(Math.min(o.signed.length, start + remove))])
        fc.pre(!sameBytes(mutated, o.signed))
        check(o, mutated)
      }), { numRuns: RUNS })
    })
  })
})
