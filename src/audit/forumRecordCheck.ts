import { verify } from '../crypto/ed25519.js'
import { toHex } from '../signals/hex.js'
import type { StoreSnapshot } from '../store/batchScan.js'
import { decodeStoredForumRecord } from '../store/forumRecords.js'
import type { HashStore } from '../store/hashStore.js'
import type { ProblemLog } from '../store/storeVerifier.js'
import { decodeSignedForumRecord } from '../wire/forumCodec.js'

export type ForumProblemCode =
  /** A forum-record key of the wrong length. */
  | 'FORUM_KEY_MALFORMED'
  /** The StoredForumRecord or the SignedForumRecord in it does not decode. */
  | 'FORUM_RECORD_UNDECODABLE'
  /** Stored under another id than SHA-256 of its body. */
  | 'FORUM_ID_MISMATCH'
  /** Signed by a key that is neither a configured forum root nor one the node ever recorded running with. */
  | 'FORUM_UNKNOWN_ROOT'
  | 'FORUM_BAD_SIGNATURE'
  /** A credential's embedded key rotation is not signed by the old key. */
  | 'FORUM_BAD_ROTATION'

const RECORD_ID_BYTES = 32

/**
 * Every stored forum record is what a root signed: it decodes, sits under its own id, its signer
 * is one of `roots` (hex: the configured roots and every root the node recorded running with) and
 * its signature verifies, and a rotation inside a credential is signed by the key it rotates away
 * from. Read raw, so one damaged record is a problem to report rather than an error that stops the check.
 */
export async function checkForumRecords (store: HashStore, roots: ReadonlySet<string>, log: ProblemLog, snapshot?: StoreSnapshot): Promise<number> {
  let checked = 0
  const add = (code: ForumProblemCode, message: string, key: Uint8Array): void => { log.add({ check: 'forum', code, message, key: toHex(key) }) }
  for await (const [k, v] of store.repositories.forumRecord.recordsBinary(snapshot === undefined ? {} : { snapshot })) {
    checked++
    if (k.length !== 1 + RECORD_ID_BYTES) {
      add('FORUM_KEY_MALFORMED', `forum-record key of ${k.length} bytes`, k)
      continue
    }
    let record
    try {
      record = decodeSignedForumRecord(decodeStoredForumRecord(v).signed)
    } catch (err) {
      add('FORUM_RECORD_UNDECODABLE', (err as Error).message, k)
      continue
    }
    if (Buffer.compare(record.id, k.subarray(1)) !== 0) add('FORUM_ID_MISMATCH', `stored under ${toHex(k.subarray(1))}, its id is ${toHex(record.id)}`, k)
    const signer = toHex(record.body.signer)
    if (!roots.has(signer)) {
      add('FORUM_UNKNOWN_ROOT', `signed by ${signer}, which is not a forum root: neither configured nor in any settings this node recorded`, k)
    }
    if (!verify(record.signature, record.bodyBytes, record.body.signer)) add('FORUM_BAD_SIGNATURE', 'the root\'s signature does not verify', k)
    const rotation = record.body.credential?.rotation
    if (rotation !== undefined && !verify(rotation.signature, rotation.bodyBytes, rotation.body.oldKey)) {
      add('FORUM_BAD_ROTATION', `the key rotation from ${toHex(rotation.body.oldKey)} is not signed by that key`, k)
    }
  }
  return checked
}
