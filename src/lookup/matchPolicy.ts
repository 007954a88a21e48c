/** Local policy: what a listed hash must also have, or must not have, for this node to call it a match. */
export interface MatchPolicyOptions {
  /** Ignore a hash once this many organisations report it a false positive; 0 never ignores. */
  falsePositiveThreshold: number
  /** A hash carrying one of these labels matches only with at least this many organisations confirming it. */
  confirmationsRequired: Record<string, number>
}

export const DEFAULT_MATCH_POLICY: MatchPolicyOptions = { falsePositiveThreshold: 0, confirmationsRequired: {} }
