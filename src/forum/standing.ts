/**
 * How a stored entry stands under this node's forum membership and trust list now. Membership
 * changes after a batch is stored (a revocation, a key rotation, a trust-list edit), so lookups ask
 * for every row they return rather than trusting what was true when the batch came in. This is the
 * one list of standing values; lookups, provenance and exports show them as they are.
 *
 * - trusted: no forum roots are configured and the publisher is on the local trust list (a small
 *   private setup). With roots the trust list counts for nothing.
 * - override: forum roots are configured and the operator accepts this key whatever the forum says
 *   (forum.overrides): the row rests on a local decision, not on the forum.
 * - member: a credential of a forum root covered the row's created-at, with the role its kind needs.
 * - revoked: as member, but the credential was revoked since; the row is from before the revocation's
 *   cut, so the forum's `revokedEntries` policy (keep | hide) decides whether it counts.
 * - after-cut: the row is past a revocation's or a key rotation's cut (seq or time): the publisher
 *   could not publish it any more, whatever this node accepted before it knew.
 * - no-credential: no credential covers it (unknown key, expired, not yet valid, missing role).
 */
export type StandingStatus = 'trusted' | 'override' | 'member' | 'revoked' | 'after-cut' | 'no-credential'

/** The kind of row: a hash action (add/retract, needs `publish`) or an opinion (needs `opine`). */
export type RowKind = 'hash' | 'opinion'

export interface RowStanding {
  status: StandingStatus
  /** Whether the row counts in lookups and matching under this node's policy. */
  visible: boolean
  /** The organisation the covering credential names (the latest one known for the key otherwise). */
  organisation?: string
  /** Serial of the credential that covered the row, and the root (hex) that signed it. */
  serial?: number
  root?: string
}

export interface StandingView {
  standing: (publisher: Uint8Array, seq: number, createdAtMs: number, kind: RowKind) => RowStanding
}

/** Without a forum: every row stands as trusted. For tests and tools that have no membership. */
export const EVERYONE_TRUSTED: StandingView = { standing: () => ({ status: 'trusted', visible: true }) }
