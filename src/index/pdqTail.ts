import { PDQ_WORDS, equalAt, hashAt } from './pdqWords.js'
import type { PdqValues } from './pdqValues.js'

/**
 * Exact-match lookup over the tail (the ids appended since the last flush, which no segment
 * indexes yet): an open-addressing table of ids with linear probing, so that `has` and the
 * duplicate check of every add cost O(1) instead of a scan of the tail. Removed tail values stay in
 * the table, marked dead in the value table, until the flush clears it.
 */
export class TailSet {
  private readonly slots: Int32Array
  private readonly mask: number
  private readonly seed: number

  /** `limit` is the most ids the tail holds before a flush; the table stays at most half full. */
  constructor (limit: number, seed: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * limit)))
    this.slots = new Int32Array(size)
    this.mask = size - 1
    this.seed = seed
  }

  clear (): void {
    this.slots.fill(0)
  }

  insert (values: PdqValues, id: number): void {
    let slot = hashAt(values.words, id * PDQ_WORDS, this.seed) & this.mask
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask
    this.slots[slot] = id + 1
  }

  /** The live id holding the value at `query[at..]`, or -1. */
  find (values: PdqValues, query: Int32Array, at: number): number {
    const { words } = values
    for (let slot = hashAt(query, at, this.seed) & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.slots[slot]! - 1
      if (id < 0) return -1
      if (equalAt(words, id * PDQ_WORDS, query, at) && !values.isDead(id)) return id
    }
  }

  byteLength (): number {
    return this.slots.byteLength
  }
}
