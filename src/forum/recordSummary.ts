import { toHex } from '../signals/hex.js'
import type { DecodedForumRecord, Role } from '../wire/types.js'
import { isoTime } from './isoTime.js'

/** A forum record as people read it: for API answers and the audit log's `forum.record` details. */
export interface ForumRecordSummary {
  recordId: string
  kind: 'credential' | 'revocation'
  root: string
  network: string
  issuedAt: string
  member: string
  /** The credential's serial, or the one revoked (0: all). */
  serial: number
  organisation?: string
  roles?: Role[]
  validFrom?: string
  validUntil?: string
  /** The old key of the rotation a credential embeds. */
  rotatedFrom?: string
  effectiveAt?: string
  lastSeq?: number
  reason?: string
}

export function summariseRecord (record: DecodedForumRecord): ForumRecordSummary {
  const { signer, network, createdAtMs, credential: c, revocation: r } = record.body
  const common = { recordId: toHex(record.id), root: toHex(signer), network, issuedAt: isoTime(createdAtMs) }
  if (c !== undefined) {
    return {
      ...common,
      kind: 'credential',
      member: toHex(c.member),
      serial: c.serial,
      organisation: c.organisation,
      roles: [...c.roles],
      validFrom: isoTime(c.validFromMs),
      validUntil: isoTime(c.validUntilMs),
      ...(c.rotation === undefined ? {} : { rotatedFrom: toHex(c.rotation.body.oldKey) })
    }
  }
  // The codec guarantees exactly one of the two.
  const revocation = r!
  return {
    ...common,
    kind: 'revocation',
    member: toHex(revocation.member),
    serial: revocation.serial,
    effectiveAt: isoTime(revocation.effectiveAtMs),
    lastSeq: revocation.lastSeq,
    reason: revocation.reason
  }
}
