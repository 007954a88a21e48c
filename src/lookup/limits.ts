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

/**
 * Cost of the PDQ searches one request may ask for, in the index's cost-model units (about a
 * nanosecond each where it was tuned; bench/lookupBudget.ts measures them here): a request is priced
 * before any search runs, as the sum over its PDQ queries of (1 + variants) × (SEARCH_OVERHEAD_COST
 * + the index's estimate at that distance and size). 4e9 admits 10,000 default-distance queries
 * against 1M stored hashes, or 8 full scans of 10M; it refuses 10,000 queries at distance 63 with
 * seven variants against 100k (~2e11), which once took 259 s of CPU.
 */
export const MAX_REQUEST_SEARCH_COST = 4e9

/**
 * Cost of one PDQ query with its variants: it runs in one piece between two turns of the event
 * loop, so this bounds how long gossip and other requests wait on it (a scan of 10M fits, eight don't).
 */
export const MAX_QUERY_SEARCH_COST = 2.5e8

/** A search's fixed cost besides what the index's model counts (parsing, buffers, sorting the answer). */
export const SEARCH_OVERHEAD_COST = 40_000
