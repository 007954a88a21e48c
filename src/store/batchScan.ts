import { decodeSignedBatch } from '../wire/batchCodec.js'
import { PUBLIC_KEY_BYTES } from '../wire/limits.js'
import type { DecodedBatch } from '../wire/types.js'
import { Bucket } from './buckets.js'
import { StoreError } from './errors.js'
import type { HashStore, StoreDb } from './hashStore.js'
import { type KeyRange, bucketRange, prefixRange, signedBatchKey } from './keys.js'
import { type StoredBatch, decodeStoredBatch } from './records.js'

/**
 * Streaming reads over whole buckets, for the offline checks and reports (audit verify, export,
 * transparency) that must visit every record of a store holding millions without holding them.
 */

/** A point-in-time view: a scan in several passes sees one state even while the node writes. */
export type StoreSnapshot = ReturnType<StoreDb['snapshot']>

/** A snapshot of the store as it is now, for checks that read it in several passes; the caller closes it. */
export function takeSnapshot (store: HashStore): StoreSnapshot {
  return store.db.snapshot()
}

export interface ScanOptions {
  snapshot?: StoreSnapshot
  /** Records per native call. */
  chunk?: number
}

/** Small records (index rows, heads, ids) per native call: ~100 KB a chunk, as in hashStore's scans. */
export const RECORD_CHUNK = 1000

/** A stored batch is up to ~1 MiB: 16 per call keeps a chunk near 16 MiB at worst. */
export const BATCH_CHUNK = 16

const SEQ_BYTES = 8
const SIGNED_BATCH_KEY_BYTES = 1 + PUBLIC_KEY_BYTES + SEQ_BYTES
const TWO_POW_32 = 2 ** 32

/** Every record in `range`, in key order, read `chunk` at a time. */
export async function * scanRecords (store: HashStore, range: KeyRange, options: ScanOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
  const it = store.db.iterator({ ...range, ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }) })
  const chunk = options.chunk ?? RECORD_CHUNK
  try {
    for (let rows = await it.nextv(chunk); rows.length > 0; rows = await it.nextv(chunk)) yield * rows
  } finally {
    await it.close()
  }
}

/** Every key in `range` without its value (entry-index counts read no values). */
export async function * scanKeys (store: HashStore, range: KeyRange, options: ScanOptions = {}): AsyncGenerator<Uint8Array[]> {
  const it = store.db.keys({ ...range, ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }) })
  const chunk = options.chunk ?? RECORD_CHUNK
  try {
    for (let keys = await it.nextv(chunk); keys.length > 0; keys = await it.nextv(chunk)) yield keys
  } finally {
    await it.close()
  }
}

/** The parts of a signedBatch key (views into `k`); the layout is batchAt's with another bucket byte. */
export function parseSignedBatchKey (k: Uint8Array): { publisher: Uint8Array, seq: number } {
  if (k[0] !== Bucket.signedBatch || k.length !== SIGNED_BATCH_KEY_BYTES) {
    throw new StoreError('CORRUPT_RECORD', `malformed signed-batch key of ${k.length} bytes`)
  }
  const view = new DataView(k.buffer, k.byteOffset, k.byteLength)
  const seqAt = 1 + PUBLIC_KEY_BYTES
  return { publisher: k.subarray(1, seqAt), seq: view.getUint32(seqAt) * TWO_POW_32 + view.getUint32(seqAt + 4) }
}

/** Stored batches in key order (publisher, then seq): all of them, or one publisher's. */
export function storedBatchRange (publisher?: Uint8Array): KeyRange {
  return publisher === undefined ? bucketRange(Bucket.signedBatch) : prefixRange(Uint8Array.of(Bucket.signedBatch, ...publisher))
}

/** The raw StoredBatch records, `BATCH_CHUNK` at a time. */
export async function * scanStoredBatches (store: HashStore, options: ScanOptions & { publisher?: Uint8Array } = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
  const { publisher, chunk, snapshot } = options
  yield * scanRecords(store, storedBatchRange(publisher), { chunk: chunk ?? BATCH_CHUNK, ...(snapshot === undefined ? {} : { snapshot }) })
}

export interface ReadBatch extends StoredBatch {
  batch: DecodedBatch
}

/**
 * Stored batches decoded, in key order. Every one passed validation when it was stored, so one that
 * no longer decodes is damage: it is thrown as CORRUPT_RECORD naming its place (audit verify says more).
 * Signatures are not re-verified here; that is audit verify's job.
 */
export async function * decodedStoredBatches (store: HashStore, options: ScanOptions & { publisher?: Uint8Array } = {}): AsyncGenerator<ReadBatch> {
  for await (const [k, v] of scanStoredBatches(store, options)) {
    const { publisher, seq } = parseSignedBatchKey(k)
    let read: ReadBatch
    try {
      const stored = decodeStoredBatch(v)
      read = { ...stored, batch: decodeSignedBatch(stored.signed) }
    } catch (err) {
      throw new StoreError('CORRUPT_RECORD', `stored batch ${seq} of ${Buffer.from(publisher).toString('hex')} does not decode; run hashmesh audit verify`, { cause: err })
    }
    yield read
  }
}

/** One stored batch with its receipt (when and from where it arrived), or undefined. */
export async function storedBatchAt (store: HashStore, publisher: Uint8Array, seq: number): Promise<StoredBatch | undefined> {
  const stored = await store.db.get(signedBatchKey(publisher, seq))
  return stored === undefined ? undefined : decodeStoredBatch(stored)
}
