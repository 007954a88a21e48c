import type { BatchReceipt, StoreOp } from '../store/hashStore.js'
import type { DecodedBatch } from '../wire/types.js'

/**
 * A part that acts on every batch stored (retroactive matching). `opsFor` runs inside the store's
 * write queue before the batch is written, so reads see the store without it; what it returns is
 * written in the same atomic batch, and nothing is written when the batch is not stored. `stored`
 * runs once that batch is written.
 */
export interface BatchObserver {
  opsFor: (batch: DecodedBatch, receipt: BatchReceipt) => Promise<StoreOp[]>
  stored?: (batch: DecodedBatch) => void
}
