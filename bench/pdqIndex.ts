/**
 * PDQ near-match index: speed and memory, each beside a baseline from the same run.
 *   - N random stored hashes (default 1,000,000) with planted neighbours: for each query one stored
 *     value at a random distance 0-31 and two at 32-40 (which must not match at d = 31);
 *   - queries/s at d = 31, 47 and 63 beside a brute-force scan written plainly below (run on a
 *     sample of the queries, whose answers must be identical), and 8-variant searchMany at d = 31;
 *   - bulk build time and memory (the index's typed arrays, and process RSS / ArrayBuffer deltas);
 *   - incremental adds in batches of 10,000 and one at a time, removals, the worst single pause,
 *     and the one full rebuild (retracting a quarter of the index);
 *   - build time, memory and queries/s at BIG hashes (default 10,000,000).
 * The native C++ reference figure is stated, not measured. Only ratios are stable on a noisy
 * 2-core VM; rates are the best of a few rounds.
 *
 *   npm run bench:pdq-index
 *   PDQ_INDEX_HASHES=200000 PDQ_INDEX_QUERIES=2000 PDQ_INDEX_BIG=0 npm run bench:pdq-index   # quick
 *   # or: npx tsx --import ./src/polyfill.ts bench/pdqIndex.ts [hashes]
 * The index's arrays live outside the V8 heap (ArrayBuffers), so no --max-old-space-size is needed,
 * at 10M either; the run's peak RSS is printed at the end (test hashes, brute-force copies of
 * them, two indexes at once for a while, and the builds' scratch all count).
 */
import { randomBytes, randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { PdqIndex, type PdqIndexOptions } from '../src/index/pdqIndex.js'
import { fmt, seconds } from './figures.js'

const HASHES = Number(process.argv[2] ?? process.env.PDQ_INDEX_HASHES ?? 1_000_000)
const QUERIES = Number(process.env.PDQ_INDEX_QUERIES ?? 10_000)
const BIG = Number(process.env.PDQ_INDEX_BIG ?? 10_000_000)
for (const [name, n] of [['hash count', HASHES], ['query count', QUERIES], ['PDQ_INDEX_BIG', BIG]] as const) {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${n}`)
}
if (HASHES < 4 * QUERIES) throw new Error('need at least 4 stored hashes per query')
/** Brute force costs ~25 ms a query at 1M; 200 give a stable rate in ~5 s. */
const BRUTE_SAMPLE = Math.min(200, QUERIES)
/** Fewer queries where each is slower, so that every figure takes a few seconds. */
const QUERIES_D47 = Math.min(QUERIES, 2000)
const QUERIES_D63 = Math.min(QUERIES, 300)
const MANY_QUERIES = Math.min(QUERIES, 1000)
const ROUNDS = 3
const BATCH = 10_000
const ADD_BATCHES = 30
const SINGLE_ADDS = 20_000
const SINGLE_REMOVES = 20_000
/** The native C++ multi-index implementation on this class of 2-core machine, 1M hashes, d = 31 (stated). */
const CPP_REFERENCE_QPS = '500-600'

// ---- Data -------------------------------------------------------------------------------------

/** `count` random 32-byte values in one buffer, filled in 16 MiB pieces (randomBytes has a size limit). */
function randomPool (count: number): Buffer {
  const pool = Buffer.alloc(count * 32)
  for (let at = 0; at < pool.length; at += 1 << 24) randomBytes(Math.min(1 << 24, pool.length - at)).copy(pool, at)
  return pool
}

/** The values of a pool as a sized iterable of views (the index copies each). */
function valuesOf (pool: Buffer, count = pool.length / 32): Iterable<Uint8Array> & { length: number } {
  return { length: count, * [Symbol.iterator] () { for (let i = 0; i < count; i++) yield pool.subarray(i * 32, i * 32 + 32) } }
}

function flipRandomBits (value: Uint8Array, count: number): Uint8Array {
  const out = Uint8Array.from(value)
  const bits = new Set<number>()
  while (bits.size < count) bits.add(randomInt(256))
  for (const b of bits) out[b >> 3]! ^= 0x80 >> (b & 7)
  return out
}

/** Bit (row, col) of a PDQ hash seen as a 16 x 16 grid: row r is bytes 2r, 2r + 1. */
function gridBit (v: Uint8Array, r: number, c: number): number {
  const i = r * 16 + c
  return (v[i >> 3]! >> (7 - (i & 7))) & 1
}

/** The 8 dihedral transforms of the grid (identity, 3 rotations, 4 reflections), as bit permutations. */
function dihedral (v: Uint8Array): Uint8Array[] {
  const maps: Array<(r: number, c: number) => [number, number]> = [
    (r, c) => [r, c], (r, c) => [15 - c, r], (r, c) => [15 - r, 15 - c], (r, c) => [c, 15 - r],
    (r, c) => [r, 15 - c], (r, c) => [15 - r, c], (r, c) => [c, r], (r, c) => [15 - c, 15 - r]
  ]
  return maps.map(map => {
    const out = new Uint8Array(32)
    for (let r = 0; r < 16; r++) {
      for (let c = 0; c < 16; c++) {
        const [sr, sc] = map(r, c)
        const i = r * 16 + c
        out[i >> 3]! |= gridBit(v, sr, sc) << (7 - (i & 7))
      }
    }
    return out
  })
}

interface Workload {
  /** Stored values, 32 bytes each. */
  pool: Buffer
  queries: Uint8Array[]
}

/** Random stored values; for query i, value 3i is at distance 0-31 from it and 3i+1, 3i+2 at 32-40. */
function workload (hashes: number, queries: number): Workload {
  const pool = randomPool(hashes)
  const qs: Uint8Array[] = []
  for (let i = 0; i < queries; i++) {
    const q = randomBytes(32)
    qs.push(q)
    pool.set(flipRandomBits(q, randomInt(32)), 96 * i)
    pool.set(flipRandomBits(q, 32 + randomInt(9)), 96 * i + 32)
    pool.set(flipRandomBits(q, 32 + randomInt(9)), 96 * i + 64)
  }
  return { pool, queries: qs }
}

// ---- Brute force, written plainly ------------------------------------------------------------------

function popcount (x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
}

/** Big-endian 32-bit words of every stored value, so that a scan is 8 XORs and popcounts per value. */
function wordsOf (pool: Buffer): Int32Array {
  const words = new Int32Array(pool.length / 4)
  for (let i = 0; i < words.length; i++) words[i] = pool.readInt32BE(4 * i)
  return words
}

/** Every stored value within d of q, as "hex:distance", sorted like the index's answer. */
function bruteForce (words: Int32Array, q: Uint8Array, d: number): string[] {
  const qw = wordsOf(Buffer.from(q))
  const hits: Array<{ at: number, distance: number }> = []
  for (let at = 0; at < words.length; at += 8) {
    let distance = 0
    for (let j = 0; j < 8; j++) distance += popcount(words[at + j]! ^ qw[j]!)
    if (distance <= d) hits.push({ at, distance })
  }
  return hits.map(h => ({ h: hexOfWords(words, h.at), distance: h.distance }))
    .sort((a, b) => a.distance - b.distance || (a.h < b.h ? -1 : 1)).map(x => `${x.h}:${x.distance}`)
}

function hexOfWords (words: Int32Array, at: number): string {
  let s = ''
  for (let j = 0; j < 8; j++) s += (words[at + j]! >>> 0).toString(16).padStart(8, '0')
  return s
}

/** The same for several queries: each value once, at its least distance, with the first query there. */
function bruteForceMany (words: Int32Array, qs: Uint8Array[], d: number): string[] {
  const best = new Map<string, { distance: number, query: number }>()
  qs.forEach((q, i) => {
    for (const hit of bruteForce(words, q, d)) {
      const [h, dist] = hit.split(':') as [string, string]
      const seen = best.get(h)
      if (seen === undefined || Number(dist) < seen.distance) best.set(h, { distance: Number(dist), query: i })
    }
  })
  return [...best].sort((a, b) => a[1].distance - b[1].distance || (a[0] < b[0] ? -1 : 1)).map(([h, m]) => `${h}:${m.distance}:${m.query}`)
}

// ---- Measuring -----------------------------------------------------------------------------------

// The run command has no --expose-gc; memory deltas mean little without a collection first.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function settle (): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(100)
  }
  return process.memoryUsage()
}

/** Best rate over ROUNDS of running `fn` on every item. */
function bestRate<T> (items: readonly T[], fn: (item: T) => unknown, rounds = ROUNDS): number {
  let best = 0
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint()
    for (const item of items) fn(item)
    best = Math.max(best, items.length / seconds(started))
  }
  return best
}

function worst (pauses: readonly number[]): number {
  return pauses.reduce((a, b) => Math.max(a, b), 0)
}

const asStrings = (matches: Array<{ value: Uint8Array, distance: number, query?: number }>): string[] =>
  matches.map(m => `${Buffer.from(m.value).toString('hex')}:${m.distance}${m.query === undefined ? '' : `:${m.query}`}`)

const ALL = 1_000_000

function row (label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(58)}${value.padStart(18)}  ${note}`)
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`

interface Built { index: PdqIndex, buildS: number, indexBytes: number, rssDelta: number, bufferDelta: number }

async function build (pool: Buffer, options: Partial<PdqIndexOptions> = {}): Promise<Built> {
  const before = await settle()
  const started = process.hrtime.bigint()
  const index = PdqIndex.build(valuesOf(pool), options)
  const buildS = seconds(started)
  const after = await settle()
  return { index, buildS, indexBytes: index.memoryBytes(), rssDelta: after.rss - before.rss, bufferDelta: after.arrayBuffers - before.arrayBuffers }
}

function memoryRows (n: number, b: Built): void {
  row(`bulk build of ${fmt(n)} (PdqIndex.build)`, `${b.buildS.toFixed(2)} s`, `(${fmt(n / b.buildS)} hashes/s)`)
  row('  memory: index typed arrays (memoryBytes)', mib(b.indexBytes), `(${(b.indexBytes / n).toFixed(1)} B/hash)`)
  row('  memory: process RSS delta / ArrayBuffer delta', `${mib(b.rssDelta)} / ${mib(b.bufferDelta)}`)
}

async function main (): Promise<void> {
  console.log(`pdq index: ${fmt(HASHES)} random hashes with planted neighbours, ${fmt(QUERIES)} queries, node ${process.version}\n`)
  const { pool, queries } = workload(HASHES, QUERIES)
  const built = await build(pool)
  const { index } = built
  const words = wordsOf(pool)
  // Random 256-bit values do not collide: every stored hash is distinct.
  if (index.size !== HASHES) throw new Error(`expected ${HASHES} hashes, index holds ${index.size}`)

  // Correctness first: on the brute-force sample every answer must be identical, at every distance.
  const sample = queries.slice(0, BRUTE_SAMPLE)
  let started = process.hrtime.bigint()
  const brute63 = sample.map(q => bruteForce(words, q, 63))
  const bruteRate = sample.length / seconds(started)
  for (const d of [31, 47, 63]) {
    sample.forEach((q, i) => {
      const expected = brute63[i]!.filter(h => Number(h.split(':')[1]) <= d)
      const got = asStrings(index.search(q, d, ALL))
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`index and brute force differ at d = ${d} for query ${i}`)
    })
  }
  // Over every query: the planted neighbour within 31 is found, the ones at 32-40 are not.
  let planted = 0
  queries.forEach((q, i) => {
    const found = new Set(index.search(q, 31, ALL).map(m => Buffer.from(m.value).toString('hex')))
    if (!found.has(pool.subarray(96 * i, 96 * i + 32).toString('hex'))) throw new Error(`planted match of query ${i} missed`)
    if (found.has(pool.subarray(96 * i + 32, 96 * i + 64).toString('hex'))) throw new Error('a value past 31 reported')
    planted++
  })

  const rate31 = bestRate(queries, q => index.search(q, 31, 100))
  const rate47 = bestRate(queries.slice(0, QUERIES_D47), q => index.search(q, 47, 100))
  const rate63 = bestRate(queries.slice(0, QUERIES_D63), q => index.search(q, 63, 100), 2)
  const probing = PdqIndex.build(valuesOf(pool), { planner: 'mih' })
  const rate63mih = bestRate(queries.slice(0, QUERIES_D63), q => probing.search(q, 63, 100), 2)
  const rate100 = bestRate(queries.slice(0, QUERIES_D63), q => index.search(q, 100, 100), 2)

  // searchMany: the 8 dihedral variants of each query.
  const variants = queries.slice(0, MANY_QUERIES).map(dihedral)
  const manySample = variants.slice(0, Math.max(1, Math.floor(BRUTE_SAMPLE / 8)))
  started = process.hrtime.bigint()
  const bruteMany = manySample.map(vs => bruteForceMany(words, vs, 31))
  const bruteManyRate = manySample.length / seconds(started)
  manySample.forEach((vs, i) => {
    if (JSON.stringify(asStrings(index.searchMany(vs, 31, ALL))) !== JSON.stringify(bruteMany[i])) {
      throw new Error(`searchMany differs from brute force for query ${i}`)
    }
  })
  const rateMany = bestRate(variants, vs => index.searchMany(vs, 31, 100))

  row('step', 'figure', 'ratio / note')
  memoryRows(HASHES, built)
  console.log()
  row(`queries at d = 31 (${fmt(QUERIES)}), limit 100`, 'queries/s')
  row('PdqIndex.search', fmt(rate31), `${(rate31 / bruteRate).toFixed(0)}x brute force`)
  row(`brute-force scan in TypeScript (${fmt(BRUTE_SAMPLE)} queries)`, fmt(bruteRate), 'results identical')
  row('native C++ MIH, 1M hashes, d = 31 (stated, not measured)', CPP_REFERENCE_QPS, `PdqIndex at ${fmt(HASHES)}: ${(rate31 / 550).toFixed(1)}x the midpoint`)
  row('  planted matches found / near misses (32-40) reported', `${fmt(planted)} / 0`)
  row(`PdqIndex.search at d = 47 (${fmt(QUERIES_D47)} queries)`, fmt(rate47), `${(rate47 / bruteRate).toFixed(1)}x brute force`)
  row(`PdqIndex.search at d = 63 (${fmt(QUERIES_D63)} queries)`, fmt(rate63), `${(rate63 / bruteRate).toFixed(1)}x brute force (planner picks probe or scan)`)
  row('  same, planner: always probe (MIH)', fmt(rate63mih), `${(rate63mih / bruteRate).toFixed(1)}x brute force`)
  row('PdqIndex.search at d = 100 (linear scan)', fmt(rate100), `${(rate100 / bruteRate).toFixed(1)}x brute force`)
  row(`searchMany, 8 dihedral variants, d = 31 (${fmt(MANY_QUERIES)})`, `${fmt(rateMany)} calls/s`, `${(rateMany / bruteManyRate).toFixed(0)}x brute force`)
  row(`brute force x 8 variants (${fmt(manySample.length)} calls)`, `${fmt(bruteManyRate)} calls/s`, 'results identical')

  // Updates on the same index: batches of 10,000 (ingest) back to back, then the merges they still
  // owe done as idle time would (maintain), then single adds and removals (retraction).
  console.log()
  const pauses: number[] = []
  const timed = <T>(fn: () => T): T => {
    const t = process.hrtime.bigint()
    const out = fn()
    pauses.push(seconds(t))
    return out
  }
  const phase = (fn: () => unknown): { s: number, worst: number } => {
    pauses.length = 0
    const t = process.hrtime.bigint()
    fn()
    return { s: seconds(t), worst: worst(pauses) }
  }
  const fresh = randomPool(ADD_BATCHES * BATCH + SINGLE_ADDS)
  const batches = phase(() => {
    for (let b = 0; b < ADD_BATCHES; b++) timed(() => index.addMany(valuesOf(fresh.subarray(b * BATCH * 32, (b + 1) * BATCH * 32))))
  })
  const afterBatches = index.stats()
  const rateAfterBatches = bestRate(queries, q => index.search(q, 31, 100))
  const catchUp = phase(() => { while (timed(() => index.maintain(60))) { /* 60 ms slices until no merge is owed */ } })
  const caughtUp = index.stats()
  const rateCaughtUp = bestRate(queries, q => index.search(q, 31, 100))
  const singles = phase(() => {
    for (let i = ADD_BATCHES * BATCH; i < ADD_BATCHES * BATCH + SINGLE_ADDS; i++) timed(() => index.add(fresh.subarray(i * 32, i * 32 + 32)))
  })
  const removes = phase(() => {
    for (let i = 0; i < SINGLE_REMOVES; i++) {
      const at = (i % 2 === 0 ? randomInt(HASHES) : HASHES + randomInt(ADD_BATCHES * BATCH)) * 32
      const source = at < HASHES * 32 ? pool.subarray(at, at + 32) : fresh.subarray(at - HASHES * 32, at - HASHES * 32 + 32)
      timed(() => index.remove(source))
    }
  })
  const churned = index.stats()
  const rateChurned = bestRate(queries, q => index.search(q, 31, 100))
  // Retract a quarter: passes the compaction threshold once, which is the one full rebuild.
  const quarter = Math.ceil(index.size / 4)
  const retract = phase(() => { for (let i = 0; i < quarter; i++) timed(() => index.remove(pool.subarray(i * 32, i * 32 + 32))) })
  const afterQuarter = index.stats()

  const shape = (s: typeof churned): string => `${s.segments} segments, ${s.mergesRunning} merging`
  const ofBulk = (rate: number): string => `${(rate / rate31 * 100).toFixed(0)}% of the bulk-built rate`
  row(`updates on the ${fmt(HASHES)} index`, 'rate', 'worst single call')
  row(`addMany, ${ADD_BATCHES} batches of ${fmt(BATCH)} new hashes, back to back`, `${fmt(ADD_BATCHES * BATCH / batches.s)} adds/s`,
    `${ms(batches.worst)} per batch`)
  row(`  then ${shape(afterBatches)}: search d = 31`, `${fmt(rateAfterBatches)} queries/s`, ofBulk(rateAfterBatches))
  row('maintain(60) until no merge is owed (idle-time work)', `${catchUp.s.toFixed(2)} s`, `${ms(catchUp.worst)} per slice`)
  row(`  then ${shape(caughtUp)}: search d = 31`, `${fmt(rateCaughtUp)} queries/s`, `${ofBulk(rateCaughtUp)}, at ${fmt(caughtUp.size)} hashes`)
  row(`add, ${fmt(SINGLE_ADDS)} one at a time`, `${fmt(SINGLE_ADDS / singles.s)} adds/s`, ms(singles.worst))
  row(`remove, ${fmt(SINGLE_REMOVES)} one at a time`, `${fmt(SINGLE_REMOVES / removes.s)} removes/s`, ms(removes.worst))
  row(`  then ${shape(churned)}: search d = 31`, `${fmt(rateChurned)} queries/s`, ofBulk(rateChurned))
  row(`remove a quarter (${fmt(quarter)}), full rebuild x${afterQuarter.rebuilds - churned.rebuilds}`, `${fmt(quarter / retract.s)} removes/s`,
    `${ms(retract.worst)} (the rebuild)`)
  row('  merges done / tail flushes over all updates', `${churned.mergesDone} / ${churned.flushes}`)

  if (BIG > 0) {
    console.log()
    const bigQueries = Math.min(QUERIES, 2000)
    const big = workload(BIG, bigQueries)
    const bigBuilt = await build(big.pool)
    memoryRows(BIG, bigBuilt)
    const bigWords = wordsOf(big.pool)
    const bigSample = big.queries.slice(0, 10)
    started = process.hrtime.bigint()
    const bigBrute = bigSample.map(q => bruteForce(bigWords, q, 31))
    const bigBruteRate = bigSample.length / seconds(started)
    bigSample.forEach((q, i) => {
      if (JSON.stringify(asStrings(bigBuilt.index.search(q, 31, ALL))) !== JSON.stringify(bigBrute[i])) {
        throw new Error(`index and brute force differ at ${BIG}`)
      }
    })
    const bigRate = bestRate(big.queries, q => bigBuilt.index.search(q, 31, 100), 2)
    const bigRate47 = bestRate(big.queries.slice(0, 200), q => bigBuilt.index.search(q, 47, 100), 1)
    row(`PdqIndex.search at ${fmt(BIG)}, d = 31 (${fmt(bigQueries)} queries)`, `${fmt(bigRate)} queries/s`,
      `${(bigRate / bigBruteRate).toFixed(0)}x brute force`)
    row(`PdqIndex.search at ${fmt(BIG)}, d = 47 (200 queries)`, `${fmt(bigRate47)} queries/s`, `${(bigRate47 / bigBruteRate).toFixed(0)}x brute force`)
    row(`brute force at ${fmt(BIG)} (${bigSample.length} queries)`, `${bigBruteRate.toFixed(1)} queries/s`, 'results identical')
  }
  console.log(`\npeak RSS of the whole run: ${mib(process.resourceUsage().maxRSS * 1024)}`)
}

await main()
