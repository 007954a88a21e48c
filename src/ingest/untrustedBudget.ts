import type { BatchSource } from '../wire/batchSource.js'

/**
 * How many bytes of batches from publishers this node does not trust a source and a publisher may
 * send it; src/network/untrustedByteBudget.ts is the one in use. `source` is the ingest source.
 */
export interface UntrustedBudget {
  /** Takes `bytes` from both budgets and returns true, or takes nothing and returns false. */
  spend: (source: BatchSource, publisher: Uint8Array, bytes: number) => boolean
}
