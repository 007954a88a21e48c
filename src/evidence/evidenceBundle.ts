import type { HashRef } from '../events/hashmeshEvent.js'
import { MAX_FORUM_RECORDS } from '../forum/limits.js'
import type { MatchRecord } from '../matches/matchRecord.js'
import type { ActionName } from '../wire/types.js'

/**
 * An evidence bundle: everything a third party needs to check, offline, what this node holds about
 * one piece of content or one hash. Bytes that were signed travel as they were signed (base64), so
 * their signatures and ids can be checked again; everything else is JSON. The file is the RFC 8785
 * canonical serialisation of this object, and the node signs that serialisation without its
 * `signature` member, so every byte of the file counts. The README section "Evidence bundles"
 * specifies it for other implementations.
 */

export const EVIDENCE_FORMAT = 'hashmesh-evidence/1'

/** Prefixed to the canonical bytes before signing, so a bundle signature can never pass for a batch signature. */
export const SIGNING_CONTEXT = `${EVIDENCE_FORMAT}\n`

/** Batches per bundle: a hash listed, retracted and opined on by every member of a large forum, with room. */
export const MAX_EVIDENCE_BATCHES = 1000
/** Signed batch bytes per bundle (before base64): keeps the bundle a file one can mail and load whole. */
export const MAX_EVIDENCE_BATCH_BYTES = 32 * 1024 * 1024
/** Audit records per bundle: acts about one hash are few; more means something is looping. */
export const MAX_EVIDENCE_AUDIT_RECORDS = 10_000
/** Hashes one bundle is about: a match record's matched stored hashes (a near PDQ may match several). */
export const MAX_EVIDENCE_HASHES = 256
/** Forum records a node holds at most (forum/limits.ts MAX_FORUM_RECORDS); a bundle holds a subset. */
export const MAX_EVIDENCE_FORUM_RECORDS = MAX_FORUM_RECORDS
/** Forum roots a node's config names at most (config MAX_FORUM_ROOTS is 16), with room for a later raise. */
export const MAX_EVIDENCE_ROOTS = 64
/** A bundle file: the batch bytes in base64 and everything else, with room. */
export const MAX_EVIDENCE_FILE_BYTES = 64 * 1024 * 1024
/** Content ids as the match log takes them; bounded here again for the verifier. */
export const MAX_CONTENT_ID_CHARS = 512

/** One entry of a batch that mentions a hash of the subject, as the bundle claims it. */
export interface EvidenceEntry {
  /** Index of the entry in its batch. */
  position: number
  type: string
  value: string
  action: ActionName
}

export interface EvidenceBatch {
  /** Lowercase hex SHA-256 of the signed body: the batch id. */
  id: string
  publisher: string
  seq: number
  /** Every entry of this batch about a hash of the subject, by position. */
  entries: EvidenceEntry[]
  /** The SignedBatch bytes as stored, base64 (RFC 4648 section 4, padded). */
  signed: string
}

export interface EvidenceForumRecord {
  /** Lowercase hex SHA-256 of the record body. */
  id: string
  kind: 'credential' | 'revocation'
  member: string
  /** The SignedForumRecord bytes, base64. */
  signed: string
}

export interface EvidenceAuditRecord {
  seq: number
  /** Lowercase hex SHA-256 of the stored record bytes: the next record's prev. */
  hash: string
  /** The AuditRecord bytes as stored (proto/store.proto), base64. */
  record: string
}

export interface EvidenceBody {
  format: typeof EVIDENCE_FORMAT
  /** When the bundle was made (ISO-8601, the node's clock). */
  createdAt: string
  node: { publisherKey: string, network: string }
  subject: { contentId?: string, hashes: HashRef[] }
  match?: MatchRecord
  batches: EvidenceBatch[]
  forum: { roots: string[], records: EvidenceForumRecord[] }
  audit: { head: { seq: number, hash: string }, records: EvidenceAuditRecord[] }
}

export interface EvidenceBundle extends EvidenceBody {
  /** Lowercase hex Ed25519 signature by node.publisherKey over SIGNING_CONTEXT ‖ canonical(body). */
  signature: string
}
