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
 * The decoded HashRows of recently looked-up hashes, least recently used first out. Hot hashes (the
 * same known image uploaded again and again) then cost neither a LevelDB read nor a decode.
 *
 * A write bumps `generation` once its batch is committed and drops the hashes it rewrote. A read
 * caches what it read only if no write committed while it was in flight, so a read that raced a
 * write can never put back the record the write replaced.
 */
export class HashRowsCache {
  private readonly options: HashRowsCacheOptions
  private readonly records = new Map<string, Cached>()
  private bytes = 0
  private generationNow = 0

  constructor (options: HashRowsCacheOptions = DEFAULT_HASH_ROWS_CACHE) {
    this.options = options
  }

  get generation (): number {
    return this.generationNow
  }

  get size (): number {
    return this.records.size
  }

  get (key: string): HashRows | undefined {
    const hit = this.records.get(key)
    if (hit === undefined) return undefined
    // Re-inserted so that Map order is least recently used first.
    this.records.delete(key)
    this.records.set(key, hit)
    return hit.rows
  }

  /** Keeps `rows` read at `readGeneration` unless a write committed since. */
  set (key: string, rows: HashRows, bytes: number, readGeneration: number): void {
    if (readGeneration !== this.generationNow || bytes > this.options.maxBytes) return
    this.drop(key)
    this.records.set(key, { rows, bytes })
    this.bytes += bytes
    for (const [oldest] of this.records) {
      if (this.records.size <= this.options.maxRecords && this.bytes <= this.options.maxBytes) break
      this.drop(oldest)
    }
  }

  /** Called after a write that rewrote `keys` has committed. */
  written (keys: Iterable<string>): void {
    this.generationNow++
    for (const key of keys) this.drop(key)
  }

  private drop (key: string): void {
    const old = this.records.get(key)
    if (old === undefined) return
    this.records.delete(key)
    this.bytes -= old.bytes
  }
}
