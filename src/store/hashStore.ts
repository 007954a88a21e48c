import { mkdir } from 'node:fs/promises'
import { Level } from 'level'
import { type Logger, silentLogger } from '../logger.js'
import { requireSignalType } from '../signals/registry.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import type { BatchSource } from '../wire/batchSource.js'
import { BATCH_ID_BYTES } from '../wire/limits.js'
import type { Action, DecodedBatch } from '../wire/types.js'
import { type ChainProblem, type ChainScan, chainProblems } from './chainCheck.js'
import { StoreError } from './errors.js'
import { type HashRow, type HashRows, withRows } from './hashRows.js'
import { HashRowsCache, type HashRowsCacheOptions } from './hashRowsCache.js'
import { type ListingRow, isListed } from './listing.js'
import { type TypedValue, entryRangeFor, entryTypeRange, parseBatchAtKey, parseEntryKey } from './keys.js'
import { MIGRATIONS } from './migrations.js'
import { type EquivocationRecord, decodeIndexRow } from './records.js'
import type { LevelDb, Repository, StoreOp, StoreSnapshot } from './repository.js'
import { upgradeSchema } from './schemaUpgrade.js'
import { SerialQueue } from './serialQueue.js'
import { StoreRepositories } from './storeRepositories.js'

export type { StoreOp, StoreSnapshot } from './repository.js'
export type { TypedValue } from './keys.js'
export { SCHEMA_VERSION } from './migrations.js'

/**
 * Rows one lookup returns, oldest publisher/seq first. A hash mentioned more often than this is
 * pathological (re-listed in batch after batch); a lookup must stay bounded in time and memory.
 */
export const MAX_ROWS_PER_LOOKUP = 10_000

/** Rows per native call when reading one hash's rows: covers every ordinary hash in one call. */
const LOOKUP_READ_ROWS = 64

/** Keys per getMany when reading HashRows: one native call answers a whole ordinary batch lookup. */
const HASH_ROWS_READ_KEYS = 1000

export interface BatchReceipt { receivedAtMs: number, source: BatchSource }

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

/** Called inside the store's write queue; what it returns is written in the same atomic batch. */
export type ExtraOps = () => Promise<StoreOp[]>

export interface OpenOptions {
  /** Where an upgrade of an older store's layout is logged. */
  logger?: Logger
  hashRowsCache?: HashRowsCacheOptions
}

/**
 * Batches, their ids and heads, and an entry index laid out so that every row for one hash is one
 * contiguous key range. The one door to the LevelDB: reads go through the typed repositories
 * (`repositories`), and every write, of every bucket, goes through one serial write queue as one
 * atomic LevelDB batch, so no check-then-write here or in a repository's owner can interleave with
 * another write.
 */
export class HashStore {
  /** Private to the store: the repositories read through it, `commit` writes through it. */
  private readonly db: LevelDb
  readonly repositories: StoreRepositories
  private readonly writes = new SerialQueue()
  private readonly rowsCache: HashRowsCache

  private constructor (db: LevelDb, options: OpenOptions) {
    this.db = db
    this.repositories = new StoreRepositories(db)
    this.rowsCache = new HashRowsCache(options.hashRowsCache)
  }

  /** Opens (creating) the store, upgrading an older layout first; refuses a newer or foreign one. */
  static async open (path: string, options: OpenOptions = {}): Promise<HashStore> {
    await mkdir(path, { recursive: true })
    const db: LevelDb = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    const store = new HashStore(db, options)
    try {
      const hasRecords = (await db.keys({ limit: 1 }).all()).length > 0
      const commit = async (ops: StoreOp[]): Promise<void> => { await store.commit(ops) }
      await upgradeSchema({ repositories: store.repositories, commit, logger: options.logger ?? silentLogger(), hasRecords, location: db.location }, MIGRATIONS)
    } catch (err) {
      await db.close()
      throw err
    }
    return store
  }

  /** A point-in-time view for checks that read in several passes; the caller closes it. */
  snapshot (): StoreSnapshot {
    return this.db.snapshot()
  }

  /** Runs `build` in the write queue and writes what it returns as one atomic LevelDB batch. */
  async writeAtomically (build: ExtraOps): Promise<void> {
    await this.writes.run(async () => { await this.commit(await build()) })
  }

  /** Lets the writes queued so far finish first, so each is either fully written or not at all. */
  async close (): Promise<void> {
    await this.writes.drain()
    await this.db.close()
  }

  async hasBatch (id: Uint8Array): Promise<boolean> {
    return await this.repositories.batchId.has(id)
  }

  async batchIdAt (publisher: Uint8Array, seq: number): Promise<Uint8Array | undefined> {
    const id = await this.repositories.batchAt.get({ publisher, seq })
    if (id !== undefined && id.length !== BATCH_ID_BYTES) throw new StoreError('CORRUPT_RECORD', `batch id at seq ${seq} is ${id.length} bytes`)
    return id
  }

  async getSignedBatch (publisher: Uint8Array, seq: number): Promise<Uint8Array | undefined> {
    return (await this.repositories.signedBatch.get({ publisher, seq }))?.signed
  }

  /**
   * Stores a batch that passed validation. Applies are serialised, so the checks and the write
   * cannot interleave with another apply: a batch already stored is a no-op ('duplicate'); a
   * different batch at the same publisher and seq is refused (SEQ_CONFLICT), so one seq never maps
   * to two batches.
   */
  /**
   * `stored` (optional) tells which hashes already have rows here, so that only their HashRows
   * records are read to be extended; it must never say false for a hash that has rows (the lookup
   * index, built from the rows and extended after every stored batch, is such a set). Without it
   * every hash's record is read.
   */
  async applyBatch (batch: DecodedBatch, receipt: BatchReceipt, extra?: ExtraOps, stored?: StoredHashes): Promise<ApplyResult> {
    return await this.writes.run(async () => await this.writeBatch(batch, receipt, extra, stored))
  }

  async head (publisher: Uint8Array): Promise<HeadRecord | undefined> {
    const head = await this.repositories.head.get(publisher)
    return head === undefined ? undefined : { publisher, ...head }
  }

  async heads (): Promise<HeadRecord[]> {
    return (await this.repositories.head.all()).map(([publisher, head]) => ({ publisher, ...head }))
  }

  async equivocations (): Promise<Array<{ publisher: Uint8Array } & EquivocationRecord>> {
    return (await this.repositories.equivocation.all()).map(([publisher, record]) => ({ publisher, ...record }))
  }

  /** Written through the write queue, so it orders with batch writes. */
  async putEquivocation (publisher: Uint8Array, record: EquivocationRecord, extra?: ExtraOps): Promise<void> {
    await this.writeAtomically(async () => [this.repositories.equivocation.putOp(publisher, record), ...(await extra?.() ?? [])])
  }

  /** Each publisher's stored seqs, from the small batchAt records: cheap enough for every start. */
  async scanChains (): Promise<ChainScan[]> {
    const chains: ChainScan[] = []
    for await (const rows of this.repositories.batchAt.entriesBinary()) {
      for (const [k, id] of rows) extendScan(chains, parseBatchAtKey(k), id)
    }
    return chains
  }

  /**
   * Checks every head against the stored batches and rebuilds the heads that disagree from the
   * batches themselves (counting their entries). Returns every problem found, repaired or not.
   * Runs in the write queue, so no batch lands between the check and the repair.
   */
  async checkAndRepairHeads (): Promise<ChainProblem[]> {
    return await this.writes.run(async () => {
      const chains = await this.scanChains()
      const problems = chainProblems(chains, await this.heads())
      for (const p of problems) {
        const chain = chains.find(c => toHex(c.publisher) === p.publisher)
        if (p.repairable && chain !== undefined) await this.commit([await this.rebuiltHead(chain)])
      }
      return problems
    })
  }

  private async rebuiltHead (chain: ChainScan): Promise<StoreOp> {
    let entries = 0
    for (let seq = 1; seq <= chain.contiguousTo; seq++) {
      const signed = await this.getSignedBatch(chain.publisher, seq)
      if (signed === undefined) throw new StoreError('CORRUPT_RECORD', `batch ${seq} of ${toHex(chain.publisher)} is indexed but not stored`)
      entries += decodeSignedBatch(signed).body.entries.length
    }
    return this.repositories.head.putOp(chain.publisher, { seq: chain.contiguousTo, headId: chain.idAtContiguous, batches: chain.contiguousTo, entries })
  }

  /** Every row mentioning the hash, ordered by publisher, seq, position; at most MAX_ROWS_PER_LOOKUP. */
  async entriesFor (signalTypeCode: number, value: Uint8Array): Promise<EntryRecord[]> {
    const index = this.repositories.entryIndex
    const rows = await index.readRange({ range: entryRangeFor(signalTypeCode, value), limit: MAX_ROWS_PER_LOOKUP, chunk: LOOKUP_READ_ROWS })
    return rows.map(([k, v]) => {
      const { publisher, seq, position } = index.decodeKey(k)
      return { publisher, seq, position, ...index.decodeValue(v) }
    })
  }

  /**
   * Each hash's rows in summary form, in input order; undefined for a hash with no rows. One getMany
   * per HASH_ROWS_READ_KEYS hashes not in the cache. An `overflow` record means: read entriesFor.
   */
  async hashRowsFor (hashes: readonly TypedValue[]): Promise<Array<HashRows | undefined>> {
    const repository = this.repositories.hashRows
    const keys = hashes.map(h => repository.encodeKey(h))
    const cacheKeys = keys.map(cacheKeyOf)
    const out = cacheKeys.map(k => this.rowsCache.get(k))
    const missing = out.flatMap((rows, i) => rows === undefined ? [i] : [])
    for (let from = 0; from < missing.length; from += HASH_ROWS_READ_KEYS) {
      const chunk = missing.slice(from, from + HASH_ROWS_READ_KEYS)
      const generation = this.rowsCache.generation
      const values = await repository.getManyEncoded(chunk.map(i => keys[i]!))
      values.forEach((bytes, j) => {
        if (bytes === undefined) return
        const i = chunk[j]!
        const rows = repository.decodeValue(bytes)
        out[i] = rows
        this.rowsCache.set(cacheKeys[i]!, rows, bytes.length, generation)
      })
    }
    return out
  }

  /** Streams the entry-index keys (never the values) in chunks; `value` is a view valid for the call only. */
  async forEachIndexedValue (fn: (signalTypeCode: number, value: Uint8Array) => void): Promise<number> {
    let rows = 0
    for await (const chunk of this.repositories.entryIndex.keysBinary()) {
      for (const k of chunk) {
        const { signalTypeCode, value } = parseEntryKey(k)
        fn(signalTypeCode, value)
      }
      rows += chunk.length
    }
    return rows
  }

  /**
   * Every value of one signal type that is listed now (see isListed), in key order, read from the
   * entry index with its rows' actions: how the near-match index is rebuilt at start. `value` is a
   * view valid for the call only. Returns the rows read and the values listed.
   */
  async forEachListedValue (signalTypeCode: number, fn: (value: Uint8Array) => void): Promise<{ rows: number, listed: number }> {
    let current: Uint8Array | undefined
    let rowsOfValue: ListingRow[] = []
    let rows = 0
    let listed = 0
    const settle = (): void => {
      if (current === undefined || !isListed(rowsOfValue)) return
      listed++
      fn(current)
    }
    for await (const chunk of this.repositories.entryIndex.entriesBinary({ range: entryTypeRange(signalTypeCode) })) {
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
    return { rows, listed }
  }

  /** The only place a write reaches LevelDB; called only from tasks of the write queue (and migrations, before open returns). */
  private async commit (ops: StoreOp[]): Promise<void> {
    await this.db.batch(ops)
  }

  private async writeBatch (batch: DecodedBatch, receipt: BatchReceipt, extra: ExtraOps | undefined, stored: StoredHashes | undefined): Promise<ApplyResult> {
    if (await this.hasBatch(batch.id)) return 'duplicate'
    const { publisher, seq } = batch.body
    const head = await this.head(publisher)
    checkLinks(head, batch)
    const r = this.repositories
    const rows = await this.hashRowsOf(batch, stored)
    await this.commit([
      r.signedBatch.putOp({ publisher, seq }, { signed: batch.signedBytes, ...receipt }),
      r.batchAt.putOp({ publisher, seq }, batch.id),
      r.batchId.putOp(batch.id, { publisher, seq }),
      ...entryRows(r.entryIndex, batch, receipt),
      ...rows.map(({ key, record }) => r.hashRows.putEncodedOp(key, record)),
      r.head.putOp(publisher, {
        seq,
        headId: batch.id,
        batches: (head?.batches ?? 0) + 1,
        entries: (head?.entries ?? 0) + batch.body.entries.length
      }),
      ...(await extra?.() ?? [])
    ])
    this.rowsCache.written(rows.map(w => w.cacheKey))
    return 'stored'
  }

  /**
   * The HashRows records `batch` rewrites: those of hashes with rows already are read and extended,
   * a new hash's is its rows alone; all are written with the batch.
   */
  private async hashRowsOf (batch: DecodedBatch, stored: StoredHashes | undefined): Promise<HashRowsWrite[]> {
    const repository = this.repositories.hashRows
    const added = [...batchRowsByHash(batch, repository).values()]
    const known = stored === undefined ? added : added.filter(a => stored(a.hash))
    const before = new Map<string, Uint8Array>()
    const values = await repository.getManyEncoded(known.map(a => a.key))
    values.forEach((bytes, i) => { if (bytes !== undefined) before.set(known[i]!.cacheKey, bytes) })
    return added.map(({ key, cacheKey, rows }) => {
      const bytes = before.get(cacheKey)
      return { key, cacheKey, record: withRows(bytes === undefined ? undefined : repository.decodeValue(bytes), rows) }
    })
  }
}

/** Whether a hash has rows in the store already; see applyBatch. */
export type StoredHashes = (hash: TypedValue) => boolean

/** One hash's record as a batch rewrites it, with its key encoded once for the read, the write and the cache. */
interface HashRowsWrite { key: Uint8Array, cacheKey: string, record: HashRows }

/** A key's bytes as a string, one char per byte: a cheap Map key. */
function cacheKeyOf (key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')
}

interface BatchRowsOfHash { hash: TypedValue, key: Uint8Array, cacheKey: string, rows: HashRow[] }

/** The batch's rows grouped by hash, in position order. */
function batchRowsByHash (batch: DecodedBatch, repository: Repository<TypedValue, HashRows>): Map<string, BatchRowsOfHash> {
  const { publisher, seq, createdAtMs, entries } = batch.body
  const byHash = new Map<string, BatchRowsOfHash>()
  entries.forEach((e, position) => {
    const hash = { signalTypeCode: requireSignalType(e.signalType).code, value: e.value }
    const key = repository.encodeKey(hash)
    const cacheKey = cacheKeyOf(key)
    const row: HashRow = { publisher, seq, position, createdAtMs, action: e.action, labels: e.labels }
    const group = byHash.get(cacheKey)
    if (group === undefined) byHash.set(cacheKey, { hash, key, cacheKey, rows: [row] })
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
  if (head !== undefined && Buffer.compare(prev, head.headId) !== 0) {
    throw new StoreError('PREV_MISMATCH', `prev of seq ${seq} is not the id of the stored batch ${head.seq}`)
  }
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

function entryRows (index: StoreRepositories['entryIndex'], batch: DecodedBatch, receipt: BatchReceipt): StoreOp[] {
  const { publisher, seq, createdAtMs, entries } = batch.body
  return entries.map((e, position) => index.putOp(
    { signalTypeCode: requireSignalType(e.signalType).code, value: e.value, publisher, seq, position },
    {
      action: e.action,
      labels: e.labels,
      batchId: batch.id,
      receivedAtMs: receipt.receivedAtMs,
      createdAtMs,
      ...(e.reason === undefined ? {} : { reason: e.reason })
    }
  ))
}
