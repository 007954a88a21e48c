import { mkdir } from 'node:fs/promises'
import { Level } from 'level'
import { requireSignalType } from '../signals/registry.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import { BATCH_ID_BYTES } from '../wire/limits.js'
import type { Action, DecodedBatch } from '../wire/types.js'
import { Bucket, MetaKey } from './buckets.js'
import { type ChainProblem, type ChainScan, chainProblems } from './chainCheck.js'
import { StoreError } from './errors.js'
import { type HashRow, type HashRows, decodeHashRows, encodeHashRows, withRows } from './hashRows.js'
import { buildHashRows } from './hashRowsMigration.js'
import { HashRowsCache, type HashRowsCacheOptions } from './hashRowsCache.js'
import { type ListingRow, isListed } from './listing.js'
import {
  type KeyRange, batchAtKey, parseBatchAtKey, batchIdKey, bucketRange, entryKey, entryRangeFor, entryTypeRange, hashRowsKey, headKey, metaKey,
  parseEntryKey, parsePublisherKey, signedBatchKey, equivocationKey
} from './keys.js'
import {
  type EquivocationRecord, decodeEquivocationRecord, encodeEquivocationRecord,
  decodeHead, decodeIndexRow, decodeStoreMeta, decodeStoredBatch, encodeBatchLocation,
  encodeHead, encodeIndexRow, encodeStoreMeta, encodeStoredBatch
} from './records.js'

/** Layout version written into a new store. Bumped when a key or record changes meaning. */
export const SCHEMA_VERSION = 2

/**
 * Rows one lookup returns, oldest publisher/seq first. A hash mentioned more often than this is
 * pathological (re-listed in batch after batch); a lookup must stay bounded in time and memory.
 */
export const MAX_ROWS_PER_LOOKUP = 10_000

/** Rows per native call when reading one hash's rows: covers every ordinary hash in one call. */
const LOOKUP_READ_ROWS = 64

/** Keys per native call when scanning the whole index: amortises the call, keeps each chunk ~100 KB. */
const SCAN_CHUNK_KEYS = 1000

/** Keys per getMany when reading HashRows: one native call answers a whole ordinary batch lookup. */
const HASH_ROWS_READ_KEYS = 1000

/** A hash by its signal type's code and raw value. */
export interface TypedValue { signalTypeCode: number, value: Uint8Array }

export interface HashStoreOptions {
  hashRowsCache?: HashRowsCacheOptions
}

export interface BatchReceipt { receivedAtMs: number, source: string }

export type ApplyResult = 'stored' | 'duplicate'

export interface HeadRecord { publisher: Uint8Array, seq: number, headId: Uint8Array, batches: number, entries: number }

export interface EntryRecord {
  publisher: Uint8Array
  seq: number
  /** Index of the entry in its batch. */
  position: number
  batchId: Uint8Array
  action: Action
  labels: string[]
  receivedAtMs: number
  createdAtMs: number
  /** Opinions only: the reason code given. */
  reason?: string
}

type Db = Level<Uint8Array, Uint8Array>
export type StoreDb = Level<Uint8Array, Uint8Array>
/** One write of an atomic batch; the store's repositories (forum records, allowlist, audit log) build these. */
export type StoreOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }
/** Called under the store's write lock; what it returns is written in the same atomic batch. */
export type ExtraOps = () => Promise<StoreOp[]>
type PutOp = StoreOp

/**
 * Batches, their ids and heads, and an entry index laid out so that every row for one hash is one
 * contiguous key range. Everything one batch changes is written in one atomic LevelDB batch.
 */
export class HashStore {
  private readonly levelDb: Db
  private applyChain: Promise<unknown> = Promise.resolve()
  private readonly rowsCache: HashRowsCache

  private constructor (db: Db, options: HashStoreOptions) {
    this.levelDb = db
    this.rowsCache = new HashRowsCache(options.hashRowsCache)
  }

  private async locked<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.applyChain.then(fn)
    this.applyChain = run.catch(() => undefined)
    return await run
  }

  static async open (path: string, options: HashStoreOptions = {}): Promise<HashStore> {
    await mkdir(path, { recursive: true })
    const db: Db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    try {
      await checkSchema(db)
    } catch (err) {
      await db.close()
      throw err
    }
    return new HashStore(db, options)
  }

  /**
   * The LevelDB handle, for reads by the store's own repositories (store/*.ts); every write goes
   * through writeAtomically or applyBatch so that it takes the write lock.
   */
  get db (): StoreDb {
    return this.levelDb
  }

  /** Runs `build` under the write lock and writes what it returns as one atomic LevelDB batch. */
  async writeAtomically (build: ExtraOps): Promise<void> {
    await this.locked(async () => { await this.levelDb.batch(await build()) })
  }

  /** Lets an apply in flight finish first, so its batch is either fully written or not at all. */
  async close (): Promise<void> {
    await this.applyChain
    await this.levelDb.close()
  }

  async hasBatch (id: Uint8Array): Promise<boolean> {
    return await this.levelDb.has(batchIdKey(id))
  }

  async batchIdAt (publisher: Uint8Array, seq: number): Promise<Uint8Array | undefined> {
    const id = await this.levelDb.get(batchAtKey(publisher, seq))
    if (id !== undefined && id.length !== BATCH_ID_BYTES) throw new StoreError('CORRUPT_RECORD', `batch id at seq ${seq} is ${id.length} bytes`)
    return id
  }

  async getSignedBatch (publisher: Uint8Array, seq: number): Promise<Uint8Array | undefined> {
    const stored = await this.levelDb.get(signedBatchKey(publisher, seq))
    return stored === undefined ? undefined : decodeStoredBatch(stored).signed
  }

  /**
   * Stores a batch that passed validation. Applies are serialised, so the checks and the write
   * cannot interleave with another apply: a batch already stored is a no-op ('duplicate'); a
   * different batch at the same publisher and seq is refused (SEQ_CONFLICT), so one seq never maps
   * to two batches.
   */
  async applyBatch (batch: DecodedBatch, receipt: BatchReceipt, extra?: ExtraOps): Promise<ApplyResult> {
    return await this.locked(async () => await this.writeBatch(batch, receipt, extra))
  }

  async head (publisher: Uint8Array): Promise<HeadRecord | undefined> {
    const stored = await this.levelDb.get(headKey(publisher))
    return stored === undefined ? undefined : { publisher, ...decodeHead(stored) }
  }

  async heads (): Promise<HeadRecord[]> {
    const rows = await this.levelDb.iterator(bucketRange(Bucket.head)).all()
    return rows.map(([k, v]) => ({ publisher: parsePublisherKey(Bucket.head, k), ...decodeHead(v) }))
  }

  async equivocations (): Promise<Array<{ publisher: Uint8Array } & EquivocationRecord>> {
    const rows = await this.levelDb.iterator(bucketRange(Bucket.equivocation)).all()
    return rows.map(([k, v]) => ({ publisher: parsePublisherKey(Bucket.equivocation, k), ...decodeEquivocationRecord(v) }))
  }

  /** Written through the apply lock, so it orders with batch writes. */
  async putEquivocation (publisher: Uint8Array, record: EquivocationRecord, extra?: ExtraOps): Promise<void> {
    await this.writeAtomically(async () => [put(equivocationKey(publisher), encodeEquivocationRecord(record)), ...(await extra?.() ?? [])])
  }

  /** Each publisher's stored seqs, from the small batchAt records: cheap enough for every start. */
  async scanChains (): Promise<ChainScan[]> {
    const chains: ChainScan[] = []
    const it = this.levelDb.iterator(bucketRange(Bucket.batchAt))
    try {
      for (let rows = await it.nextv(SCAN_CHUNK_KEYS); rows.length > 0; rows = await it.nextv(SCAN_CHUNK_KEYS)) {
        for (const [k, id] of rows) extendScan(chains, parseBatchAtKey(k), id)
      }
    } finally {
      await it.close()
    }
    return chains
  }

  /**
   * Checks every head against the stored batches and rebuilds the heads that disagree from the
   * batches themselves (counting their entries). Returns every problem found, repaired or not.
   */
  async checkAndRepairHeads (): Promise<ChainProblem[]> {
    const chains = await this.scanChains()
    const problems = chainProblems(chains, await this.heads())
    for (const p of problems) {
      const chain = chains.find(c => toHex(c.publisher) === p.publisher)
      if (p.repairable && chain !== undefined) await this.rebuildHead(chain)
    }
    return problems
  }

  private async rebuildHead (chain: ChainScan): Promise<void> {
    let entries = 0
    for (let seq = 1; seq <= chain.contiguousTo; seq++) {
      const signed = await this.getSignedBatch(chain.publisher, seq)
      if (signed === undefined) throw new StoreError('CORRUPT_RECORD', `batch ${seq} of ${toHex(chain.publisher)} is indexed but not stored`)
      entries += decodeSignedBatch(signed).body.entries.length
    }
    const head = { seq: chain.contiguousTo, headId: chain.idAtContiguous, batches: chain.contiguousTo, entries }
    await this.levelDb.put(headKey(chain.publisher), encodeHead(head))
  }

  /** Every row mentioning the hash, ordered by publisher, seq, position; at most MAX_ROWS_PER_LOOKUP. */
  async entriesFor (signalTypeCode: number, value: Uint8Array): Promise<EntryRecord[]> {
    const rows = await this.readRange(entryRangeFor(signalTypeCode, value), MAX_ROWS_PER_LOOKUP)
    return rows.map(([k, v]) => {
      const { publisher, seq, position } = parseEntryKey(k)
      return { publisher, seq, position, ...decodeIndexRow(v) }
    })
  }

  /**
   * Each hash's rows in summary form, in input order; undefined for a hash with no rows. One getMany
   * per HASH_ROWS_READ_KEYS hashes not in the cache. An `overflow` record means: read entriesFor.
   */
  async hashRowsFor (hashes: readonly TypedValue[]): Promise<Array<HashRows | undefined>> {
    const keys = hashes.map(h => hashRowsKey(h.signalTypeCode, h.value))
    const cacheKeys = keys.map(cacheKeyOf)
    const out = cacheKeys.map(k => this.rowsCache.get(k))
    const missing = out.flatMap((rows, i) => rows === undefined ? [i] : [])
    for (let from = 0; from < missing.length; from += HASH_ROWS_READ_KEYS) {
      const chunk = missing.slice(from, from + HASH_ROWS_READ_KEYS)
      const generation = this.rowsCache.generation
      const values = await this.levelDb.getMany(chunk.map(i => keys[i]!))
      values.forEach((bytes, j) => {
        if (bytes === undefined) return
        const i = chunk[j]!
        const rows = decodeHashRows(bytes)
        out[i] = rows
        this.rowsCache.set(cacheKeys[i]!, rows, bytes.length, generation)
      })
    }
    return out
  }

  /** Streams the entry-index keys (never the values) in chunks; `value` is a view valid for the call only. */
  async forEachIndexedValue (fn: (signalTypeCode: number, value: Uint8Array) => void): Promise<number> {
    const keys = this.levelDb.keys(bucketRange(Bucket.entryIndex))
    let rows = 0
    try {
      for (let chunk = await keys.nextv(SCAN_CHUNK_KEYS); chunk.length > 0; chunk = await keys.nextv(SCAN_CHUNK_KEYS)) {
        for (const k of chunk) {
          const { signalTypeCode, value } = parseEntryKey(k)
          fn(signalTypeCode, value)
        }
        rows += chunk.length
      }
    } finally {
      await keys.close()
    }
    return rows
  }

  /**
   * Every value of one signal type that is listed now (see isListed), in key order, read from the
   * entry index with its rows' actions: how the near-match index is rebuilt at start. `value` is a
   * view valid for the call only. Returns the rows read and the values listed.
   */
  async forEachListedValue (signalTypeCode: number, fn: (value: Uint8Array) => void): Promise<{ rows: number, listed: number }> {
    const it = this.levelDb.iterator(entryTypeRange(signalTypeCode))
    let current: Uint8Array | undefined
    let rowsOfValue: ListingRow[] = []
    let rows = 0
    let listed = 0
    const settle = (): void => {
      if (current === undefined || !isListed(rowsOfValue)) return
      listed++
      fn(current)
    }
    try {
      for (let chunk = await it.nextv(SCAN_CHUNK_KEYS); chunk.length > 0; chunk = await it.nextv(SCAN_CHUNK_KEYS)) {
        for (const [k, v] of chunk) {
          const { value, publisher } = parseEntryKey(k)
          if (current === undefined || Buffer.compare(value, current) !== 0) {
            settle()
            current = value
            rowsOfValue = []
          }
          rowsOfValue.push({ publisher, action: decodeIndexRow(v).action })
        }
        rows += chunk.length
      }
      settle()
    } finally {
      await it.close()
    }
    return { rows, listed }
  }

  /**
   * A short range read. Most hashes have one row: a single nextv of LOOKUP_READ_ROWS answers them in
   * one native call, which measured ~2× faster than iterator.all() with reads in flight.
   */
  private async readRange (range: KeyRange, limit: number): Promise<Array<[Uint8Array, Uint8Array]>> {
    const it = this.levelDb.iterator({ ...range, limit })
    try {
      const rows: Array<[Uint8Array, Uint8Array]> = []
      for (;;) {
        const chunk = await it.nextv(LOOKUP_READ_ROWS)
        rows.push(...chunk)
        if (chunk.length < LOOKUP_READ_ROWS) return rows
      }
    } finally {
      await it.close()
    }
  }

  private async writeBatch (batch: DecodedBatch, receipt: BatchReceipt, extra: ExtraOps | undefined): Promise<ApplyResult> {
    if (await this.hasBatch(batch.id)) return 'duplicate'
    const { publisher, seq } = batch.body
    const head = await this.head(publisher)
    checkLinks(head, batch)
    const rowOps = await this.hashRowsOps(batch)
    await this.levelDb.batch([
      put(signedBatchKey(publisher, seq), encodeStoredBatch({ signed: batch.signedBytes, ...receipt })),
      put(batchAtKey(publisher, seq), batch.id),
      put(batchIdKey(batch.id), encodeBatchLocation({ publisher, seq })),
      ...entryRows(batch, receipt),
      ...rowOps,
      put(headKey(publisher), encodeHead({
        seq,
        headId: batch.id,
        batches: (head?.batches ?? 0) + 1,
        entries: (head?.entries ?? 0) + batch.body.entries.length
      })),
      ...(await extra?.() ?? [])
    ])
    this.rowsCache.written(rowOps.map(op => cacheKeyOf(op.key)))
    return 'stored'
  }

  /** The HashRows records `batch` rewrites: read, extended with its rows, written with the batch. */
  private async hashRowsOps (batch: DecodedBatch): Promise<PutOp[]> {
    const added = batchRowsByHash(batch)
    const keys = [...added.values()].map(a => a.key)
    const before = await this.levelDb.getMany(keys)
    return [...added.values()].map(({ key, rows }, i) => {
      const stored = before[i]
      return put(key, encodeHashRows(withRows(stored === undefined ? undefined : decodeHashRows(stored), rows)))
    })
  }
}

/** A key's bytes as a string, one char per byte: a cheap Map key. */
function cacheKeyOf (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

/** The batch's rows grouped by hash, in position order, with each hash's HashRows key. */
function batchRowsByHash (batch: DecodedBatch): Map<string, { key: Uint8Array, rows: HashRow[] }> {
  const { publisher, seq, createdAtMs, entries } = batch.body
  const byHash = new Map<string, { key: Uint8Array, rows: HashRow[] }>()
  entries.forEach((e, position) => {
    const key = hashRowsKey(requireSignalType(e.signalType).code, e.value)
    const id = cacheKeyOf(key)
    const row: HashRow = { publisher, seq, position, createdAtMs, action: e.action, labels: e.labels }
    const group = byHash.get(id)
    if (group === undefined) byHash.set(id, { key, rows: [row] })
    else group.rows.push(row)
  })
  return byHash
}

/**
 * The store holds each publisher's chain without gaps or forks: a batch goes in only at head+1 and
 * only if its prev is the head's id. The ingester holds early batches until they link; this is the
 * invariant's last line of defence, so no caller can leave a hole.
 */
function checkLinks (head: HeadRecord | undefined, batch: DecodedBatch): void {
  const { seq, prev } = batch.body
  const next = (head?.seq ?? 0) + 1
  if (seq < next) throw new StoreError('SEQ_CONFLICT', `a different batch is already stored at seq ${seq} of this publisher`)
  if (seq > next) throw new StoreError('NOT_LINKED', `seq ${seq} does not follow the stored head ${next - 1}`)
  if (head !== undefined && Buffer.compare(prev, head.headId) !== 0) throw new StoreError('PREV_MISMATCH', `prev of seq ${seq} is not the id of the stored batch ${head.seq}`)
}

function extendScan (chains: ChainScan[], at: { publisher: Uint8Array, seq: number }, id: Uint8Array): void {
  const last = chains.at(-1)
  if (last === undefined || Buffer.compare(last.publisher, at.publisher) !== 0) {
    chains.push(at.seq === 1
      ? { publisher: Uint8Array.from(at.publisher), contiguousTo: 1, idAtContiguous: id }
      : { publisher: Uint8Array.from(at.publisher), contiguousTo: 0, idAtContiguous: new Uint8Array(0), holeAt: 1 })
    return
  }
  if (last.holeAt !== undefined) return
  if (at.seq === last.contiguousTo + 1) {
    last.contiguousTo = at.seq
    last.idAtContiguous = id
  } else {
    last.holeAt = last.contiguousTo + 1
  }
}

function put (key: Uint8Array, value: Uint8Array): PutOp {
  return { type: 'put', key, value }
}

function entryRows (batch: DecodedBatch, receipt: BatchReceipt): PutOp[] {
  const { publisher, seq, createdAtMs, entries } = batch.body
  return entries.map((e, position) => put(
    entryKey({ signalTypeCode: requireSignalType(e.signalType).code, value: e.value, publisher, seq, position }),
    encodeIndexRow({ action: e.action, labels: e.labels, batchId: batch.id, receivedAtMs: receipt.receivedAtMs, createdAtMs, ...(e.reason === undefined ? {} : { reason: e.reason }) })
  ))
}

/** A new store gets the current version; a store with records but no version is not ours. */
async function checkSchema (db: Db): Promise<void> {
  const stored = await db.get(metaKey(MetaKey.schemaVersion))
  if (stored === undefined) {
    const anyKey = await db.keys({ limit: 1 }).all()
    if (anyKey.length > 0) throw new StoreError('SCHEMA_MISMATCH', `${db.location} holds records but no schema version`)
    await db.put(metaKey(MetaKey.schemaVersion), encodeStoreMeta({ schemaVersion: SCHEMA_VERSION }))
    return
  }
  const { schemaVersion } = decodeStoreMeta(stored)
  if (schemaVersion === 1) {
    await buildHashRows(db)
    await db.put(metaKey(MetaKey.schemaVersion), encodeStoreMeta({ schemaVersion: SCHEMA_VERSION }))
    return
  }
  if (schemaVersion !== SCHEMA_VERSION) {
    throw new StoreError('SCHEMA_MISMATCH', `${db.location} has schema version ${schemaVersion}; this build reads ${SCHEMA_VERSION}`)
  }
}
