/** A lookup answer, JSON-shaped: hex strings for bytes, ISO-8601 strings for times. */

export interface LookupMatch {
  publisher: string
  labels: string[]
  batchId: string
  seq: number
  action: 'add' | 'retract'
  /** When this node stored the batch (ISO-8601). */
  receivedAt: string
  /** When the publisher created the batch (ISO-8601, the publisher's clock). */
  createdAt: string
  /** True for the publisher's latest word on this hash (later entries supersede earlier ones). */
  current: boolean
  /** True when this publisher was caught signing two conflicting batches (see GET /v1/equivocations). */
  publisherEquivocating: boolean
  /** PDQ only: the stored hash this entry is about (lowercase hex), within `distance` of the query. */
  value?: string
  /** PDQ only: Hamming distance from the query (0 is the same hash). */
  distance?: number
  /** PDQ with variants only: which queried hash came closest, 0 for `value`, i for variants[i - 1]. */
  variant?: number
}

export interface LookupResult {
  type: string
  /** Lowercase hex. */
  value: string
  /** True when at least one publisher's current word on a matched hash is 'add'. */
  listed: boolean
  /**
   * Every entry mentioning the hash, oldest first per publisher; for PDQ, those of every stored hash
   * within maxDistance, nearest first. Empty when unknown.
   */
  matches: LookupMatch[]
  /** PDQ only: the distance searched. */
  maxDistance?: number
  /** PDQ only: more stored hashes were within maxDistance than one answer holds; these are the nearest. */
  truncated?: boolean
}
