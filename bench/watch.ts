/**
 * Retroactive matching's cost on ingest: signed batches of 10,000 entries (half PDQ, half sha256)
 * ingested through the real BatchIngester into a temp store holding 1M watched items (half PDQ),
 * against the same batches ingested into a store with no watch list, in the same run, rounds
 * alternating. Also the watch list's load time at start and its memory per item.
 *
 *   npm run bench:watch                       # 1,000,000 watched items, 6 rounds of 2 batches
 *   WATCH_ITEMS=200000 WATCH_ROUNDS=3 npm run bench:watch
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf, sign } from '../src/crypto/ed25519.js'
import { BatchIngester } from '../src/ingest/batchIngester.js'
import { StaticTrustList } from '../src/ingest/trustPolicy.js'
import { silentLogger } from '../src/logger.js'
import { HashJudge } from '../src/lookup/hashJudge.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { toHex } from '../src/signals/hex.js'
import { HashStore } from '../src/store/hashStore.js'
import { LOCAL_SOURCE } from '../src/wire/batchSource.js'
import { batchId, encodeBatchBody, encodeSignedBatch } from '../src/wire/batchCodec.js'
import { Action, type Entry } from '../src/wire/types.js'
import { WatchIndexes } from '../src/watch/watchIndexes.js'
import { type WatchItemInput, parseWatchItems } from '../src/watch/watchInput.js'
import { loadWatchParts } from '../src/watch/watchParts.js'
import { fmt, seconds } from './figures.js'

const ITEMS = Number(process.env.WATCH_ITEMS ?? 1_000_000)
const ROUNDS = Number(process.env.WATCH_ROUNDS ?? 6)
const BATCHES_PER_ROUND = 2
const ENTRIES = 10_000
const NETWORK = 'bench'
const OPTIONS = { pdqMaxDistance: 31, maxItems: 10_000_000 }

/** Every batch of the run, one chain, half PDQ: none of them hits a watched item (the common case). */
function makeBatches (secretKey: Uint8Array, count: number): Uint8Array[] {
  const publisher = publicKeyOf(secretKey)
  const out: Uint8Array[] = []
  let prev: Uint8Array = new Uint8Array(0)
  for (let seq = 1; seq <= count; seq++) {
    const entries: Entry[] = Array.from({ length: ENTRIES }, (_, i) => ({
      signalType: i % 2 === 0 ? 'pdq' : 'sha256', value: randomBytes(32), labels: ['category:bench'], action: Action.ADD
    }))
    const body = encodeBatchBody({ publisher, seq, prev, createdAtMs: Date.now(), network: NETWORK, entries })
    out.push(encodeSignedBatch(body, sign(body, secretKey)))
    prev = batchId(body)
  }
  return out
}

interface Node { store: HashStore, ingester: BatchIngester }

async function openNode (path: string, publisher: Uint8Array, watched: boolean): Promise<Node> {
  const store = await HashStore.open(path)
  const indexes = await LookupIndexes.load(store, silentLogger())
  const observers = []
  if (watched) {
    const parts = await loadWatchParts({ store, judge: new HashJudge(), lookupIndexes: indexes }, OPTIONS)
    observers.push(parts.observer)
  }
  const ingester = new BatchIngester(
    { store, indexes, trust: new StaticTrustList([], publisher), logger: silentLogger(), observers },
    { network: NETWORK, maxClockSkewMs: 600_000 }
  )
  return { store, ingester }
}

/** 1M items in requests of 10,000, as POST /v1/watch takes them. */
async function fillWatchList (path: string): Promise<number> {
  const store = await HashStore.open(path)
  const parts = await loadWatchParts({ store, judge: new HashJudge(), lookupIndexes: new LookupIndexes(store) }, OPTIONS)
  const started = process.hrtime.bigint()
  for (let from = 0; from < ITEMS; from += 10_000) {
    const chunk: WatchItemInput[] = []
    for (let i = from; i < Math.min(ITEMS, from + 10_000); i++) {
      chunk.push({ id: `content/${i}`, hashes: i % 2 === 0 ? { pdq: toHex(randomBytes(32)) } : { sha256: toHex(randomBytes(32)) } })
    }
    await parts.list.add(parseWatchItems(chunk))
  }
  const s = seconds(started)
  await store.close()
  return s
}

function heapBytes (): number {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

async function measureLoad (path: string): Promise<WatchIndexes> {
  const store = await HashStore.open(path)
  const before = heapBytes()
  const started = process.hrtime.bigint()
  const indexes = await WatchIndexes.load(store)
  const loadS = seconds(started)
  const after = heapBytes()
  console.log(`watch list load at start: ${fmt(indexes.size)} items in ${loadS.toFixed(2)} s`)
  const gcNote = globalThis.gc === undefined ? ' (run node with --expose-gc for a steadier figure)' : ''
  const pdqBytes = indexes.pdq.memoryBytes()
  const exactBytes = indexes.exact.memoryBytes()
  const perItem = fmt((exactBytes + pdqBytes) / indexes.size)
  console.log(`memory: ${perItem} B/item in the indexes' arrays: exact set ${fmt(exactBytes / 2 ** 20)} MiB for ` +
    `${fmt(indexes.exact.size)} hashes (${fmt(exactBytes / indexes.exact.size)} B each), ` +
    `PDQ index ${fmt(pdqBytes / 2 ** 20)} MiB for ${fmt(indexes.pdq.size)} ` +
    `(${fmt(pdqBytes / indexes.pdq.size)} B each); heap grew ${fmt((after - before) / indexes.size)} B/item${gcNote}`)
  await store.close()
  return indexes
}

/** The cost retroactive matching adds per PDQ entry: one near search of the watched PDQs. */
async function timeNearSearches (indexes: WatchIndexes): Promise<void> {
  const queries = Array.from({ length: 2000 }, () => randomBytes(32))
  const started = process.hrtime.bigint()
  for (const q of queries) indexes.mayWatchNear(q, OPTIONS.pdqMaxDistance)
  const s = seconds(started)
  console.log(`near search of the watched PDQs at d = ${OPTIONS.pdqMaxDistance}: ${fmt(s / queries.length * 1e6)} µs each (${fmt(queries.length / s)}/s)`)
  // What ingest does: a batch's PDQ entries searched together.
  const batch = Array.from({ length: ENTRIES / 2 }, () => randomBytes(32))
  const batchStarted = process.hrtime.bigint()
  indexes.mayWatchNearMany(batch, OPTIONS.pdqMaxDistance)
  const batchS = seconds(batchStarted)
  console.log(`the same for a batch's ${fmt(batch.length)} PDQs at once: ${fmt(batchS * 1000)} ms (${fmt(batchS / batch.length * 1e6)} µs each)`)
}

async function ingestRound (node: Node, batches: readonly Uint8Array[]): Promise<number> {
  const started = process.hrtime.bigint()
  for (const bytes of batches) {
    const outcome = await node.ingester.ingest(bytes, LOCAL_SOURCE)
    if (outcome.code !== 'ACCEPTED') throw new Error(`bench batch not accepted: ${outcome.code}`)
  }
  return seconds(started)
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-watch-'))
  try {
    const shape = `${ROUNDS} rounds × ${BATCHES_PER_ROUND} batches of ${fmt(ENTRIES)} entries (half PDQ)`
    console.log(`watch: ${fmt(ITEMS)} watched items (half PDQ), ${shape}, node ${process.version}\n`)
    const fillS = await fillWatchList(join(dir, 'watched'))
    console.log(`registering ${fmt(ITEMS)} items in requests of 10,000: ${fillS.toFixed(1)} s (${fmt(ITEMS / fillS)} items/s)`)
    // Held while ingest runs, so the heap figure is not a transient one.
    const loaded = await measureLoad(join(dir, 'watched'))
    await timeNearSearches(loaded)
    const key = generateSecretKey()
    const batches = makeBatches(key, ROUNDS * BATCHES_PER_ROUND)
    const plain = await openNode(join(dir, 'plain'), publicKeyOf(key), false)
    const watched = await openNode(join(dir, 'watched'), publicKeyOf(key), true)
    let plainS = 0
    let watchedS = 0
    for (let r = 0; r < ROUNDS; r++) {
      const round = batches.slice(r * BATCHES_PER_ROUND, (r + 1) * BATCHES_PER_ROUND)
      // Alternating which goes first, so neither always runs on a warmer cache.
      if (r % 2 === 0) {
        plainS += await ingestRound(plain, round)
        watchedS += await ingestRound(watched, round)
      } else {
        watchedS += await ingestRound(watched, round)
        plainS += await ingestRound(plain, round)
      }
    }
    const n = ROUNDS * BATCHES_PER_ROUND
    console.log(`\ningest without a watch list: ${fmt(plainS / n * 1000)} ms per 10,000-entry batch`)
    console.log(`ingest with ${fmt(ITEMS)} watched items: ${fmt(watchedS / n * 1000)} ms per batch`)
    console.log(`ratio with / without: ${(watchedS / plainS).toFixed(2)} × (goal ≤ 1.25 ×)`)
    await plain.store.close()
    await watched.store.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
