import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { IndexError } from '../../../src/index/errors.js'
import { PdqSegmentIndex } from '../../../src/index/pdqSegmentIndex.js'

const POPCOUNT = Array.from({ length: 256 }, (_, b) => { let n = 0; for (let x = b; x > 0; x >>= 1) n += x & 1; return n })

function distance (a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let i = 0; i < 32; i++) d += POPCOUNT[a[i]! ^ b[i]!]!
  return d
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Every stored value within d, nearest first, ties by bytes: a plain Hamming scan. */
function bruteSearch (stored: Iterable<string>, query: Uint8Array, d: number): Array<[string, number]> {
  const hits: Array<[string, number]> = []
  for (const h of stored) {
    const dist = distance(Buffer.from(h, 'hex'), query)
    if (dist <= d) hits.push([h, dist])
  }
  return hits.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

function flipped (value: Uint8Array, bits: Iterable<number>): Uint8Array {
  const out = Uint8Array.from(value)
  for (const b of bits) out[b >> 3]! ^= 0x80 >> (b & 7)
  return out
}

const value = fc.uint8Array({ minLength: 32, maxLength: 32 })
/** A value near a base one: some bits flipped (repeats cancel, so distances spread over 0..~40). */
const nearOf = (bases: Uint8Array[]): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.nat({ max: bases.length - 1 }), fc.array(fc.nat({ max: 255 }), { maxLength: 48 })).map(([i, bits]) => flipped(bases[i]!, bits))

describe('PdqSegmentIndex', function () {
  this.timeout(120_000)

  it('search, any and anyMany agree with a brute-force Hamming scan, through adds and removes', function () {
    fc.assert(fc.property(
      fc.array(value, { minLength: 1, maxLength: 60 }).chain(bases => fc.record({
        bases: fc.constant(bases),
        later: fc.array(nearOf(bases), { maxLength: 30 }),
        removed: fc.array(fc.nat({ max: 89 }), { maxLength: 20 }),
        queries: fc.array(fc.oneof(nearOf(bases), value), { minLength: 1, maxLength: 20 }),
        d: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 90 }))
      })),
      ({ bases, later, removed, queries, d }) => {
        const index = PdqSegmentIndex.build([...bases, ...bases.slice(0, 3)])
        const model = new Set(bases.map(hex))
        for (const v of later) {
          assert.equal(index.add(v), !model.has(hex(v)), 'add says whether the value is new')
          model.add(hex(v))
        }
        const all = [...bases, ...later]
        for (const i of removed) {
          const v = all[i % all.length]!
          assert.equal(index.remove(v), model.delete(hex(v)))
        }
        assert.equal(index.size, model.size)
        // Enough queries for anyMany's batched sweep (it searches one by one below 256).
        const many = Array.from({ length: 300 }, (_, i) => queries[i % queries.length]!)
        const batched = index.anyMany(many, d)
        for (const [i, q] of many.entries()) {
          const expected = bruteSearch(model, q, d)
          if (i < queries.length) {
            assert.deepEqual(index.search(q, d, 1000).map(m => [hex(m.value), m.distance]), expected)
            assert.equal(index.any(q, d), expected.length > 0)
          }
          assert.equal(batched[i], expected.length > 0 ? 1 : 0)
        }
      }
    ), { numRuns: 150 })
  })

  it('finds a value at distance 31 that is within one bit in a single slot only, whichever slot', function () {
    const q = randomBytes(32)
    const stored = Array.from({ length: 16 }, (_, only) => {
      // One bit in slot `only`, two in each other: 31 bits, reachable through that slot's probes alone.
      const bits = Array.from({ length: 16 }, (_, s) => s === only ? [s * 16] : [s * 16, s * 16 + 9]).flat()
      return flipped(q, bits)
    })
    const index = PdqSegmentIndex.build([...stored, ...Array.from({ length: 2000 }, () => randomBytes(32))])
    for (const v of stored) assert.equal(distance(v, q), 31)
    assert.deepEqual(index.search(q, 31, 1000).map(m => hex(m.value)).sort(), stored.map(hex).sort())
    assert.equal(index.search(q, 30, 1000).length, 0)
    assert.deepEqual([...index.anyMany(Array.from({ length: 300 }, (_, i) => i === 7 ? q : randomBytes(32)), 31)].flatMap((x, i) => x === 1 ? [i] : []), [7])
  })

  it('answers more queries than one sweep takes (32,768), in order', function () {
    const stored = Array.from({ length: 100 }, () => randomBytes(32))
    const index = PdqSegmentIndex.build(stored)
    const queries = Array.from({ length: 33_000 }, (_, i) => i % 1000 === 999 ? flipped(stored[i % 100]!, [1, 77, 150]) : randomBytes(32))
    const near = index.anyMany(queries, 31)
    for (const [i, q] of queries.entries()) assert.equal(near[i], bruteSearch(stored.map(hex), q, 31).length > 0 ? 1 : 0)
  })

  it('keeps values added after a build, across the rebuilds of a long run of additions', function () {
    const index = PdqSegmentIndex.build([])
    const values = Array.from({ length: 3000 }, () => randomBytes(32))
    for (const v of values) assert.equal(index.add(v), true)
    for (const v of values) assert.equal(index.add(v), false)
    assert.equal(index.size, 3000)
    for (const v of values.slice(0, 50)) assert.deepEqual(index.search(flipped(v, [3, 100, 200]), 3, 10).map(m => hex(m.value)), [hex(v)])
    for (const v of values.slice(0, 1500)) assert.equal(index.remove(v), true)
    assert.equal(index.remove(values[0]!), false)
    assert.equal(index.has(values[0]!), false)
    assert.equal(index.has(values[2999]!), true)
    assert.equal(index.any(values[0]!, 0), false)
    assert.equal(index.size, 1500)
  })

  it('refuses a value that is not 32 bytes, and a bad distance', function () {
    const index = PdqSegmentIndex.build([randomBytes(32)])
    assert.throws(() => index.add(new Uint8Array(31)), (e: unknown) => e instanceof IndexError && e.code === 'BAD_PDQ_VALUE')
    assert.throws(() => index.any(new Uint8Array(33), 3), (e: unknown) => e instanceof IndexError && e.code === 'BAD_PDQ_VALUE')
    assert.throws(() => index.search(randomBytes(32), -1, 1), (e: unknown) => e instanceof IndexError && e.code === 'BAD_DISTANCE')
    const many = Array.from({ length: 300 }, () => randomBytes(32))
    assert.throws(() => index.anyMany(many, 1.5), (e: unknown) => e instanceof IndexError && e.code === 'BAD_DISTANCE')
    assert.throws(() => index.search(randomBytes(32), 3, 0), (e: unknown) => e instanceof IndexError && e.code === 'BAD_LIMIT')
  })
})
