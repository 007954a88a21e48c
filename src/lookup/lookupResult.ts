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
}

export interface LookupResult {
  type: string
  /** Lowercase hex. */
  value: string
  /** True when at least one publisher's current word on the hash is 'add'. */
  listed: boolean
  /** Every entry mentioning the hash, oldest first per publisher. Empty when unknown. */
  matches: LookupMatch[]
}
