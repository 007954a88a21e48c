import type { StandingStatus } from '../forum/standing.js'
import type { ActionName } from '../wire/types.js'

/** A lookup answer, JSON-shaped: hex strings for bytes, ISO-8601 strings for times. */

export interface LookupMatch {
  publisher: string
  labels: string[]
  batchId: string
  seq: number
  action: ActionName
  /** When this node stored the batch (ISO-8601). */
  receivedAt: string
  /** When the publisher created the batch (ISO-8601, the publisher's clock). */
  createdAt: string
  /**
   * True for the publisher's latest visible word of this kind on this hash: its last add/retract,
   * and separately its last opinion (later entries supersede earlier ones).
   */
  current: boolean
  /** True when this publisher was caught signing two conflicting batches (see GET /v1/equivocations). */
  publisherEquivocating: boolean
  /** PDQ only: the stored hash this entry is about (lowercase hex), within `distance` of the query. */
  value?: string
  /** PDQ only: Hamming distance from the query (0 is the same hash). */
  distance?: number
  /** PDQ with variants only: which queried hash came closest, 0 for `value`, i for variants[i - 1]. */
  variant?: number
  /** The organisation the publisher's credential names; absent for a trust-list key without one. */
  organisation?: string
  /** How the entry stands under membership now (see forum/standing.ts). */
  standing: StandingStatus
  /** Opinions only: the reason code given, when one was. */
  reason?: string
}

/**
 * Opinions of one kind about a hash: each visible publisher's current opinion only (a later one
 * supersedes its earlier one; withdraw clears it), so one publisher counts at most once.
 */
export interface OpinionTally {
  /** Distinct organisations holding this opinion: what policy thresholds compare against. */
  count: number
  /** Those organisations, sorted (a key without one counts under its hex). */
  organisations: string[]
  /** Publisher keys holding it; several keys of one organisation count once in `count`. */
  publishers: number
}

/** A visible publisher and the organisation its credential names (absent for a bare trust-list key). */
export interface PublisherRef {
  publisher: string
  organisation?: string
}

/**
 * One stored hash a lookup found, aggregated over every visible entry about it (hidden rows, see
 * forum/standing.ts, count for nothing), and the local verdict on it (lookup/matchPolicy.ts).
 */
export interface HashSummary {
  /** Lowercase hex of the stored hash (for PDQ, possibly a near one). */
  value: string
  /** PDQ only: Hamming distance from the query. */
  distance?: number
  /** At least one visible publisher's current word is add. */
  listed: boolean
  /** Publishers whose current word is add, with the labels of that add. */
  addedBy: Array<PublisherRef & { labels: string[] }>
  /** Publishers whose current word is retract. */
  retractedBy: PublisherRef[]
  opinions: { confirm: OpinionTally, falsePositive: OpinionTally, dispute: OpinionTally }
  /** Confirmations and false-positive reports both exist, or someone disputes it. */
  disputed: boolean
  /** On this node's allowlist: never matched (addedAt ISO-8601). */
  allowlisted?: { note: string, author: string, addedAt: string }
  /** Whether local policy treats an upload with this hash as a match. */
  match: boolean
  /** Why, in words an administrator reads: the rules that decided it. */
  reasons: string[]
}

export interface LookupResult {
  type: string
  /** Lowercase hex. */
  value: string
  /** True when at least one visible publisher's current word on a found hash is 'add'. */
  listed: boolean
  /**
   * Every visible entry mentioning the hash, oldest first per publisher; for PDQ, those of every
   * stored hash within maxDistance, nearest first. Empty when unknown.
   */
  matches: LookupMatch[]
  /** PDQ only: the distance searched. */
  maxDistance?: number
  /** PDQ only: more stored hashes were within maxDistance than one answer holds; these are the nearest. */
  truncated?: boolean
  /** Local policy's verdict: at least one of `hashes` matches. */
  match: boolean
  /** One per stored hash found with a visible entry (exact: at most one), in `matches` order. */
  hashes: HashSummary[]
}

/** A lookup answer without its entries: what checking uploads needs, read from one record per hash. */
export type LookupSummary = Omit<LookupResult, 'matches'>
