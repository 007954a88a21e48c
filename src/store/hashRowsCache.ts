import type { HashRows } from './hashRows.js'

export interface HashRowsCacheOptions {
  /** Records held at most. */
  maxRecords: number
  /** Encoded bytes of the records held, at most: one overflowing hash must not crowd out the rest. */
  maxBytes: number
}

export const DEFAULT_HASH_ROWS_CACHE: HashRowsCacheOptions = { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 }

interface Cached { rows: HashRows, bytes: number }

/**
 * The decoded HashRows of recently looked-up hashes. Hot hashes (the same known image uploaded again
 * and again) then cost neither a LevelDB read nor a decode.
 *
 * Two generations instead of a strict LRU (the hashlru scheme): records go into `young`; when it is
 * half full it becomes `old` and the previous old is dropped whole, and a hit in `old` moves back to
 * `young`. Every operation is O(1); evicting from a Map in insertion order is not, since V8 keeps
 * deleted slots until the next rehash and each eviction walks over them.
 *
 * A write bumps `generation` once its batch is committed and drops the hashes it rewrote. A read
 * caches what it read only if no write committed while it was in flight, so a read that raced a
 * write can never put back the record the write replaced.
 */
export class HashRowsCache {
  private readonly halfRecords: number
  private readonly halfBytes: number
  private young = new Map<string, Cached>()
  private old = new Map<string, Cached>()
  private youngBytes = 0
  private generationNow = 0

  constructor (options: HashRowsCacheOptions = DEFAULT_HASH_ROWS_CACHE) {
    this.halfRecords = Math.floor(options.maxRecords / 2)
    this.halfBytes = Math.floor(options.maxBytes / 2)
  }

  get generation (): number {
    return this.generationNow
  }

  get size (): number {
    return this.young.size + this.old.size
  }

  get (key: string): HashRows | undefined {
    const young = this.young.get(key)
    if (young !== undefined) return young.rows
    const old = this.old.get(key)
    if (old === undefined) return undefined
    this.old.delete(key)
    this.add(key, old)
    return old.rows
  }

  /** Keeps `rows` read at `readGeneration` unless a write committed since. */
  set (key: string, rows: HashRows, bytes: number, readGeneration: number): void {
    if (readGeneration !== this.generationNow || bytes > this.halfBytes || this.halfRecords === 0) return
    this.drop(key)
    this.add(key, { rows, bytes })
  }

  /** Called after a write that rewrote `keys` has committed. */
  written (keys: Iterable<string>): void {
    this.generationNow++
    for (const key of keys) this.drop(key)
  }

  private add (key: string, cached: Cached): void {
    if (this.young.size >= this.halfRecords || this.youngBytes + cached.bytes > this.halfBytes) {
      this.old = this.young
      this.young = new Map()
      this.youngBytes = 0
    }
    this.young.set(key, cached)
    this.youngBytes += cached.bytes
  }

  private drop (key: string): void {
    const young = this.young.get(key)
    if (young !== undefined) {
      this.young.delete(key)
      this.youngBytes -= young.bytes
    }
    this.old.delete(key)
  }
}
