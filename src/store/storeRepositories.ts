import { ALLOWLIST_KEY, ALLOWLIST_VALUE, type AllowlistKey, type AllowlistValue } from './allowlist.js'
import { AUDIT_RECORD_KEY } from './auditLog.js'
import { Bucket, type MetaKey } from './buckets.js'
import { HASH_ROWS, type HashRows } from './hashRows.js'
import { DEAD_KEY, type DeadKey, HOOK_DELIVERY, HOOK_KEY, HOOK_RECORD, type HookDelivery, type HookRecord, OUTBOX_KEY, type OutboxKey } from './hookRecords.js'
import { FORUM_RECORD_KEY, STORED_FORUM_RECORD, type StoredForumRecord } from './forumRecords.js'
import {
  type BatchPlace, type EntryKey, type TypedValue, batchAtKey, hashRowsKey, parseHashRowsKey, batchIdKey, entryKey, equivocationKey, headKey, metaKey,
  parseBatchAtKey, parseBatchIdKey, parseEntryKey, parseMetaKey, parsePublisherKey, parseSignedBatchKey, signedBatchKey
} from './keys.js'
import {
  type BatchLocation, type EquivocationRecord, type HeadValue, type IndexRow, type StoredBatch,
  decodeBatchLocation, decodeEquivocationRecord, decodeHead, decodeIndexRow, decodeStoredBatch,
  encodeBatchLocation, encodeEquivocationRecord, encodeHead, encodeIndexRow, encodeStoredBatch
} from './records.js'
import {
  type ContentKey, type MatchSummaryRow, type StoredMatch,
  MATCH_CONTENT_KEY, MATCH_RECORD_KEY, MATCH_SUMMARY_KEY, MATCH_SUMMARY_ROW, STORED_MATCH
} from './matchRecords.js'
import { type Codec, KEY_ONLY, type LevelDb, RAW_BYTES, Repository } from './repository.js'
import {
  WATCH_HASH_KEY, WATCH_ITEM_KEY, WATCH_ITEM_VALUE, WATCH_MATCH_KEY, WATCH_MATCH_VALUE,
  type WatchHashKey, type WatchItemValue, type WatchMatchState
} from './watchRecords.js'

const PLACE_OF_BATCH_AT: Codec<BatchPlace> = { encode: p => batchAtKey(p.publisher, p.seq), decode: parseBatchAtKey }
const PLACE_OF_SIGNED_BATCH: Codec<BatchPlace> = { encode: p => signedBatchKey(p.publisher, p.seq), decode: parseSignedBatchKey }

/**
 * One typed repository per bucket (buckets.ts), all over the one LevelDB of a store. The store
 * builds this once and hands it out; nothing else sees the LevelDB handle. Values that a caller
 * hashes or checks byte by byte (meta records, audit records, batchAt ids) stay raw bytes.
 */
export class StoreRepositories {
  /** MetaKey → a record whose type depends on the key (records.ts, auditLog.ts). */
  readonly meta: Repository<MetaKey, Uint8Array>
  readonly signedBatch: Repository<BatchPlace, StoredBatch>
  /** → the batch id (32 bytes). */
  readonly batchAt: Repository<BatchPlace, Uint8Array>
  /** batch id → where it sits. */
  readonly batchId: Repository<Uint8Array, BatchLocation>
  readonly entryIndex: Repository<EntryKey, IndexRow>
  /** publisher → its head. */
  readonly head: Repository<Uint8Array, HeadValue>
  /** publisher → the first proof that it forked. */
  readonly equivocation: Repository<Uint8Array, EquivocationRecord>
  /** record id → the record as received. */
  readonly forumRecord: Repository<Uint8Array, StoredForumRecord>
  readonly allowlist: Repository<AllowlistKey, AllowlistValue>
  /** seq → the encoded AuditRecord, raw: the chain hashes these exact bytes. */
  readonly auditLog: Repository<number, Uint8Array>
  /** hash → every entry-index row of it in summary form (or overflow). */
  readonly hashRows: Repository<TypedValue, HashRows>
  /** hook id → the receiver and its event types. */
  readonly hook: Repository<Uint8Array, HookRecord>
  /** (hook, due, event) → an event waiting for that hook. */
  readonly hookOutbox: Repository<OutboxKey, HookDelivery>
  /** (event, hook) → a delivery given up on. */
  readonly hookDead: Repository<DeadKey, HookDelivery>
  /** match id (14 bytes) → the match record. */
  readonly matchRecord: Repository<Uint8Array, StoredMatch>
  /** content id + match id → nothing: a content id's matches. */
  readonly matchByContent: Repository<ContentKey, true>
  /** match id → the fields filters, stats and pruning read. */
  readonly matchSummary: Repository<Uint8Array, MatchSummaryRow>
  /** content id → a watched item's hashes. */
  readonly watchItem: Repository<string, WatchItemValue>
  /** hash + content id → nothing: which items watch a hash. */
  readonly watchHash: Repository<WatchHashKey, true>
  /** content id → the listed stored hashes that match it now. */
  readonly watchMatch: Repository<string, WatchMatchState>

  constructor (db: LevelDb) {
    this.meta = new Repository(db, Bucket.meta, { encode: metaKey, decode: parseMetaKey }, RAW_BYTES)
    this.signedBatch = new Repository(db, Bucket.signedBatch, PLACE_OF_SIGNED_BATCH, { encode: encodeStoredBatch, decode: decodeStoredBatch })
    this.batchAt = new Repository(db, Bucket.batchAt, PLACE_OF_BATCH_AT, RAW_BYTES)
    this.batchId = new Repository(
      db, Bucket.batchId,
      { encode: batchIdKey, decode: parseBatchIdKey },
      { encode: encodeBatchLocation, decode: decodeBatchLocation }
    )
    this.entryIndex = new Repository(db, Bucket.entryIndex, { encode: entryKey, decode: parseEntryKey }, { encode: encodeIndexRow, decode: decodeIndexRow })
    this.head = new Repository(db, Bucket.head, { encode: headKey, decode: k => parsePublisherKey(Bucket.head, k) }, { encode: encodeHead, decode: decodeHead })
    this.equivocation = new Repository(
      db, Bucket.equivocation,
      { encode: equivocationKey, decode: k => parsePublisherKey(Bucket.equivocation, k) },
      { encode: encodeEquivocationRecord, decode: decodeEquivocationRecord }
    )
    this.forumRecord = new Repository(db, Bucket.forumRecord, FORUM_RECORD_KEY, STORED_FORUM_RECORD)
    this.allowlist = new Repository(db, Bucket.allowlist, ALLOWLIST_KEY, ALLOWLIST_VALUE)
    this.auditLog = new Repository(db, Bucket.auditLog, AUDIT_RECORD_KEY, RAW_BYTES)
    this.hashRows = new Repository(db, Bucket.hashRows, { encode: hashRowsKey, decode: parseHashRowsKey }, HASH_ROWS)
    this.hook = new Repository(db, Bucket.hook, HOOK_KEY, HOOK_RECORD)
    this.hookOutbox = new Repository(db, Bucket.hookOutbox, OUTBOX_KEY, HOOK_DELIVERY)
    this.hookDead = new Repository(db, Bucket.hookDead, DEAD_KEY, HOOK_DELIVERY)
    this.matchRecord = new Repository(db, Bucket.matchRecord, MATCH_RECORD_KEY, STORED_MATCH)
    this.matchByContent = new Repository(db, Bucket.matchByContent, MATCH_CONTENT_KEY, KEY_ONLY)
    this.matchSummary = new Repository(db, Bucket.matchSummary, MATCH_SUMMARY_KEY, MATCH_SUMMARY_ROW)
    this.watchItem = new Repository(db, Bucket.watchItem, WATCH_ITEM_KEY, WATCH_ITEM_VALUE)
    this.watchHash = new Repository(db, Bucket.watchHash, WATCH_HASH_KEY, KEY_ONLY)
    this.watchMatch = new Repository(db, Bucket.watchMatch, WATCH_MATCH_KEY, WATCH_MATCH_VALUE)
  }
}
