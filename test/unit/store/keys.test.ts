import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SIGNAL_TYPES } from '../../../src/signals/registry.js'
import { Bucket } from '../../../src/store/buckets.js'
import { bucketRange, entryKey, entryRangeFor, parseEntryKey, prefixRange, signedBatchKey, type EntryKey } from '../../../src/store/keys.js'
import { MAX_ENTRIES_PER_BATCH } from '../../../src/wire/limits.js'
import { hex } from './storeFixtures.js'

const entryKeyArb: fc.Arbitrary<EntryKey> = fc.constantFrom(...SIGNAL_TYPES).chain(type => fc.record({
  signalTypeCode: fc.constant(type.code),
  value: fc.uint8Array({ minLength: type.length, maxLength: type.length }),
  publisher: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  position: fc.integer({ min: 0, max: MAX_ENTRIES_PER_BATCH - 1 })
}))

function inRange (key: Uint8Array, range: { gte: Uint8Array, lt: Uint8Array }): boolean {
  return Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0
}

function plain (k: EntryKey): unknown {
  return { ...k, value: hex(k.value), publisher: hex(k.publisher) }
}

describe('store keys', () => {
  it('parses back every entry-index key it builds', () => {
    fc.assert(fc.property(entryKeyArb, k => {
      assert.deepEqual(plain(parseEntryKey(entryKey(k))), plain(k))
    }))
  })

  it('orders entry keys of one hash by publisher, then seq, then position, as numbers', () => {
    fc.assert(fc.property(entryKeyArb, entryKeyArb, (a, b) => {
      const same = { signalTypeCode: a.signalTypeCode, value: a.value }
      const [ka, kb] = [{ ...b, ...same }, { ...a, ...same }].map(entryKey) as [Uint8Array, Uint8Array]
      const expected = Buffer.compare(b.publisher, a.publisher) || Math.sign(b.seq - a.seq) || Math.sign(b.position - a.position)
      assert.equal(Math.sign(Buffer.compare(ka, kb)), expected)
    }))
  })

  it('puts every row of a hash in its range and no row of another hash', () => {
    fc.assert(fc.property(entryKeyArb, entryKeyArb, (row, other) => {
      const range = entryRangeFor(row.signalTypeCode, row.value)
      assert.equal(inRange(entryKey(row), range), true)
      const sameHash = other.signalTypeCode === row.signalTypeCode && hex(other.value) === hex(row.value)
      assert.equal(inRange(entryKey(other), range), sameHash)
    }))
  })

  it('bounds a prefix of trailing 0xff bytes by carrying into the byte before', () => {
    const range = prefixRange(Uint8Array.of(Bucket.entryIndex, 3, 0xff, 0xff))
    assert.equal(hex(range.lt), hex(Uint8Array.of(Bucket.entryIndex, 4)))
    const all = new Uint8Array(1 + 1 + 32 + 44).fill(0xff)
    all[0] = Bucket.entryIndex
    all[1] = 3
    assert.equal(inRange(all, range), true)
  })

  it('keeps each bucket to its own range', () => {
    const key = signedBatchKey(new Uint8Array(32).fill(0xff), Number.MAX_SAFE_INTEGER)
    assert.equal(inRange(key, bucketRange(Bucket.signedBatch)), true)
    assert.equal(inRange(key, bucketRange(Bucket.batchAt)), false)
  })
})
