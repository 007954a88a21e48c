/**
 * Ingest throughput: signed batches of 10,000 entries decoded, verified and stored (the real
 * BatchIngester over a real LevelDB store and the in-memory index), beside a raw LevelDB batch put
 * of the same entry-index keys in the same run. Only the ratio is stable on a noisy 2-core machine.
 *
 *   npm run bench:ingest                 # 20 batches × 10,000 entries
 *   INGEST_BATCHES=50 npm run bench:ingest
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { generateSecretKey, nativeSha512, publicKeyOf, sign, verify } from '../src/crypto/ed25519.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { BatchIngester } from '../src/ingest/batchIngester.js'
import { StaticTrustList } from '../src/ingest/trustPolicy.js'
import { silentLogger } from '../src/logger.js'
import { HashStore } from '../src/store/hashStore.js'
import { entryKey } from '../src/store/keys.js'
import { batchId, decodeSignedBatch, encodeBatchBody, encodeSignedBatch } from '../src/wire/batchCodec.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { Action, type Entry } from '../src/wire/types.js'
import { LOCAL_SOURCE } from '../src/wire/batchSource.js'

const BATCHES = Number(process.env.INGEST_BATCHES ?? 20)
const NETWORK = 'bench'
const SHA256_CODE = 3

function makeBatches (secretKey: Uint8Array): Uint8Array[] {
  const publisher = publicKeyOf(secretKey)
  const out: Uint8Array[] = []
  let prev: Uint8Array = new Uint8Array(0)
  for (let seq = 1; seq <= BATCHES; seq++) {
    const entries: Entry[] = Array.from({ length: MAX_ENTRIES_PER_BATCH }, () => ({
      signalType: 'sha256', value: randomBytes(32), labels: ['category:bench'], action: Action.ADD
    }))
    const body = encodeBatchBody({ publisher, seq, prev, createdAtMs: Date.now(), network: NETWORK, entries })
    out.push(encodeSignedBatch(body, sign(body, secretKey)))
    prev = batchId(body)
  }
  return out
}

async function timeIt (fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e9
}

async function ingestThroughNode (dir: string, batches: Uint8Array[], publisher: Uint8Array): Promise<number> {
  const store = await HashStore.open(join(dir, 'node'))
  const ingester = new BatchIngester(
    { store, indexes: new LookupIndexes(store), trust: new StaticTrustList([], publisher), logger: silentLogger() },
    { network: NETWORK, maxClockSkewMs: 60_000 }
  )
  const seconds = await timeIt(async () => {
    for (const bytes of batches) {
      const outcome = await ingester.ingest(bytes, LOCAL_SOURCE)
      if (outcome.action !== 'accept') throw new Error(`bench batch not accepted: ${outcome.code}`)
    }
  })
  await store.close()
  return seconds
}

/** The baseline: what LevelDB alone costs for one index row per entry, in 10,000-row batches. */
async function rawLevelPut (dir: string, batches: Uint8Array[]): Promise<number> {
  const decoded = batches.map(decodeSignedBatch)
  const db = new Level<Uint8Array, Uint8Array>(join(dir, 'raw'), { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  const seconds = await timeIt(async () => {
    for (const { body } of decoded) {
      const ops = body.entries.map((e, position) => ({
        type: 'put' as const,
        key: entryKey({ signalTypeCode: SHA256_CODE, value: e.value, publisher: body.publisher, seq: body.seq, position }),
        value: Buffer.from(e.labels.join(';'))
      }))
      await db.batch(ops)
    }
  })
  await db.close()
  return seconds
}

function rate (n: number, seconds: number): string {
  return Math.round(n / seconds).toLocaleString('en-US').padStart(12)
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-ingest-'))
  try {
    const secretKey = generateSecretKey()
    const publisher = publicKeyOf(secretKey)
    const batches = makeBatches(secretKey)
    const entries = BATCHES * MAX_ENTRIES_PER_BATCH
    const kib = Math.round(batches.reduce((s, b) => s + b.length, 0) / batches.length / 1024)
    console.log(`ingest: ${BATCHES} signed batches × ${MAX_ENTRIES_PER_BATCH} sha256 entries (${kib} KiB each), node ${process.version}\n`)

    const decodeS = await timeIt(async () => { for (const b of batches) decodeSignedBatch(b) })
    const decoded = batches.map(decodeSignedBatch)
    const verifyAll = async (): Promise<number> => await timeIt(async () => { for (const d of decoded) verify(d.signature, d.bodyBytes, publisher) })
    const verifyS = await verifyAll()
    ed.hashes.sha512 = sha512
    const verifyNobleShaS = await verifyAll()
    ed.hashes.sha512 = nativeSha512
    const rawS = await rawLevelPut(dir, batches)
    const nodeS = await ingestThroughNode(dir, batches, publisher)

    console.log('step                                   entries/s     batches/s')
    console.log(`decode + bounds only                ${rate(entries, decodeS)}  ${rate(BATCHES, decodeS)}`)
    console.log(`verify only (noble, native SHA-512) ${rate(entries, verifyS)}  ${rate(BATCHES, verifyS)}`)
    console.log(`verify only (noble, noble SHA-512)  ${rate(entries, verifyNobleShaS)}  ${rate(BATCHES, verifyNobleShaS)}`)
    console.log(`raw LevelDB batch put (baseline)    ${rate(entries, rawS)}  ${rate(BATCHES, rawS)}`)
    console.log(`hashmesh ingest (decode+verify+store+index) ${rate(entries, nodeS).trim()} entries/s`)
    console.log(`\nratio hashmesh ingest / raw LevelDB put: ${(rawS / nodeS).toFixed(2)}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
