import { decodeSignedBatch } from '../wire/batchCodec.js'
import type { DecodedBatch } from '../wire/types.js'
import { StoreError } from './errors.js'
import type { HashStore } from './hashStore.js'
import { type KeyRange, parseSignedBatchKey, prefixRange } from './keys.js'
import { type StoredBatch, decodeStoredBatch } from './records.js'
import type { ScanOptions, StoreSnapshot } from './repository.js'

/**
 * Streaming reads of stored batches, for the offline checks and reports (audit verify, export,
 * transparency) that must visit every batch of a store holding millions without holding them.
 */

export type { StoreSnapshot } from './repository.js'

/** A snapshot of the store as it is now, for checks that read it in several passes; the caller closes it. */
export function takeSnapshot (store: HashStore): StoreSnapshot {
  return store.snapshot()
}

/** Small records (index rows, heads, ids) per native call: ~100 KB a chunk, as in hashStore's scans. */
export const RECORD_CHUNK = 1000

/** A stored batch is up to ~1 MiB: 16 per call keeps a chunk near 16 MiB at worst. */
export const BATCH_CHUNK = 16

/** Stored batches in key order (publisher, then seq): all of them, or one publisher's. */
function storedBatchRange (store: HashStore, publisher?: Uint8Array): KeyRange {
  const batches = store.repositories.signedBatch
  return publisher === undefined ? batches.range() : prefixRange(Uint8Array.of(batches.bucket, ...publisher))
}

type BatchScanOptions = Pick<ScanOptions, 'snapshot' | 'chunk'> & { publisher?: Uint8Array }

/** The raw StoredBatch records, `BATCH_CHUNK` at a time. */
export async function * scanStoredBatches (store: HashStore, options: BatchScanOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
  const { publisher, chunk, snapshot } = options
  const range = storedBatchRange(store, publisher)
  yield * store.repositories.signedBatch.recordsBinary({ range, chunk: chunk ?? BATCH_CHUNK, ...(snapshot === undefined ? {} : { snapshot }) })
}

export interface ReadBatch extends StoredBatch {
  batch: DecodedBatch
}

/**
 * Stored batches decoded, in key order. Every one passed validation when it was stored, so one that
 * no longer decodes is damage: it is thrown as CORRUPT_RECORD naming its place (audit verify says more).
 * Signatures are not re-verified here; that is audit verify's job.
 */
export async function * decodedStoredBatches (store: HashStore, options: BatchScanOptions = {}): AsyncGenerator<ReadBatch> {
  for await (const [k, v] of scanStoredBatches(store, options)) {
    const { publisher, seq } = parseSignedBatchKey(k)
    let read: ReadBatch
    try {
      const stored = decodeStoredBatch(v)
      read = { ...stored, batch: decodeSignedBatch(stored.signed) }
    } catch (err) {
      const message = `stored batch ${seq} of ${Buffer.from(publisher).toString('hex')} does not decode; run hashmesh audit verify`
      throw new StoreError('CORRUPT_RECORD', message, { cause: err })
    }
    yield read
  }
}

/** One stored batch with its receipt (when and from where it arrived), or undefined. */
export async function storedBatchAt (store: HashStore, publisher: Uint8Array, seq: number): Promise<StoredBatch | undefined> {
  return await store.repositories.signedBatch.get({ publisher, seq })
}
