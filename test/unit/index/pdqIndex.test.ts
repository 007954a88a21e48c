import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { PdqIndex, MAX_QUERIES, type PdqIndexOptions } from '../../../src/index/pdqIndex.js'
import { hammingDistance as pdqDistance } from '../../../src/hashing/pdq/hashBits.js'
import { readLines, readTsv } from '../../helpers/pdqVectors.js'

/**
 * Index configurations the vectors must hold under: bulk builds in either slot layout, defaults
 * (all in the tail), and tiny thresholds (many flushes, merges left half done, narrow segments
 * merged into wide ones).
 */
const CONFIGS: Array<{ name: string, make: (values: Uint8Array[]) => PdqIndex }> = [
  { name: 'bulk build (narrow layout)', make: values => PdqIndex.build(values) },
  { name: 'bulk build, wide layout', make: values => PdqIndex.build(values, { narrowMax: 0 }) },
  { name: 'addMany, default options', make: values => { const i = new PdqIndex(); i.addMany(values); return i } },
  {
    name: 'one add at a time, tiny tail and steps, both layouts',
    make: values => {
      const index = new PdqIndex({ tailLimit: 16, mergeRatio: 2, workPerUpdate: 300, stepUnits: 1000, narrowMax: 100 })
      for (const v of values) index.add(v)
      return index
    }
  },
  { name: 'bulk build, always probing, wide layout', make: values => PdqIndex.build(values, { planner: 'mih', narrowMax: 0 }) }
]

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

describe('PdqIndex: reference vectors (pdq-vectors/index)', function () {
  const haystack = readLines('index/haystack.txt')
  const needles = readLines('index/needles.txt')
  /** Haystack lines (from 1) holding each value: the set holds a value once, the file may list it more. */
  const linesOf = new Map<string, number[]>()
  haystack.forEach((h, i) => linesOf.set(h.toLowerCase(), [...(linesOf.get(h.toLowerCase()) ?? []), i + 1]))

  it('reads the vector files', function () {
    assert.equal(haystack.length, 1350)
    assert.equal(needles.length, 100)
  })

  for (const [d, file, pairs] of [[31, 'index/expected-d31.tsv', 250], [47, 'index/expected-d47.tsv', 287]] as const) {
    const expected = readTsv(file).map(r => `${r.needle_line}\t${r.haystack_line}\t${r.distance}`).sort()
    for (const { name, make } of CONFIGS) {
      it(`reproduces expected-d${d}.tsv exactly (${pairs} pairs): ${name}`, function () {
        assert.equal(expected.length, pairs)
        const index = make(haystack.map(h => Buffer.from(h, 'hex')))
        assert.equal(index.size, linesOf.size)
        const got: string[] = []
        needles.forEach((needle, n) => {
          for (const { value, distance } of index.search(Buffer.from(needle, 'hex'), d, 10_000)) {
            const lines = linesOf.get(hex(value))
            assert.ok(lines !== undefined, 'a result that is not in the haystack')
            for (const line of lines) got.push(`${n + 1}\t${line}\t${distance}`)
          }
        })
        assert.deepEqual(got.sort(), expected)
      })
    }
  }

  it('reports distance 0 for every haystack value searched for itself, first', function () {
    const index = PdqIndex.build(haystack.map(h => Buffer.from(h, 'hex')))
    for (const h of haystack) {
      const [first] = index.search(Buffer.from(h, 'hex'), 0, 5)
      assert.equal(first?.distance, 0)
      assert.equal(hex(first.value), h.toLowerCase())
    }
  })
})

describe('PdqIndex: set semantics', function () {
  it('adds once, knows the value, removes once', function () {
    const index = new PdqIndex()
    const v = randomBytes(32)
    assert.equal(index.has(v), false)
    assert.equal(index.add(v), true)
    assert.equal(index.add(Uint8Array.from(v)), false)
    assert.equal(index.size, 1)
    assert.equal(index.has(v), true)
    assert.equal(index.remove(v), true)
    assert.equal(index.remove(v), false)
    assert.equal(index.has(v), false)
    assert.equal(index.size, 0)
    assert.equal(index.add(v), true)
    assert.deepEqual(index.search(v, 0, 10).map(m => [hex(m.value), m.distance]), [[hex(v), 0]])
  })

  it('returns copies: changing a result does not change the index', function () {
    const index = new PdqIndex()
    const v = randomBytes(32)
    index.add(v)
    const [match] = index.search(v, 0, 1)
    match!.value.fill(0)
    assert.equal(index.has(v), true)
    assert.equal(hex(index.search(v, 0, 1)[0]!.value), hex(v))
  })

  it('reads values from views at any offset of a larger buffer', function () {
    const index = new PdqIndex()
    const buffer = randomBytes(100)
    index.add(buffer.subarray(3, 35))
    assert.equal(index.has(Uint8Array.from(buffer.subarray(3, 35))), true)
    assert.equal(index.has(buffer.subarray(4, 36)), false)
  })

  it('bulk-loads duplicates once, and addMany counts only new values', function () {
    const base = Array.from({ length: 60_000 }, () => randomBytes(32))
    const withRepeats = [...base, ...base.slice(0, 30_000), ...base.slice(5_000, 6_000)]
    const built = PdqIndex.build(withRepeats)
    assert.equal(built.size, base.length)
    const grown = new PdqIndex()
    assert.equal(grown.addMany(base.slice(0, 100)), 100)
    assert.equal(grown.addMany([...base.slice(50, 150), ...base.slice(50, 150)]), 50)
    assert.equal(grown.addMany(withRepeats), base.length - 150)
    assert.equal(grown.size, base.length)
    for (const v of base) assert.ok(built.has(v) && grown.has(v))
    assert.equal(built.has(randomBytes(32)), false)
  })

  it('adds nothing from a batch with a bad value in it', function () {
    const index = new PdqIndex()
    const good = Array.from({ length: 10 }, () => randomBytes(32))
    assert.throws(() => index.addMany([...good, new Uint8Array(31)]), { name: 'IndexError', code: 'BAD_PDQ_VALUE' })
    assert.equal(index.size, 0)
    assert.equal(index.addMany(good), 10)
  })

  it('stays exact through many flushes, merges and a compaction', function () {
    const index = new PdqIndex({ tailLimit: 64, mergeRatio: 2, workPerUpdate: 2000, stepUnits: 20_000, compactMin: 500, compactRatio: 0.25, narrowMax: 300 })
    const values = Array.from({ length: 5000 }, () => randomBytes(32))
    for (const v of values) index.add(v)
    for (const v of values.slice(0, 2000)) assert.equal(index.remove(v), true)
    const stats = index.stats()
    assert.ok(stats.flushes > 50 && stats.mergesDone > 10 && stats.rebuilds >= 1, JSON.stringify(stats))
    assert.equal(index.size, 3000)
    for (const v of values.slice(0, 2000)) assert.equal(index.has(v), false)
    for (const v of values.slice(2000)) assert.deepEqual(index.search(v, 0, 2).map(m => hex(m.value)), [hex(v)])
  })
})

describe('PdqIndex: searches', function () {
  it('orders by distance, then by value bytes, and truncates to the limit', function () {
    const index = new PdqIndex()
    const query = new Uint8Array(32)
    // Four values at distance 1 (one bit in different bytes) and two at distance 2.
    const at = (bits: number[]): Uint8Array => { const v = new Uint8Array(32); for (const b of bits) v[b >> 3]! |= 0x80 >> (b & 7); return v }
    const values = [at([255]), at([0]), at([128]), at([7]), at([0, 1]), at([3, 200])]
    index.addMany(values)
    const order = index.search(query, 2, 100).map(m => [hex(m.value), m.distance])
    const expected = values.map(v => [hex(v), pdqDistance(v, query)] as [string, number]).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    assert.deepEqual(order, expected)
    assert.deepEqual(index.search(query, 2, 3).map(m => [hex(m.value), m.distance]), expected.slice(0, 3))
    assert.deepEqual(index.search(query, 0, 3), [])
  })

  it('searchMany reports each value once, at its nearest query, the first of equals', function () {
    const index = new PdqIndex()
    const a = new Uint8Array(32)
    const b = Uint8Array.from(a); b[0] = 0xff
    index.addMany([a, b])
    const res = index.searchMany([b, a, Uint8Array.from(a)], 8, 10).map(m => [hex(m.value), m.distance, m.query])
    assert.deepEqual(res, [[hex(a), 0, 1], [hex(b), 0, 0]])
  })

  it('answers d > 63 by scanning: everything at d = 256', function () {
    const values = Array.from({ length: 300 }, () => randomBytes(32))
    const index = PdqIndex.build(values)
    const q = randomBytes(32)
    const all = index.search(q, 256, 1000)
    assert.equal(all.length, 300)
    assert.deepEqual(all.map(m => m.distance), values.map(v => pdqDistance(v, q)).sort((x, y) => x - y))
    assert.deepEqual(index.search(q, 128, 1000).map(m => m.distance), values.map(v => pdqDistance(v, q)).filter(d => d <= 128).sort((x, y) => x - y))
  })

  it('measures the full 256 bits: a value and its complement are 256 apart', function () {
    const index = new PdqIndex()
    const v = randomBytes(32)
    index.add(v)
    const complement = Uint8Array.from(v, x => x ^ 0xff)
    assert.deepEqual(index.search(complement, 256, 1).map(m => m.distance), [256])
    assert.deepEqual(index.search(complement, 255, 1), [])
  })

  it('counts its typed arrays: words, ids and bucket tables', function () {
    // 100k values are one narrow segment: 32 bytes of words and 16 ids a value, 16 tables of 2^16 buckets.
    const n = 100_000
    const index = PdqIndex.build(Array.from({ length: n }, () => randomBytes(32)))
    const bytes = index.memoryBytes()
    const expected = n * (32 + 16 * 4) + 16 * 4 * (2 ** 16 + 1)
    assert.ok(bytes >= expected && bytes < expected * 1.1 + 2 ** 20, `${bytes} bytes, expected about ${expected}`)
  })
})

describe('PdqIndex: bad input raises typed errors', function () {
  const index = PdqIndex.build(Array.from({ length: 50 }, () => randomBytes(32)))
  const good = randomBytes(32)
  const badValues: unknown[] = [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), 'ab'.repeat(32), Array.from({ length: 32 }, () => 0), undefined,
    new Uint16Array(16)]

  it('BAD_PDQ_VALUE for a value that is not 32 bytes', function () {
    for (const bad of badValues) {
      const v = bad as Uint8Array
      for (const call of [() => index.add(v), () => index.has(v), () => index.remove(v), () => index.search(v, 31, 1),
        () => index.searchMany([good, v], 31, 1), () => index.addMany([v]), () => PdqIndex.build([good, v])]) {
        assert.throws(call, { name: 'IndexError', code: 'BAD_PDQ_VALUE' })
      }
    }
  })

  it('BAD_DISTANCE for a distance that is not an integer in 0..256', function () {
    for (const d of [-1, 257, 1.5, Number.NaN, Infinity, '31' as unknown as number]) {
      assert.throws(() => index.search(good, d, 1), { name: 'IndexError', code: 'BAD_DISTANCE' })
      assert.throws(() => index.searchMany([good], d, 1), { name: 'IndexError', code: 'BAD_DISTANCE' })
    }
  })

  it('BAD_LIMIT for a limit below 1 or not whole', function () {
    for (const limit of [0, -1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => index.search(good, 31, limit), { name: 'IndexError', code: 'BAD_LIMIT' })
      assert.throws(() => index.searchMany([good], 31, limit), { name: 'IndexError', code: 'BAD_LIMIT' })
    }
  })

  it('BAD_QUERY_COUNT for no queries or too many', function () {
    assert.throws(() => index.searchMany([], 31, 1), { name: 'IndexError', code: 'BAD_QUERY_COUNT' })
    assert.throws(() => index.searchMany(Array.from({ length: MAX_QUERIES + 1 }, () => good), 31, 1), { name: 'IndexError', code: 'BAD_QUERY_COUNT' })
    assert.equal(index.searchMany(Array.from({ length: MAX_QUERIES }, () => good), 31, 1).length <= 1, true)
  })

  it('BAD_OPTION for options out of range', function () {
    const bad: Array<Partial<PdqIndexOptions>> = [{ tailLimit: 0 }, { tailLimit: 1.5 }, { mergeRatio: 0 }, { stepUnits: 0 }, { maxWorkMs: 0 },
      { compactRatio: 0 }, { compactMin: -1 }, { narrowMax: -1 }, { planner: 'fast' as 'auto' }]
    for (const options of bad) assert.throws(() => new PdqIndex(options), { name: 'IndexError', code: 'BAD_OPTION' })
  })
})
