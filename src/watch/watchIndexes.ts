import { ExactIndex } from '../index/exactIndex.js'
import { FlatValues } from '../index/flatValues.js'
import type { PdqMatch } from '../index/pdqIndex.js'
import { PdqSegmentIndex } from '../index/pdqSegmentIndex.js'
import { toHex } from '../signals/hex.js'
import { requireSignalType, signalTypeByCode } from '../signals/registry.js'
import { StoreError } from '../store/errors.js'
import type { HashStore } from '../store/hashStore.js'
import type { TypedValue } from '../store/keys.js'
import type { WatchMatchedHash } from '../store/watchRecords.js'

const PDQ = requireSignalType('pdq')

/**
 * Watched PDQs near one stored PDQ that a single batch entry may report. A real image has a handful
 * of near copies among a platform's content; the bound keeps one entry's cost and write bounded.
 */
export const MAX_WATCHED_NEAR = 1000

/** A stored hash as a Map key: type code and hex. Used in memory only, never logged. */
export function hashKey (h: TypedValue): string {
  return `${h.signalTypeCode}:${toHex(h.value)}`
}

/**
 * What the watch list needs in memory to make a batch entry that no watched item can match cost a
 * hash-set probe and nothing else: the watched exact hashes (the same open-addressing set the
 * lookup index uses, ~50-90 bytes a hash), the watched PDQs (a near-match index of their own, built
 * for a batch's many searches at one distance: see pdqSegmentIndex.ts), and,
 * for unlisting, which watched items match each stored hash now. The item records themselves stay
 * in the store and are read on a hit only.
 *
 * The exact set has no removal: a removed item's hash stays in it until the next start, and a probe
 * that hits it finds no item in the store, which costs one range read and changes nothing.
 */
export class WatchIndexes {
  readonly exact = new ExactIndex()
  pdq = new PdqSegmentIndex()
  /** hashKey(stored hash) → content ids it matches now. */
  private readonly matchedBy = new Map<string, Set<string>>()
  /** content id → the stored hashes that match it now, as the store's watchMatch bucket says. */
  private readonly matchedOf = new Map<string, readonly WatchMatchedHash[]>()
  /** Items on the list (kept by the list's writes; loaded with the indexes). */
  size = 0

  /** Rebuilt from the store: every watched hash, then the match state. */
  static async load (store: HashStore): Promise<WatchIndexes> {
    const indexes = new WatchIndexes()
    const pdqValues = new FlatValues(PDQ.length)
    // Counted beside the scan: LevelDB iterates on libuv's threads, so the two reads overlap.
    const counting = store.repositories.watchItem.count()
    for await (const rows of store.repositories.watchHash.keysBinary()) {
      // Type and value only, as views: at 10M keys a decoded copy (and content id) each would cost seconds and ~1 GB.
      for (const k of rows) {
        const type = signalTypeByCode(k[1] ?? -1)
        if (type === undefined || k.length <= 2 + type.length) throw new StoreError('CORRUPT_RECORD', `malformed watchHash key of ${k.length} bytes`)
        const value = k.subarray(2, 2 + type.length)
        if (type.code === PDQ.code) pdqValues.push(value)
        else indexes.exact.add(type.code, value)
      }
    }
    indexes.pdq = PdqSegmentIndex.build(pdqValues)
    indexes.size = await counting
    for await (const [contentId, state] of store.repositories.watchMatch.entries()) indexes.setMatched(contentId, state.matched)
    return indexes
  }

  /** Adds a watched hash; the store's watchHash bucket says which items hold it. */
  addWatched (h: TypedValue): void {
    if (h.signalTypeCode === PDQ.code) this.pdq.add(h.value)
    else this.exact.add(h.signalTypeCode, h.value)
  }

  /** After the last item holding a PDQ let go of it: near searches stop finding it. */
  removeWatchedPdq (value: Uint8Array): void {
    this.pdq.remove(value)
  }

  /** A cheap probe: could a watched item hold exactly this hash (PDQs are matched by `near`). */
  mayWatchExactly (signalTypeCode: number, value: Uint8Array): boolean {
    return signalTypeCode !== PDQ.code && this.exact.has(signalTypeCode, value)
  }

  /** Whether any watched PDQ lies within `maxDistance`: the near search, asked for one result. */
  mayWatchNear (value: Uint8Array, maxDistance: number): boolean {
    return this.pdq.size > 0 && this.pdq.any(value, maxDistance)
  }

  /** mayWatchNear for each of a batch's PDQs at once (1: maybe), far cheaper than one by one. */
  mayWatchNearMany (values: readonly Uint8Array[], maxDistance: number): Uint8Array {
    if (this.pdq.size === 0) return new Uint8Array(values.length)
    return this.pdq.anyMany(values, maxDistance)
  }

  /** Watched PDQs within `maxDistance` of a stored one, nearest first, at most MAX_WATCHED_NEAR. */
  near (value: Uint8Array, maxDistance: number): PdqMatch[] {
    if (this.pdq.size === 0) return []
    return this.pdq.search(value, maxDistance, MAX_WATCHED_NEAR)
  }

  /** Content ids that a stored hash matches now. */
  matchedWith (h: TypedValue): readonly string[] {
    const ids = this.matchedBy.get(hashKey(h))
    return ids === undefined ? [] : [...ids]
  }

  /** Stored hashes that match some item now: what a reconcile pass re-judges. */
  matchedHashes (): TypedValue[] {
    return [...this.matchedBy.keys()].map(k => {
      const [code, hex] = k.split(':') as [string, string]
      return { signalTypeCode: Number(code), value: Buffer.from(hex, 'hex') }
    })
  }

  /** Follows one item's match state as the store holds it (empty: nothing matches it, or it was removed). */
  setMatched (contentId: string, after: readonly WatchMatchedHash[]): void {
    for (const m of this.matchedOf.get(contentId) ?? []) {
      const k = hashKey(m)
      const ids = this.matchedBy.get(k)
      ids?.delete(contentId)
      if (ids?.size === 0) this.matchedBy.delete(k)
    }
    for (const m of after) {
      const k = hashKey(m)
      let ids = this.matchedBy.get(k)
      if (ids === undefined) this.matchedBy.set(k, ids = new Set())
      ids.add(contentId)
    }
    if (after.length === 0) this.matchedOf.delete(contentId)
    else this.matchedOf.set(contentId, after)
  }

  /** Bytes of the typed arrays of both indexes (the match state, small, is not counted). */
  memoryBytes (): number {
    return this.exact.memoryBytes() + this.pdq.memoryBytes()
  }

  /** Items that match something now. */
  get matchedItems (): number {
    return this.matchedOf.size
  }
}
