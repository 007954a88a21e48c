/**
 * Lookup speed and memory: N random hashes (half sha256, half md5) stored as signed batches of
 * 10,000 in a real LevelDB, the ExactIndex rebuilt from the store, then in the same run:
 *   - membership lookups/s (half hits, half misses): ExactIndex beside a Map<string, …> of the same keys;
 *   - full positive lookups/s (index hit, then store.entriesFor) beside a raw LevelDB get of the same rows;
 *   - batch lookups of hits beside a raw LevelDB getMany of the same rows: LookupService.lookupMany
 *     (every entry's full row, a range read per hash), and summarise (one HashRows record per hash)
 *     with its cache off, and again for 1,000 hot hashes asked over and over (all cached).
 * Only the ratios are stable on a noisy 2-core machine.
 *
 *   npm run bench:lookup                         # 1,000,000 hashes
 *   LOOKUP_HASHES=100000 npm run bench:lookup    # or: npx tsx --import ./src/polyfill.ts bench/lookup.ts 100000
 */
import { randomBytes, randomInt } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Level } from 'level'
import { generateSecretKey, publicKeyOf } from '../src/crypto/ed25519.js'
import { ExactIndex } from '../src/index/exactIndex.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { toHex } from '../src/signals/hex.js'
import { requireSignalType, type SignalType } from '../src/signals/registry.js'
import { LookupService, type LookupQuery } from '../src/lookup/lookupService.js'
import { HashStore } from '../src/store/hashStore.js'
import { entryKey, type EntryKey } from '../src/store/keys.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { Action, type DecodedBatch, type Entry } from '../src/wire/types.js'
import { makeSignedBatch } from '../test/helpers/batches.js'
import { LOCAL_SOURCE } from '../src/wire/batchSource.js'
import { fmt, seconds } from './figures.js'

const HASHES = Number(process.argv[2] ?? process.env.LOOKUP_HASHES ?? 1_000_000)
if (!Number.isSafeInteger(HASHES) || HASHES < 1) throw new Error(`hash count must be a positive integer, got ${HASHES}`)
/** Membership queries per round: enough for a stable rate, few enough to hold as prepared keys. */
const MEMBERSHIP_QUERIES = Math.min(1_000_000, 2 * HASHES)
/** Best of a few rounds: the first round also pays for JIT warm-up. */
const ROUNDS = 3
/** Full lookups await LevelDB one at a time (~10k/s here); 20k keeps each side to a few seconds. */
const POSITIVE_QUERIES = Math.min(20_000, HASHES)
/** Queries per batch lookup, like one POST /v1/lookup from a platform checking a day's uploads. */
const BATCH_QUERIES = Math.min(1_000, POSITIVE_QUERIES)
const WARMUP_QUERIES = Math.min(2_000, HASHES)
/** Bytes reserved per stored hash in the value pool: the longest type used. */
const POOL_STRIDE = 32

const SHA256 = requireSignalType('sha256')
const MD5 = requireSignalType('md5')

/** Hash i is sha256 when i is even, md5 when odd; its bytes live at i * POOL_STRIDE in one pool. */
class Hashes {
  private readonly pool = randomBytes(HASHES * POOL_STRIDE)

  type (i: number): SignalType {
    return i % 2 === 0 ? SHA256 : MD5
  }

  value (i: number): Uint8Array {
    return this.pool.subarray(i * POOL_STRIDE, i * POOL_STRIDE + this.type(i).length)
  }

  /** Where hash i sits in the store: batches hold consecutive hashes in order. */
  row (i: number, publisher: Uint8Array): EntryKey {
    const seq = Math.floor(i / MAX_ENTRIES_PER_BATCH) + 1
    return { signalTypeCode: this.type(i).code, value: this.value(i), publisher, seq, position: i % MAX_ENTRIES_PER_BATCH }
  }
}

interface Query { code: number, value: Uint8Array, hexKey: string }

/** Collections before each memory reading: V8 frees ArrayBuffer memory on a background thread, after a GC. */
const SETTLE_ROUNDS = 3
const SETTLE_MS = 100

// The run command has no --expose-gc; memory deltas mean little without a collection first.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

async function memory (): Promise<number> {
  for (let i = 0; i < SETTLE_ROUNDS; i++) {
    gc()
    await sleep(SETTLE_MS)
  }
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

function mapKey (code: number, value: Uint8Array): string {
  return `${code}:${toHex(value)}`
}

async function fillStore (store: HashStore, hashes: Hashes, secretKey: Uint8Array): Promise<number> {
  let prev: Uint8Array | undefined
  let storing = 0
  for (let first = 0, seq = 1; first < HASHES; first += MAX_ENTRIES_PER_BATCH, seq++) {
    const entries: Entry[] = []
    for (let i = first; i < Math.min(first + MAX_ENTRIES_PER_BATCH, HASHES); i++) {
      entries.push({ signalType: hashes.type(i).name, value: hashes.value(i), labels: ['bench'], action: Action.ADD })
    }
    const batch: DecodedBatch = makeSignedBatch({ secretKey, seq, prev, entries, network: 'bench' })
    const started = process.hrtime.bigint()
    await store.applyBatch(batch, { receivedAtMs: Date.now(), source: LOCAL_SOURCE })
    storing += seconds(started)
    prev = batch.id
  }
  return storing
}

/**
 * Half stored hashes, half fresh random values of the same types, shuffled together. Each query's
 * bytes are copied into one buffer in query order, as a request's values would arrive; the Map's
 * prepared keys are likewise created in query order.
 */
function membershipQueries (hashes: Hashes): Query[] {
  const picks = Array.from({ length: MEMBERSHIP_QUERIES }, (_, q) => ({ i: randomInt(HASHES), hit: q % 2 === 0 }))
  for (let q = picks.length - 1; q > 0; q--) {
    const j = randomInt(q + 1)
    ;[picks[q], picks[j]] = [picks[j]!, picks[q]!]
  }
  const bytes = Buffer.alloc(MEMBERSHIP_QUERIES * POOL_STRIDE)
  return picks.map(({ i, hit }, q) => {
    const type = hashes.type(i)
    const value = bytes.subarray(q * POOL_STRIDE, q * POOL_STRIDE + type.length)
    value.set(hit ? hashes.value(i) : randomBytes(type.length))
    return { code: type.code, value, hexKey: mapKey(type.code, value) }
  })
}

/** Best rate over ROUNDS; the hit count must be the same every round or a contender is wrong. */
function bestRate (queries: Query[], expectedHits: number, has: (q: Query) => boolean): number {
  let best = 0
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint()
    let hits = 0
    for (const q of queries) if (has(q)) hits++
    const rate = queries.length / seconds(started)
    if (hits !== expectedHits) throw new Error(`expected ${expectedHits} hits, got ${hits}`)
    best = Math.max(best, rate)
  }
  return best
}

async function timedRate (count: number, fn: (i: number) => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await fn(i)
  return count / seconds(started)
}

/**
 * After untimed requests of other hashes: the first requests on a store just opened also pay for
 * the JIT and for opening LevelDB's table files.
 */
async function summariseRate (lookups: LookupService, queries: LookupQuery[], warmUp: LookupQuery[]): Promise<number> {
  for (let from = 0; from < warmUp.length; from += BATCH_QUERIES) await lookups.summarise(warmUp.slice(from, from + BATCH_QUERIES))
  return await timedRate(queries.length / BATCH_QUERIES, async n => {
    const answers = await lookups.summarise(queries.slice(n * BATCH_QUERIES, (n + 1) * BATCH_QUERIES))
    if (!answers.every(a => a.listed)) throw new Error('expected every hash listed')
  }) * BATCH_QUERIES
}

function sample (count: number): number[] {
  return Array.from({ length: count }, () => randomInt(HASHES))
}

function row (label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(46)}${value.padStart(16)}  ${note}`)
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-lookup-'))
  const dbPath = join(dir, 'db')
  try {
    const secretKey = generateSecretKey()
    const publisher = publicKeyOf(secretKey)
    const hashes = new Hashes()
    console.log(`lookup: ${fmt(HASHES)} hashes (half sha256, half md5) in batches of ${fmt(MAX_ENTRIES_PER_BATCH)}, node ${process.version}\n`)

    let store = await HashStore.open(dbPath)
    const storeS = await fillStore(store, hashes, secretKey)
    // Reopen so the rebuild reads from disk as a node start does.
    await store.close()
    store = await HashStore.open(dbPath)

    const beforeIndex = await memory()
    let started = process.hrtime.bigint()
    const index = new ExactIndex()
    const rows = await store.forEachIndexedValue((code, value) => { index.add(code, value) })
    const rebuildS = seconds(started)
    const indexBytes = await memory() - beforeIndex

    const beforeMap = await memory()
    started = process.hrtime.bigint()
    const map = new Map<string, true>()
    await store.forEachIndexedValue((code, value) => { map.set(mapKey(code, value), true) })
    const mapBuildS = seconds(started)
    const mapBytes = await memory() - beforeMap
    if (index.size !== HASHES || map.size !== HASHES || rows !== HASHES) {
      throw new Error(`expected ${HASHES} hashes, index ${index.size}, map ${map.size}, rows ${rows}`)
    }

    const queries = membershipQueries(hashes)
    const expectedHits = MEMBERSHIP_QUERIES / 2
    const indexRate = bestRate(queries, expectedHits, q => index.has(q.code, q.value))
    const mapHexRate = bestRate(queries, expectedHits, q => map.has(mapKey(q.code, q.value)))
    const mapKeyRate = bestRate(queries, expectedHits, q => map.has(q.hexKey))

    for (const i of sample(WARMUP_QUERIES)) await store.entriesFor(hashes.type(i).code, hashes.value(i))
    const positives = sample(POSITIVE_QUERIES)
    const fullRate = await timedRate(positives.length, async n => {
      const i = positives[n]!
      const value = hashes.value(i)
      if (!index.has(hashes.type(i).code, value)) throw new Error('stored hash missing from index')
      if ((await store.entriesFor(hashes.type(i).code, value)).length !== 1) throw new Error('expected one row')
    })
    const lookups = new LookupService({ store, indexes: new LookupIndexes(store, { exact: index }) })
    const asQuery = (i: number): LookupQuery => ({ type: hashes.type(i).name, value: Buffer.from(hashes.value(i)).toString('hex') })
    const manyRate = await timedRate(positives.length / BATCH_QUERIES, async n => {
      const answers = await lookups.lookupMany(positives.slice(n * BATCH_QUERIES, (n + 1) * BATCH_QUERIES).map(asQuery))
      if (!answers.every(a => a.listed)) throw new Error('expected every hash listed')
    }) * BATCH_QUERIES
    await store.close()
    // Each summarise figure on a store just opened, with its HashRows cache on and off, and fresh
    // samples: a repeat of the same keys would find LevelDB's block cache warm.
    const summarising = async (cache: boolean, measure: (lookups: LookupService) => Promise<number>): Promise<number> => {
      store = await HashStore.open(dbPath, cache ? {} : { hashRowsCache: { maxRecords: 0, maxBytes: 0 } })
      try {
        return await measure(new LookupService({ store, indexes: new LookupIndexes(store, { exact: index }) }))
      } finally {
        await store.close()
      }
    }
    const coldRate = await summarising(false, async l => await summariseRate(l, sample(POSITIVE_QUERIES).map(asQuery), sample(WARMUP_QUERIES).map(asQuery)))
    const summaryRate = await summarising(true, async l => await summariseRate(l, sample(POSITIVE_QUERIES).map(asQuery), sample(WARMUP_QUERIES).map(asQuery)))
    const hot = positives.slice(0, BATCH_QUERIES).map(asQuery)
    const hotRate = await summarising(true, async l => await summariseRate(l, Array.from({ length: POSITIVE_QUERIES / BATCH_QUERIES }, () => hot).flat(), hot))

    const db = new Level<Uint8Array, Uint8Array>(dbPath, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    for (const i of sample(WARMUP_QUERIES)) await db.get(entryKey(hashes.row(i, publisher)))
    const getRate = await timedRate(positives.length, async n => {
      if (await db.get(entryKey(hashes.row(positives[n]!, publisher))) === undefined) throw new Error('row missing')
    })
    const getManyRate = await timedRate(positives.length / BATCH_QUERIES, async n => {
      const keys = positives.slice(n * BATCH_QUERIES, (n + 1) * BATCH_QUERIES).map(i => entryKey(hashes.row(i, publisher)))
      if ((await db.getMany(keys)).some(v => v === undefined)) throw new Error('row missing')
    }) * BATCH_QUERIES
    await db.close()

    row('step', 'figure')
    row('store: applyBatch', `${fmt(HASHES / storeS)} rows/s`, `(${storeS.toFixed(1)} s)`)
    row('rebuild ExactIndex from store', `${rebuildS.toFixed(2)} s`, `(${fmt(rows / rebuildS)} rows/s)`)
    row('ExactIndex memory', mib(indexBytes), `(${(indexBytes / HASHES).toFixed(1)} B/hash)`)
    row('Map<string, true> build from store', `${mapBuildS.toFixed(2)} s`)
    row('Map<string, true> memory', mib(mapBytes), `(${(mapBytes / HASHES).toFixed(1)} B/hash)`)
    console.log()
    row(`membership, ${fmt(MEMBERSHIP_QUERIES)} queries, 50% hits`, 'lookups/s', 'ratio ExactIndex / this')
    row('ExactIndex.has(bytes)', fmt(indexRate))
    row('Map.has(hex of bytes)  [same input]', fmt(mapHexRate), (indexRate / mapHexRate).toFixed(2))
    row('Map.has(prepared hex)  [key given free]', fmt(mapKeyRate), (indexRate / mapKeyRate).toFixed(2))
    console.log()
    row(`full positive lookups, ${fmt(POSITIVE_QUERIES)} sequential`, 'lookups/s', 'ratio this / raw get')
    row('ExactIndex.has + store.entriesFor', fmt(fullRate), (fullRate / getRate).toFixed(2))
    row('raw LevelDB get of the same row key', fmt(getRate))
    console.log()
    row(`batch lookups of hits, ${fmt(BATCH_QUERIES)} per request`, 'lookups/s', 'ratio this / raw getMany')
    row('LookupService.lookupMany (hex in, answers out)', fmt(manyRate), (manyRate / getManyRate).toFixed(2))
    row('LookupService.summarise, cache off', fmt(coldRate), (coldRate / getManyRate).toFixed(2))
    row('LookupService.summarise, cache on (random hits)', fmt(summaryRate), (summaryRate / getManyRate).toFixed(2))
    row(`LookupService.summarise, ${fmt(BATCH_QUERIES)} hot hashes`, fmt(hotRate), (hotRate / getManyRate).toFixed(2))
    row('raw LevelDB getMany of the same row keys', fmt(getManyRate))
    console.log(`\nmemory: ExactIndex uses ${(mapBytes / indexBytes).toFixed(1)}× less than the Map`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
