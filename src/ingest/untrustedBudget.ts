/**
 * How many bytes of batches from publishers this node does not trust a source and a publisher may
 * send it; src/network/untrustedByteBudget.ts is the one in use. `source` is the ingest source:
 * 'gossip:<peer id>', 'sync:<peer id>' or 'local'.
 */
export interface UntrustedBudget {
  /** Takes `bytes` from both budgets and returns true, or takes nothing and returns false. */
  spend: (source: string, publisher: Uint8Array, bytes: number) => boolean
}
