import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { ExactIndex } from '../../../src/index/exactIndex.js'
import { toHex } from '../../../src/signals/hex.js'
import { SIGNAL_TYPES, requireSignalType } from '../../../src/signals/registry.js'

const MD5 = requireSignalType('md5')
const SHA1 = requireSignalType('sha1')
const SHA256 = requireSignalType('sha256')
const PDQ = requireSignalType('pdq')

function modelKey (code: number, value: Uint8Array): string {
  return `${code}:${toHex(value)}`
}

describe('ExactIndex', () => {
  it('adds once, then knows the value', () => {
    const index = new ExactIndex()
    const value = randomBytes(SHA256.length)
    assert.equal(index.has(SHA256.code, value), false)
    assert.equal(index.add(SHA256.code, value), true)
    assert.equal(index.add(SHA256.code, Uint8Array.from(value)), false)
    assert.equal(index.has(SHA256.code, value), true)
    assert.deepEqual([index.sizeOf(SHA256.code), index.size], [1, 1])
  })

  it('keeps signal types apart even for the same bytes', () => {
    const index = new ExactIndex()
    const value = randomBytes(32)
    index.add(SHA256.code, value)
    assert.equal(index.has(PDQ.code, value), false)
    assert.equal(index.add(PDQ.code, value), true)
    index.add(MD5.code, randomBytes(MD5.length))
    assert.deepEqual(SIGNAL_TYPES.map(t => index.sizeOf(t.code)), [1, 0, 1, 1])
    assert.equal(index.size, 3)
  })

  it('throws typed errors for an unknown type code or a value of the wrong length', () => {
    const index = new ExactIndex()
    for (const code of [0, 99, -1, 1.5]) {
      assert.throws(() => index.add(code, new Uint8Array(16)), { name: 'SignalError', code: 'UNKNOWN_SIGNAL_TYPE' })
      assert.throws(() => index.has(code, new Uint8Array(16)), { name: 'SignalError', code: 'UNKNOWN_SIGNAL_TYPE' })
      assert.throws(() => index.sizeOf(code), { name: 'SignalError', code: 'UNKNOWN_SIGNAL_TYPE' })
    }
    assert.throws(() => index.add(SHA256.code, new Uint8Array(31)), { name: 'SignalError', code: 'BAD_SIGNAL_VALUE' })
    assert.throws(() => index.has(MD5.code, new Uint8Array(17)), { name: 'SignalError', code: 'BAD_SIGNAL_VALUE' })
  })

  it('keeps every value across many doublings', () => {
    const index = new ExactIndex()
    const values = Array.from({ length: 50_000 }, () => randomBytes(SHA1.length))
    for (const v of values) assert.equal(index.add(SHA1.code, v), true)
    assert.equal(index.sizeOf(SHA1.code), values.length)
    for (const v of values) assert.equal(index.has(SHA1.code, v), true)
  })

  it('tells apart values that share all but their last byte, or are all zero', () => {
    const index = new ExactIndex()
    const base = new Uint8Array(SHA256.length).fill(0xab)
    const values = Array.from({ length: 3000 }, (_, i) => {
      const v = Uint8Array.from(base)
      v[30] = i >> 8
      v[31] = i & 0xff
      return v
    })
    for (const v of values) index.add(SHA256.code, v)
    index.add(SHA256.code, new Uint8Array(32))
    assert.equal(index.sizeOf(SHA256.code), values.length + 1)
    for (const v of values) assert.equal(index.has(SHA256.code, v), true)
    assert.equal(index.has(SHA256.code, base), false)
    assert.equal(index.has(SHA256.code, new Uint8Array(32)), true)
  })

  it('reads a value from a view at any offset of a larger buffer', () => {
    const index = new ExactIndex()
    const buffer = randomBytes(100)
    const view = buffer.subarray(3, 3 + MD5.length)
    index.add(MD5.code, view)
    assert.equal(index.has(MD5.code, Uint8Array.from(view)), true)
    assert.equal(index.has(MD5.code, buffer.subarray(4, 4 + MD5.length)), false)
  })

  it('agrees with a Set of hex strings on 100k random values and 100k random misses', () => {
    const index = new ExactIndex()
    const model = new Set<string>()
    const pool = randomBytes(100_000 * 2 * SHA256.length)
    const values = (i: number, type: typeof MD5): Uint8Array => pool.subarray(i * SHA256.length, i * SHA256.length + type.length)
    for (let i = 0; i < 100_000; i++) {
      const type = i % 2 === 0 ? SHA256 : MD5
      const v = values(i, type)
      index.add(type.code, v)
      model.add(modelKey(type.code, v))
    }
    assert.equal(index.size, model.size)
    for (let i = 100_000; i < 200_000; i++) {
      const type = i % 2 === 0 ? SHA256 : MD5
      const v = values(i, type)
      assert.equal(index.has(type.code, v), model.has(modelKey(type.code, v)))
    }
    for (const key of model) {
      const [code, hexValue] = key.split(':') as [string, string]
      const flipped = Buffer.from(hexValue, 'hex')
      flipped[flipped.length - 1]! ^= 1
      assert.equal(index.has(Number(code), flipped), model.has(modelKey(Number(code), flipped)))
    }
  })

  it('matches a Set model for any sequence of adds and lookups', () => {
    // Mostly values with one non-zero byte out of a few choices, so that repeats, values one byte
    // apart and the same bytes under two types are all common; some fully random values besides.
    const sparse = (length: number): fc.Arbitrary<Uint8Array> => fc.tuple(fc.nat(length - 1), fc.integer({ min: 0, max: 3 }))
      .map(([at, byte]) => { const v = new Uint8Array(length); v[at] = byte; return v })
    const op = fc.constantFrom(...SIGNAL_TYPES).chain(type => fc.record({
      add: fc.boolean(),
      code: fc.constant(type.code),
      value: fc.oneof({ arbitrary: sparse(type.length), weight: 4 },
        { arbitrary: fc.uint8Array({ minLength: type.length, maxLength: type.length }), weight: 1 })
    }))
    fc.assert(fc.property(fc.array(op, { maxLength: 3000 }), ops => {
      const index = new ExactIndex()
      const model = new Set<string>()
      for (const { add, code, value } of ops) {
        const key = modelKey(code, value)
        if (add) {
          assert.equal(index.add(code, value), !model.has(key))
          model.add(key)
        } else {
          assert.equal(index.has(code, value), model.has(key))
        }
      }
      assert.equal(index.size, model.size)
      for (const type of SIGNAL_TYPES) {
        assert.equal(index.sizeOf(type.code), [...model].filter(k => k.startsWith(`${type.code}:`)).length)
      }
    }), { numRuns: 50 })
  })
})
