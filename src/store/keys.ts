import { SignalError, signalTypeByCode, type SignalType } from '../signals/registry.js'
import { BATCH_ID_BYTES, PUBLIC_KEY_BYTES } from '../wire/limits.js'
import { Bucket, type MetaKey } from './buckets.js'
import { StoreError } from './errors.js'

/** Big-endian so that byte order is numeric order and a publisher's batches scan in seq order. */
const SEQ_BYTES = 8
/** Big-endian for the same reason; MAX_ENTRIES_PER_BATCH fits with room to spare. */
const POSITION_BYTES = 4
const ENTRY_SUFFIX_BYTES = PUBLIC_KEY_BYTES + SEQ_BYTES + POSITION_BYTES
const TWO_POW_32 = 2 ** 32

export interface KeyRange { gte: Uint8Array, lt: Uint8Array }

/** Where a batch sits: its publisher and seq. */
export interface BatchPlace { publisher: Uint8Array, seq: number }

export interface EntryKey {
  signalTypeCode: number
  value: Uint8Array
  publisher: Uint8Array
  seq: number
  position: number
}

/** A key is a bucket byte followed by its parts (fixed lengths here; a caller with a variable one puts it last or delimits it). */
export function bucketKey (bucket: Bucket, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0))
  out[0] = bucket
  let offset = 1
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

function uint64BE (n: number): Uint8Array {
  const out = new Uint8Array(SEQ_BYTES)
  const view = new DataView(out.buffer)
  view.setUint32(0, Math.floor(n / TWO_POW_32))
  view.setUint32(4, n >>> 0)
  return out
}

function uint32BE (n: number): Uint8Array {
  const out = new Uint8Array(POSITION_BYTES)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

/**
 * A value of the wrong length would turn the entry range into a prefix scan over other hashes, so
 * every (type, value) pair that reaches a key is checked against the registry.
 */
export function requireTypedValue (signalTypeCode: number, value: Uint8Array): SignalType {
  const type = signalTypeByCode(signalTypeCode)
  if (type === undefined) throw new SignalError('UNKNOWN_SIGNAL_TYPE', `unknown signal type code ${signalTypeCode}`)
  if (value.length !== type.length) throw new SignalError('BAD_SIGNAL_VALUE', `${type.name} value must be ${type.length} bytes, got ${value.length}`)
  return type
}

export function metaKey (k: MetaKey): Uint8Array {
  return bucketKey(Bucket.meta, Uint8Array.of(k))
}

export function signedBatchKey (publisher: Uint8Array, seq: number): Uint8Array {
  return bucketKey(Bucket.signedBatch, publisher, uint64BE(seq))
}

export function batchAtKey (publisher: Uint8Array, seq: number): Uint8Array {
  return bucketKey(Bucket.batchAt, publisher, uint64BE(seq))
}

export function batchIdKey (id: Uint8Array): Uint8Array {
  return bucketKey(Bucket.batchId, id)
}

export function headKey (publisher: Uint8Array): Uint8Array {
  return bucketKey(Bucket.head, publisher)
}

export function equivocationKey (publisher: Uint8Array): Uint8Array {
  return bucketKey(Bucket.equivocation, publisher)
}

export function entryKey (e: EntryKey): Uint8Array {
  requireTypedValue(e.signalTypeCode, e.value)
  return bucketKey(Bucket.entryIndex, Uint8Array.of(e.signalTypeCode), e.value, e.publisher, uint64BE(e.seq), uint32BE(e.position))
}

/** A hash by its signal type's code and raw value. */
export interface TypedValue { signalTypeCode: number, value: Uint8Array }

export function hashRowsKey ({ signalTypeCode, value }: TypedValue): Uint8Array {
  requireTypedValue(signalTypeCode, value)
  return bucketKey(Bucket.hashRows, Uint8Array.of(signalTypeCode), value)
}

/** A hashRows key's parts (`value` is a view into `k`). */
export function parseHashRowsKey (k: Uint8Array): TypedValue {
  const type = k[0] === Bucket.hashRows && k.length > 2 ? signalTypeByCode(k[1]!) : undefined
  if (type === undefined || k.length !== 2 + type.length) throw new StoreError('CORRUPT_RECORD', `malformed hashRows key of ${k.length} bytes`)
  return { signalTypeCode: type.code, value: k.subarray(2) }
}

/**
 * Everything starting with `prefix`. The upper bound is the prefix with its last byte that is not
 * 0xff incremented; the bucket byte is never 0xff, so that byte always exists.
 */
export function prefixRange (prefix: Uint8Array): KeyRange {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  const lt = prefix.slice(0, end)
  lt[end - 1] = (lt[end - 1] ?? 0) + 1
  return { gte: prefix, lt }
}

export function bucketRange (bucket: Bucket): KeyRange {
  return prefixRange(Uint8Array.of(bucket))
}

/** All index rows of one hash, in publisher, seq, position order. */
export function entryRangeFor (signalTypeCode: number, value: Uint8Array): KeyRange {
  requireTypedValue(signalTypeCode, value)
  return prefixRange(bucketKey(Bucket.entryIndex, Uint8Array.of(signalTypeCode), value))
}

/** All index rows of one signal type, in value, publisher, seq, position order. */
export function entryTypeRange (signalTypeCode: number): KeyRange {
  if (signalTypeByCode(signalTypeCode) === undefined) throw new SignalError('UNKNOWN_SIGNAL_TYPE', `unknown signal type code ${signalTypeCode}`)
  return prefixRange(bucketKey(Bucket.entryIndex, Uint8Array.of(signalTypeCode)))
}

/** The parts are views into `k`, not copies. */
export function parseEntryKey (k: Uint8Array): EntryKey {
  const type = k[0] === Bucket.entryIndex ? signalTypeByCode(k[1] ?? -1) : undefined
  if (type === undefined || k.length !== 2 + type.length + ENTRY_SUFFIX_BYTES) {
    throw new StoreError('CORRUPT_RECORD', `malformed entry-index key of ${k.length} bytes`)
  }
  const view = new DataView(k.buffer, k.byteOffset, k.byteLength)
  const publisherAt = 2 + type.length
  const seqAt = publisherAt + PUBLIC_KEY_BYTES
  return {
    signalTypeCode: type.code,
    value: k.subarray(2, publisherAt),
    publisher: k.subarray(publisherAt, seqAt),
    seq: view.getUint32(seqAt) * TWO_POW_32 + view.getUint32(seqAt + 4),
    position: view.getUint32(seqAt + SEQ_BYTES)
  }
}

/** A batchAt key's parts (views into `k`). */
export function parseBatchAtKey (k: Uint8Array): BatchPlace {
  return parsePlaceKey(Bucket.batchAt, k, 'batchAt')
}

/** A signedBatch key's parts (views into `k`); the layout is batchAt's with another bucket byte. */
export function parseSignedBatchKey (k: Uint8Array): BatchPlace {
  return parsePlaceKey(Bucket.signedBatch, k, 'signed-batch')
}

function parsePlaceKey (bucket: Bucket.batchAt | Bucket.signedBatch, k: Uint8Array, what: string): BatchPlace {
  if (k[0] !== bucket || k.length !== 1 + PUBLIC_KEY_BYTES + SEQ_BYTES) {
    throw new StoreError('CORRUPT_RECORD', `malformed ${what} key of ${k.length} bytes`)
  }
  const view = new DataView(k.buffer, k.byteOffset, k.byteLength)
  const seqAt = 1 + PUBLIC_KEY_BYTES
  return { publisher: k.subarray(1, seqAt), seq: view.getUint32(seqAt) * TWO_POW_32 + view.getUint32(seqAt + 4) }
}

/** The batch id of a batchId key (a view into `k`). */
export function parseBatchIdKey (k: Uint8Array): Uint8Array {
  if (k[0] !== Bucket.batchId || k.length !== 1 + BATCH_ID_BYTES) throw new StoreError('CORRUPT_RECORD', `malformed batchId key of ${k.length} bytes`)
  return k.subarray(1)
}

export function parseMetaKey (k: Uint8Array): MetaKey {
  if (k[0] !== Bucket.meta || k.length !== 2) throw new StoreError('CORRUPT_RECORD', `malformed meta key of ${k.length} bytes`)
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the byte is returned as stored, an unknown one included
  return k[1] as MetaKey
}

/** The publisher of a key in a bucket keyed by publisher alone (head, equivocation). */
export function parsePublisherKey (bucket: Bucket.head | Bucket.equivocation, k: Uint8Array): Uint8Array {
  if (k[0] !== bucket || k.length !== 1 + PUBLIC_KEY_BYTES) {
    throw new StoreError('CORRUPT_RECORD', `malformed ${Bucket[bucket]} key of ${k.length} bytes`)
  }
  return k.subarray(1)
}
