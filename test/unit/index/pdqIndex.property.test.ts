import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PdqIndex, type PdqIndexOptions, type PdqIndexStats } from '../../../src/index/pdqIndex.js'
import { NARROW, WIDE, slotRadii } from '../../../src/index/pdqSlots.js'

// ---- A brute-force reference, written plainly --------------------------------------------------

const POPCOUNT = Array.from({ length: 256 }, (_, b) => { let n = 0; for (let x = b; x > 0; x >>= 1) n += x & 1; return n })

function distance (a: Uint8Array, b: Uint8Array): number {
  let d = 0
  for (let i = 0; i < 32; i++) d += POPCOUNT[a[i]! ^ b[i]!]!
  return d
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Every stored value within d, nearest first, ties by bytes; the first `limit`. */
function bruteSearch (stored: Iterable<string>, query: Uint8Array, d: number, limit = Infinity): Array<[string, number]> {
  const hits: Array<[string, number]> = []
  for (const h of stored) {
    const dist = distance(Buffer.from(h, 'hex'), query)
    if (dist <= d) hits.push([h, dist])
  }
  return hits.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, limit)
}

function asPairs (matches: Array<{ value: Uint8Array, distance: number }>): Array<[string, number]> {
  return matches.map(m => [hex(m.value), m.distance])
}

// ---- Values with controlled distances -----------------------------------------------------------

function flipped (value: Uint8Array, bits: Iterable<number>): Uint8Array {
  const out = Uint8Array.from(value)
  for (const b of bits) out[b >> 3]! ^= 0x80 >> (b & 7)
  return out
}

/** `count` distinct bit positions in [start, start + width), chosen by `seed`. */
function bitsIn (start: number, width: number, count: number, seed: number): number[] {
  const positions = Array.from({ length: width }, (_, i) => start + i)
  let x = seed >>> 0 || 1
  for (let i = positions.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const j = x % (i + 1)
    ;[positions[i], positions[j]] = [positions[j]!, positions[i]!]
  }
  return positions.slice(0, count)
}

/**
 * The hard cases for multi-index hashing at distance d <= 63, around `q`, in both slot layouts the
 * index uses (twelve slots of 21-22 bits for large segments; sixteen of 16 bits, the textbook
 * layout, for small ones), with r_s the radius the pigeonhole bound gives slot s:
 *   - exactly r_s + 1 bits flipped in every slot but one, which has exactly r_s: distance d,
 *     reachable through that one slot only (with 16 slots and d = 16k + 15: k + 1 bits in every
 *     slot but one, k in that one);
 *   - exactly r_s + 1 in every slot: distance d + 1, which must not be reported (with 16 slots and
 *     d = 16k + 15: floor(d/16) + 1 in every slot).
 */
function hardCases (q: Uint8Array, d: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const layout of [WIDE, NARROW]) {
    const radii = slotRadii(d, layout.count)
    const flipsIn = (per: (s: number) => number): number[] =>
      Array.from({ length: layout.count }, (_, s) => bitsIn(layout.start[s]!, layout.width[s]!, per(s), seed + 7 * s)).flat()
    const only = seed % layout.count
    out.push(flipped(q, flipsIn(s => radii[s]! + 1 - (s === only ? 1 : 0))))
    out.push(flipped(q, flipsIn(s => radii[s]! + 1)))
  }
  // And the textbook case at any d <= 255: floor(d/16) + 1 bits in every 16-bit slot.
  const r16 = Math.floor(d / 16)
  if (r16 < 16) out.push(flipped(q, Array.from({ length: 16 }, (_, s) => bitsIn(16 * s, 16, r16 + 1, seed + 3 * s)).flat()))
  return out
}

const value = fc.uint8Array({ minLength: 32, maxLength: 32 })
/** Mostly distances MIH answers, sometimes any. */
const distanceArb = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 63 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 256 }), weight: 1 })
const planted = fc.record({ of: fc.nat(), flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 72 }) })

/** Small thresholds, so that a few hundred values go through flushes, merges (some left half done) and compactions. */
const smallOptions: fc.Arbitrary<Partial<PdqIndexOptions>> = fc.record({
  tailLimit: fc.integer({ min: 1, max: 12 }),
  mergeRatio: fc.integer({ min: 1, max: 4 }),
  workPerUpdate: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })),
  stepUnits: fc.integer({ min: 1, max: 20_000 }),
  compactRatio: fc.double({ min: 0.05, max: 1, noNaN: true }),
  compactMin: fc.integer({ min: 1, max: 30 }),
  planner: fc.constantFrom('auto' as const, 'mih' as const),
  // Both slot layouts, and merges that turn narrow segments wide, on sets of a few hundred values.
  narrowMax: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constant(1 << 17))
})

type Build = 'bulk' | 'addMany' | 'add'
const buildArb = fc.constantFrom<Build>('bulk', 'addMany', 'add')

function makeIndex (how: Build, values: Uint8Array[], options: Partial<PdqIndexOptions>): PdqIndex {
  if (how === 'bulk') return PdqIndex.build(values, options)
  const index = new PdqIndex(options)
  if (how === 'addMany') index.addMany(values)
  else for (const v of values) index.add(v)
  return index
}

/** Running totals over all runs of a property, to check that the thresholds were exercised. */
function totals (): { add: (s: PdqIndexStats) => void, flushes: number, merges: number, rebuilds: number, midMerge: number } {
  const t = {
    flushes: 0,
    merges: 0,
    rebuilds: 0,
    midMerge: 0,
    add (s: PdqIndexStats) {
      t.flushes += s.flushes
      t.merges += s.mergesDone
      t.rebuilds += s.rebuilds
      if (s.mergesRunning > 0) t.midMerge++
    }
  }
  return t
}

/** Each property passes in a second or two; a failing one reports after at most this much shrinking. */
const LIMITS = { interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true }

describe('PdqIndex: properties against brute force', function () {
  this.timeout(60_000)

  it('search returns exactly the brute-force matches, hard MIH cases included', function () {
    const seen = totals()
    fc.assert(fc.property(
      fc.array(value, { minLength: 1, maxLength: 3 }), fc.array(value, { maxLength: 60, size: 'max' }), fc.array(planted, { maxLength: 60, size: 'max' }),
      distanceArb, fc.nat(), buildArb, smallOptions,
      (queries, noise, plants, d, seed, how, options) => {
        const values: Uint8Array[] = [...noise]
        for (const p of plants) values.push(flipped(queries[p.of % queries.length]!, p.flips))
        for (const [i, q] of queries.entries()) values.push(...hardCases(q, Math.min(d, 63), seed + 31 * i))
        const index = makeIndex(how, values, options)
        const stored = new Set(values.map(hex))
        assert.equal(index.size, stored.size)
        for (const q of queries) assert.deepEqual(asPairs(index.search(q, d, 100_000)), bruteSearch(stored, q, d))
        seen.add(index.stats())
      }), { numRuns: 300, ...LIMITS })
    assert.ok(seen.flushes > 0 && seen.merges > 0 && seen.midMerge > 0, JSON.stringify(seen))
  })

  it('stays equal to a Set model through interleaved adds, removes and searches', function () {
    const seen = totals()
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('add' as const), of: fc.nat(),
        flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }) }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('addMany' as const), of: fc.array(fc.nat(), { maxLength: 30 }),
        flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('remove' as const), of: fc.nat() }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('has' as const), of: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('search' as const), of: fc.nat(),
        flips: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), d: distanceArb, limit: fc.integer({ min: 1, max: 30 }) }), weight: 2 }
    )
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.array(op, { maxLength: 250, size: 'max' }), smallOptions,
      (bases, ops, options) => {
        const index = new PdqIndex(options)
        const model = new Set<string>()
        /** Every value ever added, so that removes and has hit present and absent values alike. */
        const known: string[] = []
        const pick = (n: number): Uint8Array => Buffer.from(known.length > 0 && n % 5 !== 0 ? known[n % known.length]! : hex(bases[n % bases.length]!), 'hex')
        for (const o of ops) {
          switch (o.kind) {
            case 'add': {
              const v = flipped(bases[o.of % bases.length]!, o.flips)
              assert.equal(index.add(v), !model.has(hex(v)))
              model.add(hex(v))
              known.push(hex(v))
              break
            }
            case 'addMany': {
              const batch = o.of.map(n => flipped(pick(n), o.flips))
              const fresh = new Set(batch.map(hex).filter(h => !model.has(h)))
              assert.equal(index.addMany(batch), fresh.size)
              for (const v of batch) { model.add(hex(v)); known.push(hex(v)) }
              break
            }
            case 'remove': {
              const v = pick(o.of)
              assert.equal(index.remove(v), model.delete(hex(v)))
              break
            }
            case 'has':
              assert.equal(index.has(pick(o.of)), model.has(hex(pick(o.of))))
              break
            case 'search': {
              const q = flipped(pick(o.of), o.flips)
              assert.deepEqual(asPairs(index.search(q, o.d, o.limit)), bruteSearch(model, q, o.d, o.limit))
              break
            }
          }
          assert.equal(index.size, model.size)
          if (index.stats().mergesRunning > 0) seen.midMerge++
        }
        for (const h of known) assert.equal(index.has(Buffer.from(h, 'hex')), model.has(h))
        seen.add(index.stats())
      }), { numRuns: 150, ...LIMITS })
    assert.ok(seen.flushes > 0 && seen.merges > 0 && seen.rebuilds > 0 && seen.midMerge > 0, JSON.stringify(seen))
  })

  it('a limit keeps exactly the nearest, ties by value', function () {
    fc.assert(fc.property(value, fc.array(planted, { minLength: 1, maxLength: 80, size: 'max' }), distanceArb, fc.integer({ min: 1, max: 12 }), buildArb,
      smallOptions, (q, plants, d, limit, how, options) => {
      // Few distinct distances, so that ties at the cut are common.
        const values = plants.map(p => flipped(q, p.flips.slice(0, p.of % 6)))
        const index = makeIndex(how, values, options)
        const stored = new Set(values.map(hex))
        assert.deepEqual(asPairs(index.search(q, d, limit)), bruteSearch(stored, q, d, limit))
      }), { numRuns: 300, ...LIMITS })
  })

  it('searchMany equals the merge of single searches, and brute force', function () {
    fc.assert(fc.property(
      value, fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }), { minLength: 1, maxLength: 8 }),
      fc.array(planted, { maxLength: 60, size: 'max' }), distanceArb, fc.integer({ min: 1, max: 20 }), buildArb, smallOptions,
      (base, variants, plants, d, limit, how, options) => {
        const queries = variants.map(flips => flipped(base, flips))
        const values = plants.map(p => flipped(queries[p.of % queries.length]!, p.flips))
        const index = makeIndex(how, values, options)
        // Merge of the unlimited single searches: each value at its least distance, first query of equals.
        const merged = new Map<string, { distance: number, query: number }>()
        queries.forEach((q, i) => {
          for (const [h, dist] of asPairs(index.search(q, d, 1_000_000))) {
            const seen = merged.get(h)
            if (seen === undefined || dist < seen.distance) merged.set(h, { distance: dist, query: i })
          }
        })
        const expected = [...merged].map(([h, m]) => [h, m.distance, m.query] as const)
          .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit)
        const got = index.searchMany(queries, d, limit).map(m => [hex(m.value), m.distance, m.query] as const)
        assert.deepEqual(got, expected)
        const stored = new Set(values.map(hex))
        const brute = [...stored].map(h => {
          const ds = queries.map(q => distance(Buffer.from(h, 'hex'), q))
          const least = Math.min(...ds)
          return [h, least, ds.indexOf(least)] as const
        }).filter(x => x[1] <= d).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit)
        assert.deepEqual(got, brute)
      }), { numRuns: 200, ...LIMITS })
  })
})
