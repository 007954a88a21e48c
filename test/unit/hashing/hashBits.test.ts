import assert from 'node:assert/strict'
import fc from 'fast-check'
import { getHashBit, hammingDistance, hashFromDct, PDQ_HASH_BITS, PDQ_HASH_BYTES, setHashBit } from '../../../src/hashing/pdq/hashBits.js'
import { torbenMedian } from '../../../src/hashing/pdq/median.js'
import { parseSignalValue, toHex } from '../../../src/signals/hex.js'
import { hex } from './fixtures.js'

/**
 * The reference's text form, rebuilt independently: bit k is bit k & 15 of 16-bit word k >> 4, and
 * the words are printed %04x from word 15 down to word 0.
 */
function referenceHex (bits: readonly boolean[]): string {
  const words = new Array<number>(16).fill(0)
  bits.forEach((on, k) => { if (on) words[k >> 4]! |= 1 << (k & 15) })
  return words.reverse().map(w => w.toString(16).padStart(4, '0')).join('')
}

const hash32 = fc.uint8Array({ minLength: PDQ_HASH_BYTES, maxLength: PDQ_HASH_BYTES })

function naiveDistance (a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let k = 0; k < a.length * 8; k++) if (((a[k >> 3]! ^ b[k >> 3]!) >> (k & 7)) & 1) d++
  return d
}

describe('hashing: PDQ hash bits', function () {
  it('bit k set alone prints as the reference\'s word format (bit 0 is the last hex digit, bit 255 the first)', function () {
    for (let k = 0; k < PDQ_HASH_BITS; k++) {
      const hash = new Uint8Array(PDQ_HASH_BYTES)
      setHashBit(hash, k)
      const bits = Array.from({ length: PDQ_HASH_BITS }, (_, i) => i === k)
      assert.equal(hex(hash), referenceHex(bits), `bit ${k}`)
      assert.ok(getHashBit(hash, k))
    }
  })

  it('property: any set of bits matches the reference\'s word format', function () {
    fc.assert(fc.property(fc.array(fc.boolean(), { minLength: PDQ_HASH_BITS, maxLength: PDQ_HASH_BITS }), bits => {
      const hash = new Uint8Array(PDQ_HASH_BYTES)
      bits.forEach((on, k) => { if (on) setHashBit(hash, k) })
      assert.equal(hex(hash), referenceHex(bits))
      bits.forEach((on, k) => { assert.equal(getHashBit(hash, k), on) })
    }))
  })

  it('property: hex round-trips through the signal registry\'s pdq parser', function () {
    fc.assert(fc.property(hash32, hash => {
      const text = toHex(hash)
      assert.match(text, /^[0-9a-f]{64}$/)
      assert.deepEqual(Buffer.from(parseSignalValue('pdq', text).value), Buffer.from(hash))
      assert.deepEqual(Buffer.from(parseSignalValue('pdq', text.toUpperCase()).value), Buffer.from(hash))
    }))
  })

  it('property: Hamming distance is the naive bit count, symmetric, zero on itself', function () {
    fc.assert(fc.property(hash32, hash32, (a, b) => {
      assert.equal(hammingDistance(a, b), naiveDistance(a, b))
      assert.equal(hammingDistance(a, b), hammingDistance(b, a))
      assert.equal(hammingDistance(a, a), 0)
    }))
    assert.equal(hammingDistance(new Uint8Array(32), new Uint8Array(32).fill(0xff)), 256)
    assert.throws(() => hammingDistance(new Uint8Array(32), new Uint8Array(31)), RangeError)
  })

  it('property: bit k is set exactly when coefficient k is above the median; distinct values set 128 bits', function () {
    fc.assert(fc.property(fc.uniqueArray(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      { minLength: 256, maxLength: 256, comparator: (x, y) => Math.fround(x) === Math.fround(y) }), values => {
      const dct = Float32Array.from(values)
      const hash = hashFromDct(dct)
      const median = torbenMedian(dct)
      for (let k = 0; k < PDQ_HASH_BITS; k++) assert.equal(getHashBit(hash, k), dct[k]! > median)
      assert.equal(naiveDistance(hash, new Uint8Array(PDQ_HASH_BYTES)), 128)
    }), { numRuns: 50 })
  })
})
