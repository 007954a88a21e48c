import type { UntrustedBudget } from '../ingest/untrustedBudget.js'
import { toHex } from '../signals/hex.js'
import { MAX_SIGNED_BATCH_BYTES } from '../wire/limits.js'
import { TokenBucket } from './sync/tokenBucket.js'
import { type BatchSource, peerOf } from '../wire/batchSource.js'

export interface UntrustedByteBudgetOptions {
  /** Bytes a peer (or a publisher) may send at once; at least one largest batch. */
  burstBytes?: number
  bytesPerSecond?: number
  now?: () => number
}

/**
 * 16 of the largest batches, or ~48 of 340 KB: more than a newly admitted member publishes in the
 * seconds before its credential reaches this node (a new credential starts a sync round, which
 * fetches what was dropped). A rogue key's flood passes it within a second.
 */
const DEFAULT_BURST_BYTES = 16 * MAX_SIGNED_BATCH_BYTES
/** Then one largest batch every 8 s, for as long as it lasts: far above any honest relay's untrusted traffic. */
const DEFAULT_BYTES_PER_SECOND = 128 * 1024
/** Peers and keys tracked at once; past this, full buckets (the same as forgotten ones) go first. */
const MAX_KEYS = 10_000

/**
 * Byte budgets for batches whose publisher this node does not trust: one per peer, and one per
 * publisher key across all peers, so a flooding key is held back however many peers relay it.
 * Past either, the batch is dropped (IGNORE, UNTRUSTED_BUDGET) and nobody is penalised: an honest
 * relay forwards what IT trusts, which this node may not yet (a member whose credential has not
 * reached us), and looks the same. Dropping costs such a relay nothing, since sync fetches the
 * member's batches once its credential arrives; banning it would cut off honest traffic.
 */
export class UntrustedByteBudget implements UntrustedBudget {
  private readonly peers: TokenBucket
  private readonly publishers: TokenBucket

  constructor (options: UntrustedByteBudgetOptions = {}) {
    const bucket = {
      burst: options.burstBytes ?? DEFAULT_BURST_BYTES,
      ratePerSecond: options.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND,
      maxKeys: MAX_KEYS,
      ...(options.now === undefined ? {} : { now: options.now })
    }
    this.peers = new TokenBucket(bucket)
    this.publishers = new TokenBucket(bucket)
  }

  spend (source: BatchSource, publisher: Uint8Array, bytes: number): boolean {
    // Gossip and sync from one peer share its budget; this node's own publishes share one too.
    const peer = peerOf(source) ?? 'local'
    const key = toHex(publisher)
    if (!this.peers.has(peer, bytes) || !this.publishers.has(key, bytes)) return false
    this.peers.tryTake(peer, bytes)
    this.publishers.tryTake(key, bytes)
    return true
  }
}
