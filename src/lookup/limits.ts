/** Bounds on a lookup; the API and CLI check against the same numbers. */

/** The reference's "confident match" for PDQ: at most 31 of 256 bits differ. */
export const DEFAULT_PDQ_MAX_DISTANCE = 31

/** Every distance a 256-bit hash can have; past 63 the index answers by a linear scan. */
export const MAX_PDQ_DISTANCE = 256

/**
 * Distinct stored hashes one PDQ lookup reports, nearest first: a real image has a handful of near
 * copies listed; a wide search must stay bounded in store reads and answer size (`truncated` says so).
 */
export const MAX_NEAR_MATCHES = 100

/** Other forms of one image queried with it: the seven non-trivial dihedral variants. */
export const MAX_PDQ_VARIANTS = 7

/**
 * PDQ queries in one request that search past the index's multi-index reach (MAX_MIH_DISTANCE):
 * each scans every listed hash (~40 ms at 1M, ~0.4 s at 10M), so a request may hold only a few.
 */
export const MAX_SCANNING_PDQ_QUERIES = 8
