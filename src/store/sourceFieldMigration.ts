import { type BatchSource, parseBatchSource } from '../wire/batchSource.js'
import { MAX_FORUM_RECORD_BYTES, MAX_SIGNED_BATCH_BYTES } from '../wire/limits.js'
import { toHex } from '../signals/hex.js'
import { StoreError } from './errors.js'
import { corrupt, decode, safeInteger, storeRecordType } from './records.js'
import type { Repository, StoreOp } from './repository.js'
import type { MigrationContext } from './schemaUpgrade.js'

/** Schema 1's envelope of a stored batch and of a stored forum record (the same three fields). */
const ReceiptedV1Type = storeRecordType('ReceiptedV1')

/** A stored batch can be ~1 MiB: 16 per atomic write keeps a chunk near 16 MiB at worst. */
const BATCH_CHUNK = 16
/** Forum records are at most a few KiB. */
const FORUM_RECORD_CHUNK = 500

interface ReceiptV1 { signed: Uint8Array, receivedAtMs: number, source: BatchSource }

/**
 * Schema 1 -> 2: a stored batch's and forum record's source was the text "local", "gossip:<peer>"
 * or "sync:<peer>" (field 3); it becomes a BatchSource message (field 4). Every record is rewritten;
 * the signed bytes and the receipt time are carried over as they are.
 */
export async function sourceAsField (ctx: MigrationContext): Promise<void> {
  const { signedBatch, forumRecord } = ctx.repositories
  ctx.count('batches', await ctx.rewrite(signedBatch, rows => rewritten(signedBatch, rows, MAX_SIGNED_BATCH_BYTES), { chunk: BATCH_CHUNK }))
  ctx.count('forumRecords', await ctx.rewrite(forumRecord, rows => rewritten(forumRecord, rows, MAX_FORUM_RECORD_BYTES), { chunk: FORUM_RECORD_CHUNK }))
}

function rewritten<K> (repository: Repository<K, ReceiptV1>, rows: Array<[Uint8Array, Uint8Array]>, maxSignedBytes: number): StoreOp[] {
  return rows.map(([k, v]) => repository.putOp(repository.decodeKey(k), decodeV1(k, v, maxSignedBytes)))
}

function decodeV1 (key: Uint8Array, bytes: Uint8Array, maxSignedBytes: number): ReceiptV1 {
  const what = `schema-1 record ${toHex(key)}`
  const raw = decode(ReceiptedV1Type, bytes, what)
  const signed = raw.signed
  if (!(signed instanceof Uint8Array) || signed.length === 0 || signed.length > maxSignedBytes) {
    throw corrupt(what, `signed bytes must be 1 to ${maxSignedBytes} bytes`)
  }
  const source = typeof raw.source === 'string' ? parseBatchSource(raw.source) : undefined
  if (source === undefined) {
    throw new StoreError('CORRUPT_RECORD', `${what}: source ${JSON.stringify(String(raw.source).slice(0, 80))} is none this node writes`)
  }
  return { signed, receivedAtMs: safeInteger(raw.receivedAtMs, what, 'received_at_ms'), source }
}
