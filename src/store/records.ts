import protobuf from 'protobufjs'
import { fileURLToPath } from 'node:url'
import { BATCH_ID_BYTES, MAX_SIGNED_BATCH_BYTES, PUBLIC_KEY_BYTES } from '../wire/limits.js'
import { type BatchSource, type BatchSourceKind, LOCAL_SOURCE, MAX_PEER_CHARS, isPeerText } from '../wire/batchSource.js'
import { Action } from '../wire/types.js'
import { StoreError } from './errors.js'

/**
 * Loads proto/store.proto once, resolved relative to this file so it works from src/ (tsx) and
 * dist/ alike. Decoders check every field: a record that decodes but breaks an invariant is as
 * corrupt as one that does not decode, and is reported the same way.
 */
const root = protobuf.loadSync(fileURLToPath(new URL('../../proto/store.proto', import.meta.url)))

const StoreMetaType = root.lookupType('hashmesh.store.v1.StoreMeta')
const MigrationCursorType = root.lookupType('hashmesh.store.v1.MigrationCursor')
const StoredBatchType = root.lookupType('hashmesh.store.v1.StoredBatch')
const BatchLocationType = root.lookupType('hashmesh.store.v1.BatchLocation')
const IndexRowType = root.lookupType('hashmesh.store.v1.IndexRow')
const HeadType = root.lookupType('hashmesh.store.v1.Head')
const EquivocationRecordType = root.lookupType('hashmesh.store.v1.EquivocationRecord')

export interface StoreMeta { schemaVersion: number }
export interface MigrationCursor { fromVersion: number, afterKey: Uint8Array }
export interface StoredBatch { signed: Uint8Array, receivedAtMs: number, source: BatchSource }
export interface BatchLocation { publisher: Uint8Array, seq: number }
export interface IndexRow { action: Action, labels: string[], batchId: Uint8Array, receivedAtMs: number, createdAtMs: number, reason?: string }
/** The publisher is the key, so it is not repeated in the value. */
export interface HeadValue { seq: number, headId: Uint8Array, batches: number, entries: number }

/** Append-only, like the buckets: stored as numbers. */
export const Decision = Object.freeze({ UNDECIDED: 0, FOLLOW_STORED: 1, BLOCK: 2 } as const)
export type Decision = typeof Decision[keyof typeof Decision]
export interface EquivocationRecord { proof: Uint8Array, forkSeq: number, detectedAtMs: number, decision: Decision }

interface LongLike { toNumber: () => number }

/** A message type of store.proto, for the store's repositories that keep their own records. */
export function storeRecordType (name: string): protobuf.Type {
  return root.lookupType(`hashmesh.store.v1.${name}`)
}

export function corrupt (what: string, why: string): StoreError {
  return new StoreError('CORRUPT_RECORD', `${what}: ${why}`)
}

export function decode (type: protobuf.Type, bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    return type.decode(bytes) as unknown as Record<string, unknown>
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', `${what} is not valid protobuf`, { cause: err })
  }
}

/** uint64 decodes as a Long; anything at or past 2^53 converts to an unsafe number and is refused. */
export function safeInteger (v: unknown, what: string, field: string, min = 0): number {
  const n = typeof v === 'number' ? v : (v as LongLike | undefined)?.toNumber?.()
  if (n === undefined || !Number.isSafeInteger(n) || n < min) throw corrupt(what, `${field} out of range`)
  return n
}

export function bytesOfLength (v: unknown, length: number, what: string, field: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) throw corrupt(what, `${field} must be ${length} bytes`)
  return v
}

export function encode (type: protobuf.Type, record: object): Uint8Array {
  return type.encode(record).finish()
}

export function encodeStoreMeta (m: StoreMeta): Uint8Array {
  return encode(StoreMetaType, m)
}

export function decodeStoreMeta (bytes: Uint8Array): StoreMeta {
  const raw = decode(StoreMetaType, bytes, 'store meta')
  return { schemaVersion: safeInteger(raw.schemaVersion, 'store meta', 'schema_version') }
}

export function encodeMigrationCursor (c: MigrationCursor): Uint8Array {
  return encode(MigrationCursorType, c)
}

export function decodeMigrationCursor (bytes: Uint8Array): MigrationCursor {
  const what = 'migration cursor'
  const raw = decode(MigrationCursorType, bytes, what)
  if (!(raw.afterKey instanceof Uint8Array) || raw.afterKey.length === 0) throw corrupt(what, 'after_key missing')
  return { fromVersion: safeInteger(raw.fromVersion, what, 'from_version', 1), afterKey: raw.afterKey }
}

/** BatchSource.kind as stored; 0 is what an absent source decodes to, so it is never used. */
const SOURCE_KIND_CODES: Readonly<Record<BatchSourceKind, number>> = { local: 1, gossip: 2, sync: 3 }
const SOURCE_KINDS: readonly BatchSourceKind[] = ['local', 'gossip', 'sync']

/** Only the fields a source has are set, so a decoded record encodes back to the same bytes. */
function sourceRecord (source: BatchSource): object {
  return source.kind === 'local' ? { kind: SOURCE_KIND_CODES.local } : { kind: SOURCE_KIND_CODES[source.kind], peer: source.peer }
}

function decodeSource (raw: unknown, what: string): BatchSource {
  const { kind: code, peer } = (raw ?? {}) as { kind?: unknown, peer?: unknown }
  const kind = typeof code === 'number' ? SOURCE_KINDS[code - 1] : undefined
  if (kind === undefined) throw corrupt(what, 'source kind missing or unknown')
  if (kind === 'local') {
    if (peer !== '') throw corrupt(what, 'a local source names no peer')
    return LOCAL_SOURCE
  }
  if (typeof peer !== 'string' || !isPeerText(peer)) throw corrupt(what, `source peer must be 1-${MAX_PEER_CHARS} printable characters`)
  return { kind, peer }
}

export function encodeStoredBatch (b: StoredBatch): Uint8Array {
  return encodeReceipted(StoredBatchType, b)
}

/** A stored batch's or forum record's envelope. */
export function encodeReceipted (type: protobuf.Type, r: StoredBatch): Uint8Array {
  return encode(type, { signed: r.signed, receivedAtMs: r.receivedAtMs, source: sourceRecord(r.source) })
}

/**
 * A signed message kept as received with when and from where it came: a stored batch, a stored
 * forum record. The signed bytes are bounded like the message on the wire.
 */
export function decodeReceipted (type: protobuf.Type, bytes: Uint8Array, what: string, maxSignedBytes: number): StoredBatch {
  const raw = decode(type, bytes, what)
  const signed = raw.signed
  if (!(signed instanceof Uint8Array) || signed.length === 0 || signed.length > maxSignedBytes) {
    throw corrupt(what, `signed bytes must be 1 to ${maxSignedBytes} bytes`)
  }
  return { signed, receivedAtMs: safeInteger(raw.receivedAtMs, what, 'received_at_ms'), source: decodeSource(raw.source, what) }
}

export function decodeStoredBatch (bytes: Uint8Array): StoredBatch {
  return decodeReceipted(StoredBatchType, bytes, 'stored batch', MAX_SIGNED_BATCH_BYTES)
}

export function encodeBatchLocation (l: BatchLocation): Uint8Array {
  return encode(BatchLocationType, l)
}

export function decodeBatchLocation (bytes: Uint8Array): BatchLocation {
  const what = 'batch location'
  const raw = decode(BatchLocationType, bytes, what)
  return {
    publisher: bytesOfLength(raw.publisher, PUBLIC_KEY_BYTES, what, 'publisher'),
    seq: safeInteger(raw.seq, what, 'seq', 1)
  }
}

export function encodeIndexRow (r: IndexRow): Uint8Array {
  return encode(IndexRowType, r)
}

export function decodeIndexRow (bytes: Uint8Array): IndexRow {
  const what = 'index row'
  const raw = decode(IndexRowType, bytes, what)
  const action = raw.action
  if (typeof action !== 'number' || !Number.isInteger(action) || action < Action.ADD || action > Action.WITHDRAW) throw corrupt(what, 'unknown action')
  const reason = typeof raw.reason === 'string' && raw.reason !== '' ? { reason: raw.reason } : {}
  return {
    action: action as Action,
    ...reason,
    labels: raw.labels as string[],
    batchId: bytesOfLength(raw.batchId, BATCH_ID_BYTES, what, 'batch_id'),
    receivedAtMs: safeInteger(raw.receivedAtMs, what, 'received_at_ms'),
    createdAtMs: safeInteger(raw.createdAtMs, what, 'created_at_ms')
  }
}

export function encodeHead (h: HeadValue): Uint8Array {
  return encode(HeadType, h)
}

export function decodeHead (bytes: Uint8Array): HeadValue {
  const what = 'head'
  const raw = decode(HeadType, bytes, what)
  return {
    seq: safeInteger(raw.seq, what, 'seq', 1),
    headId: bytesOfLength(raw.headId, BATCH_ID_BYTES, what, 'head_id'),
    batches: safeInteger(raw.batches, what, 'batches', 1),
    entries: safeInteger(raw.entries, what, 'entries')
  }
}

export function encodeEquivocationRecord (r: EquivocationRecord): Uint8Array {
  return encode(EquivocationRecordType, r)
}

export function decodeEquivocationRecord (bytes: Uint8Array): EquivocationRecord {
  const what = 'equivocation record'
  const raw = decode(EquivocationRecordType, bytes, what)
  const decision = raw.decision
  if (decision !== Decision.UNDECIDED && decision !== Decision.FOLLOW_STORED && decision !== Decision.BLOCK) throw corrupt(what, 'unknown decision')
  if (!(raw.proof instanceof Uint8Array) || raw.proof.length === 0) throw corrupt(what, 'proof missing')
  return {
    proof: raw.proof,
    forkSeq: safeInteger(raw.forkSeq, what, 'fork_seq', 1),
    detectedAtMs: safeInteger(raw.detectedAtMs, what, 'detected_at_ms'),
    decision
  }
}
