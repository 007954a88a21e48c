import { toHex } from '../../signals/hex.js'
import { MAX_ADVERTISED_PUBLISHERS } from './limits.js'

/** How far this node is behind on one publisher. */
export interface PublisherLag {
  /** Hex public key. */
  publisher: string
  /** Best head a peer advertised minus this node's head; 0 when caught up. */
  batches: number
}

interface Best { publisher: Uint8Array, seq: number }

/**
 * The highest seq any peer has advertised for each publisher in a heads exchange: the target
 * this node's own head is measured against. A peer can advertise a seq it cannot serve, so this
 * is what peers claim, not what exists. Bounded: past `max` publishers, new ones are not noted.
 */
export class AdvertisedHeads {
  private readonly best = new Map<string, Best>()
  private readonly max: number

  constructor (max = MAX_ADVERTISED_PUBLISHERS) {
    this.max = max
  }

  note (publisher: Uint8Array, seq: number): void {
    const key = toHex(publisher)
    const known = this.best.get(key)
    if (known !== undefined) known.seq = Math.max(known.seq, seq)
    // A copy: the decoded head may be a view into a whole heads response, which would stay alive with it.
    else if (this.best.size < this.max) this.best.set(key, { publisher: Uint8Array.from(publisher), seq })
  }

  /** Forgets the publishers `keep` refuses (no longer trusted): their series disappear. */
  prune (keep: (publisher: Uint8Array) => boolean): void {
    for (const [key, { publisher }] of this.best) if (!keep(publisher)) this.best.delete(key)
  }

  /** Each noted publisher's lag behind its best advertised head, given this node's heads by hex key. */
  lags (ours: ReadonlyMap<string, number>): PublisherLag[] {
    return [...this.best].map(([publisher, { seq }]) => ({ publisher, batches: Math.max(0, seq - (ours.get(publisher) ?? 0)) }))
  }
}
