import type { KeyRotation, Revocation } from '../wire/types.js'

/**
 * Where a revocation or a key rotation cuts a publisher's log. A publisher's created_at is its own
 * clock, so a revoked member could backdate; its chain position cannot be faked once peers hold it,
 * which is why a cut may also name the last seq that still counts.
 */

/** A row at (seq, createdAt) is past the revocation's cut: from effective_at on, or above last_seq when given. */
export function pastRevocationCut (revocation: Revocation, seq: number, createdAtMs: number): boolean {
  return createdAtMs >= revocation.effectiveAtMs || (revocation.lastSeq > 0 && seq > revocation.lastSeq)
}

/**
 * A row of the OLD key is past its rotation's cut: above last_seq, or, when the old key published
 * nothing (last_seq 0), anything created from the rotation on.
 */
export function pastRotationCut (rotation: KeyRotation, seq: number, createdAtMs: number): boolean {
  return rotation.lastSeq > 0 ? seq > rotation.lastSeq : createdAtMs >= rotation.createdAtMs
}

/**
 * Whether a revocation names a credential: from the same root, and its serial, or (serial 0) every
 * one the root had issued by the time it signed the revocation, so the forum can admit the member
 * again later with a new credential.
 */
export function revocationNames (
  revocation: { root: string, serial: number, issuedAtMs: number },
  credential: { root: string, serial: number, issuedAtMs: number }
): boolean {
  if (revocation.root !== credential.root) return false
  return revocation.serial === 0 ? credential.issuedAtMs <= revocation.issuedAtMs : revocation.serial === credential.serial
}
