import { MAX_FORUM_RECORD_BYTES } from '../wire/limits.js'
import type { BatchSource } from '../wire/batchSource.js'
import type { DecodedForumRecord } from '../wire/types.js'
import { Bucket } from './buckets.js'
import type { ExtraOps, HashStore } from './hashStore.js'
import { bytesOfLength, corrupt, decodeReceipted, encodeReceipted, storeRecordType } from './records.js'
import type { Codec } from './repository.js'

const StoredForumRecordType = storeRecordType('StoredForumRecord')

/** A record id is SHA-256 of the record body. */
const RECORD_ID_BYTES = 32

export interface ForumRecordReceipt {
  receivedAtMs: number
  source: BatchSource
}

export interface StoredForumRecord extends ForumRecordReceipt {
  /** The exact SignedForumRecord bytes as received. */
  signed: Uint8Array
}

export interface StoredForumRecordRow extends StoredForumRecord {
  /** SHA-256 of the record body: the key it is stored under. */
  id: Uint8Array
}

export function forumRecordKey (id: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + RECORD_ID_BYTES)
  key[0] = Bucket.forumRecord
  key.set(bytesOfLength(id, RECORD_ID_BYTES, 'forum record key', 'id'), 1)
  return key
}

function parseForumRecordKey (key: Uint8Array): Uint8Array {
  if (key[0] !== Bucket.forumRecord || key.length !== 1 + RECORD_ID_BYTES) throw corrupt('forum record key', `malformed key of ${key.length} bytes`)
  return key.subarray(1)
}

export function encodeStoredForumRecord (r: StoredForumRecord): Uint8Array {
  return encodeReceipted(StoredForumRecordType, r)
}

export function decodeStoredForumRecord (bytes: Uint8Array): StoredForumRecord {
  return decodeReceipted(StoredForumRecordType, bytes, 'stored forum record', MAX_FORUM_RECORD_BYTES)
}

/** The forum-record bucket's codecs (storeRepositories.ts). */
export const FORUM_RECORD_KEY: Codec<Uint8Array> = { encode: forumRecordKey, decode: parseForumRecordKey }
export const STORED_FORUM_RECORD: Codec<StoredForumRecord> = { encode: encodeStoredForumRecord, decode: decodeStoredForumRecord }

/**
 * Forum credentials and revocations as received, keyed by record id. Records are never deleted: a
 * revocation is itself a record, and re-serving exactly what was signed lets peers check it again.
 */
export class ForumRecordStore {
  private readonly store: HashStore

  constructor (store: HashStore) {
    this.store = store
  }

  /**
   * Stores a record (already validated) and `extra` in one atomic write. A record already stored is
   * a no-op: nothing is written, and `extra` is not even called, so an audit record is written only
   * for a record that is new.
   */
  async put (record: DecodedForumRecord, receipt: ForumRecordReceipt, extra?: ExtraOps): Promise<'stored' | 'duplicate'> {
    const records = this.store.repositories.forumRecord
    let result: 'stored' | 'duplicate' = 'duplicate'
    await this.store.writeAtomically(async () => {
      // Checked in the write queue, so two puts of one record cannot both store it.
      if (await records.has(record.id)) return []
      result = 'stored'
      return [records.putOp(record.id, { signed: record.signedBytes, receivedAtMs: receipt.receivedAtMs, source: receipt.source }), ...(await extra?.() ?? [])]
    })
    return result
  }

  /** Every stored record, in key (record id) order. */
  async all (): Promise<StoredForumRecordRow[]> {
    return (await this.store.repositories.forumRecord.all()).map(([id, record]) => ({ id: Uint8Array.from(id), ...record }))
  }

  async count (): Promise<number> {
    return await this.store.repositories.forumRecord.count()
  }
}
