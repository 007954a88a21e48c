import type { Role } from '../wire/types.js'

/**
 * What a member's credential says and how it stands now, for people (API, CLI). Hex for keys and
 * ids, ISO-8601 for times.
 *
 * - revoked: a revocation names this credential (revokedAt: its effective time, maybe still ahead).
 * - rotated: the member moved to another key (rotatedTo); this key's later batches are refused.
 * - expired / not-yet-valid / active: by validFrom ≤ now < validUntil.
 */
export type MemberStatus = 'active' | 'expired' | 'not-yet-valid' | 'revoked' | 'rotated'

export interface MemberInfo {
  /** The member's publisher key. */
  publisher: string
  organisation: string
  roles: Role[]
  validFrom: string
  /** Exclusive. */
  validUntil: string
  serial: number
  /** The forum root key that signed the credential. */
  root: string
  status: MemberStatus
  revokedAt?: string
  /** The key this one moved to, when a later credential embeds its rotation. */
  rotatedTo?: string
  /** The key this credential's member moved from (its embedded rotation). */
  rotatedFrom?: string
  recordId: string
  /** The record's created_at: when the root signed it. */
  issuedAt: string
}

export interface RevocationInfo {
  member: string
  /** 0: every credential the root issued to the member up to this revocation. */
  serial: number
  effectiveAt: string
  /** The member's batches above it are refused; 0 when there is no seq bound. */
  lastSeq: number
  reason: string
  root: string
  recordId: string
  issuedAt: string
}
