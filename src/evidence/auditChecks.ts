import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../signals/hex.js'
import { AUDIT_HASH_BYTES, type DecodedAuditRecord, decodeAuditRecord } from '../store/auditRecord.js'
import { auditTermsOf, concerns } from './auditTerms.js'
import type { EvidenceAuditRecord, EvidenceBundle } from './evidenceBundle.js'
import { type CheckLog, short } from './evidenceReport.js'

const GENESIS = toHex(new Uint8Array(AUDIT_HASH_BYTES))

interface Linked { seq: number, hash: string }

function recordProblems (claim: EvidenceAuditRecord, bytes: Uint8Array, r: DecodedAuditRecord, before: Linked | undefined, bundle: EvidenceBundle): string[] {
  const problems: string[] = []
  const { head } = bundle.audit
  const hash = toHex(sha256(bytes))
  if (r.seq !== claim.seq) problems.push(`the record says it is seq ${r.seq}`)
  if (hash !== claim.hash) problems.push(`hash ${short(claim.hash)} is not the SHA-256 of the record (${short(hash)})`)
  if (before !== undefined && before.seq >= claim.seq) problems.push(`it comes after record ${before.seq}: records must be in seq order`)
  if (claim.seq === 1 && toHex(r.prev) !== GENESIS) problems.push('the first record\'s prev is not zero')
  if (before?.seq === claim.seq - 1 && toHex(r.prev) !== before.hash) problems.push(`prev is not the hash of record ${before.seq}: the link is broken`)
  if (claim.seq > head.seq) problems.push(`it is past the audit head (seq ${head.seq})`)
  if (claim.seq === head.seq && hash !== head.hash) problems.push('it is at the head\'s seq but its hash is not the head\'s')
  return problems
}

/**
 * Each audit record: its hash is the SHA-256 of its bytes, it is in seq order, its prev links to
 * the record before it when that one is included too, it lies within the head, and it concerns the
 * subject (names one of its hashes, batch ids, content id or match id).
 */
export function checkAuditRecords (bundle: EvidenceBundle, log: CheckLog): void {
  const terms = auditTermsOf({
    hashes: bundle.subject.hashes,
    batchIds: bundle.batches.map(b => b.id),
    ...(bundle.subject.contentId === undefined ? {} : { contentId: bundle.subject.contentId }),
    ...(bundle.match === undefined ? {} : { matchId: bundle.match.id })
  })
  let before: { seq: number, hash: string } | undefined
  for (const claim of bundle.audit.records) {
    const label = `audit record ${claim.seq}`
    const bytes = Buffer.from(claim.record, 'base64')
    let record
    try {
      record = decodeAuditRecord(bytes)
    } catch (err) {
      log.fail('audit', label, `the record does not decode: ${(err as Error).message}`)
      before = undefined
      continue
    }
    const problems = recordProblems(claim, bytes, record, before, bundle)
    if (!concerns(record.details, terms)) problems.push(`its details (${record.action}) name none of the subject's hashes, batches or ids`)
    const linked = before?.seq === claim.seq - 1 ? ', linked to the record before' : ''
    log.outcome('audit', label, problems, `${record.action} by ${record.actor} at ${new Date(record.atMs).toISOString()}: hash verified${linked}`)
    before = { seq: claim.seq, hash: toHex(sha256(bytes)) }
  }
}
