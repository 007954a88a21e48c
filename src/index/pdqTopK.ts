import { PDQ_WORDS, compareAt } from './pdqWords.js'

/** First allocation of a heap; it doubles up to the limit, so a limit of millions costs nothing until matches come. */
const INITIAL_HEAP = 64

/**
 * The best `limit` (distance, id) pairs seen, nearest first and ties broken by value bytes
 * ascending: a binary max-heap whose root is the worst kept pair, so memory stays O(limit) however
 * many values match. Values are read from `words` (8 per id) for ties.
 */
export class TopK {
  readonly limit: number
  size = 0
  private readonly words: Int32Array
  private dist: Int32Array
  private ids: Int32Array

  constructor (limit: number, words: Int32Array) {
    this.limit = limit
    this.words = words
    const first = Math.min(limit, INITIAL_HEAP)
    this.dist = new Int32Array(first)
    this.ids = new Int32Array(first)
  }

  /** Largest distance still worth offering: `maxDistance` until full, then the worst kept distance. */
  bound (maxDistance: number): number {
    return this.size < this.limit ? maxDistance : this.dist[0]!
  }

  /** Keeps (id, distance) if it is among the best `limit` so far; returns the new bound. */
  offer (id: number, distance: number, maxDistance: number): number {
    if (this.size < this.limit) {
      if (this.size === this.dist.length) this.grow()
      let i = this.size++
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!this.worse(distance, id, this.dist[parent]!, this.ids[parent]!)) break
        this.dist[i] = this.dist[parent]!
        this.ids[i] = this.ids[parent]!
        i = parent
      }
      this.dist[i] = distance
      this.ids[i] = id
    } else {
      if (!this.worse(this.dist[0]!, this.ids[0]!, distance, id)) return this.dist[0]!
      this.siftDown(distance, id)
    }
    return this.bound(maxDistance)
  }

  /** The kept pairs, nearest first, ties by value ascending. */
  sorted (): Array<{ id: number, distance: number }> {
    const out: Array<{ id: number, distance: number }> = []
    for (let i = 0; i < this.size; i++) out.push({ id: this.ids[i]!, distance: this.dist[i]! })
    return out.sort((a, b) => a.distance - b.distance || compareAt(this.words, a.id * PDQ_WORDS, this.words, b.id * PDQ_WORDS))
  }

  /** True when (d1, id1) ranks after (d2, id2). */
  private worse (d1: number, id1: number, d2: number, id2: number): boolean {
    if (d1 !== d2) return d1 > d2
    return compareAt(this.words, id1 * PDQ_WORDS, this.words, id2 * PDQ_WORDS) > 0
  }

  /** Replaces the root with (distance, id) and restores the heap. */
  private siftDown (distance: number, id: number): void {
    const { dist, ids, size } = this
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= size) break
      const right = left + 1
      let child = left
      if (right < size && this.worse(dist[right]!, ids[right]!, dist[left]!, ids[left]!)) child = right
      if (!this.worse(dist[child]!, ids[child]!, distance, id)) break
      dist[i] = dist[child]!
      ids[i] = ids[child]!
      i = child
    }
    dist[i] = distance
    ids[i] = id
  }

  private grow (): void {
    const capacity = Math.min(this.limit, this.dist.length * 2)
    const dist = new Int32Array(capacity)
    const ids = new Int32Array(capacity)
    dist.set(this.dist)
    ids.set(this.ids)
    this.dist = dist
    this.ids = ids
  }
}
