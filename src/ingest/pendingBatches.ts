import { toHex } from '../signals/hex.js'
import type { BatchReceipt } from '../store/hashStore.js'
import type { DecodedBatch } from '../wire/types.js'

/**
 * Batches held while their predecessors are missing. Each may be 1 MiB, so both the count and the
 * bytes are bounded; sync refetches anything dropped, so dropping is safe and only slower.
 */
export const MAX_PENDING_BATCHES = 1_024
/** Held bytes across all publishers: a gap of a few dozen full batches, far under the node's memory. */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024

export interface PendingBatch { batch: DecodedBatch, receipt: BatchReceipt }

/**
 * Keyed by publisher and seq. When full, the oldest arrival goes first (a Map iterates in insertion
 * order), so a flood of far-future batches cannot pin memory forever.
 */
export class PendingBatches {
  private readonly held = new Map<string, PendingBatch>()
  private readonly perPublisher = new Map<string, number>()
  private bytes = 0
  private evicted = 0

  /** Holds the batch; false when one is already held for that publisher and seq. */
  add (batch: DecodedBatch, receipt: BatchReceipt): boolean {
    const key = keyOf(batch.body.publisher, batch.body.seq)
    if (this.held.has(key)) return false
    this.held.set(key, { batch, receipt })
    this.account(batch, 1)
    while (this.held.size > MAX_PENDING_BATCHES || this.bytes > MAX_PENDING_BYTES) {
      const [oldestKey, oldest] = this.held.entries().next().value as [string, PendingBatch]
      this.remove(oldestKey, oldest.batch)
      this.evicted++
    }
    return true
  }

  /** Removes and returns the batch held for this publisher and seq, if any. */
  take (publisher: Uint8Array, seq: number): PendingBatch | undefined {
    const key = keyOf(publisher, seq)
    const found = this.held.get(key)
    if (found !== undefined) this.remove(key, found.batch)
    return found
  }

  /** Drops every held batch of the publisher at or below `seq` (they can no longer link). */
  dropUpTo (publisher: Uint8Array, seq: number): void {
    const prefix = toHex(publisher)
    for (const [key, held] of this.held) {
      if (key.startsWith(prefix) && held.batch.body.seq <= seq) this.remove(key, held.batch)
    }
  }

  countFor (publisherHex: string): number {
    return this.perPublisher.get(publisherHex) ?? 0
  }

  publishers (): string[] {
    return [...this.perPublisher.keys()]
  }

  get size (): number { return this.held.size }
  get heldBytes (): number { return this.bytes }
  get evictedTotal (): number { return this.evicted }

  private remove (key: string, batch: DecodedBatch): void {
    this.held.delete(key)
    this.account(batch, -1)
  }

  private account (batch: DecodedBatch, sign: 1 | -1): void {
    this.bytes += sign * batch.signedBytes.length
    const publisher = toHex(batch.body.publisher)
    const n = (this.perPublisher.get(publisher) ?? 0) + sign
    if (n === 0) this.perPublisher.delete(publisher)
    else this.perPublisher.set(publisher, n)
  }
}

function keyOf (publisher: Uint8Array, seq: number): string {
  return `${toHex(publisher)}:${seq}`
}
