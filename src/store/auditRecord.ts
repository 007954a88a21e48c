import { bytesOfLength, corrupt, decode, safeInteger, storeRecordType } from './records.js'

/**
 * One audit-log record's stored bytes, decoded with every field checked. Apart from the log
 * itself, so that an evidence bundle's verifier can check records it was handed without loading
 * the store.
 */

export const AuditRecordType = storeRecordType('AuditRecord')

/** A record's prev, and the head's hash: SHA-256. */
export const AUDIT_HASH_BYTES = 32

export interface DecodedAuditRecord { seq: number, prev: Uint8Array, atMs: number, actor: string, action: string, details: Record<string, unknown> }

export function decodeAuditRecord (bytes: Uint8Array): DecodedAuditRecord {
  const what = 'audit record'
  const raw = decode(AuditRecordType, bytes, what)
  let details: unknown
  try {
    details = JSON.parse(String(raw.details))
  } catch {
    throw corrupt(what, 'details are not JSON')
  }
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw corrupt(what, 'details are not a JSON object')
  return {
    seq: safeInteger(raw.seq, what, 'seq', 1),
    prev: bytesOfLength(raw.prev, AUDIT_HASH_BYTES, what, 'prev'),
    atMs: safeInteger(raw.atMs, what, 'at_ms'),
    actor: String(raw.actor),
    action: String(raw.action),
    details: details as Record<string, unknown>
  }
}
