/**
 * A PDQ near-match index built for one query pattern: many searches at one modest distance (the
 * watch list's d = 31 against every ingested PDQ), almost all of which find nothing.
 *
 * Why not PdqIndex: at 500K values and d = 31 its wide slots (12 of 21-22 bits, radius 2) cost ~2,000
 * probes, each a cache miss in an 8 MiB bucket table, and ~460 candidates, each a miss in the values:
 * ~230 µs a search on a quiet 2-core VM, ~900 µs under load. Here the 256 bits are cut into sixteen
 * 16-bit slots: a value within d differs in some slot by at most floor(d / 16) bits (were every slot
 * to differ by more, the distance would be at least 16 * (floor(d / 16) + 1) > d), so d <= 31 needs
 * only the exact key and its 16 one-bit flips in each slot: 272 probes into bucket tables of 256 KiB.
 * The buckets are fuller (~8 values at 500K, ~2,000 candidates a search), so each entry carries,
 * beside the id, three other words of its value: the distance over those 96 bits plus the slot's
 * own is a lower bound that rejects all but ~1 in 4,000 random candidates without touching the
 * values. Entries are read in bucket runs (sequential), so a search costs a few hundred cache lines.
 *
 * Memory: per value 32 bytes of words, 1 of tombstone, and 16 entries of 16 bytes (12 of filter words,
 * 4 of id, in two arrays: ~290 bytes), plus
 * 4 MiB of bucket offsets. Additions go to an unindexed tail, scanned by every search; removals
 * are tombstones. The tables are rebuilt (O(n), a counting sort per slot) at the first search or
 * addition after the tail outgrew max(TAIL_MIN, indexed / 512) or tombstones passed a quarter of
 * the live values: a burst of registrations costs one rebuild, not one per value.
 */
import { IndexError } from './errors.js'
import type { PdqMatch } from './pdqIndex.js'
import { probeMasks } from './pdqSlots.js'
import { PDQ_WORDS, compareAt, equalAt, loadWords, popcount32, requirePdqValue, wordsToBytes } from './pdqWords.js'

const SLOTS = 16
const SLOT_BITS = 16
const KEYS = 1 << SLOT_BITS
/** Int32s per entry: the three filter words (the ids are apart, read only for the rare candidate that passes). */
const ENTRY = 3
/** Past this distance the radius would be 4 bits (2,517 probes a slot): scanning every value is cheaper. */
const MAX_PROBED_DISTANCE = 63
/** Tail scanned by every search before a rebuild is due: ~5 µs at ~10 ns a value. */
const TAIL_MIN = 512
const TAIL_SHIFT = 9
const DEAD_MIN = 1024
/** Fewer queries than this are searched one by one in anyMany: a sweep costs ~1 ms a slot whatever the count. */
const BATCH_MIN = 256
/** anyMany packs a probe's bucket and query index in one int32: 16 bits of bucket leave 15 for the index. */
const QUERY_BITS = 15
const QUERY_MASK = (1 << QUERY_BITS) - 1
/** Most queries one anyMany sweep takes; more are done in several. */
const SWEEP_MAX = 1 << QUERY_BITS
const BLOCK_SHIFT = 4
const BLOCKS = KEYS >>> BLOCK_SHIFT
/** Ids are int32 and a slot's entries one Int32Array (2^31 elements at most). */
export const MAX_SEGMENT_INDEX_VALUES = 2 ** 26

/** Key of slot `s` (bits 16s..16s+15, bit 0 the top bit of byte 0) of the value at `words[at..]`. */
function slotKeyAt (words: Int32Array, at: number, s: number): number {
  const w = words[at + (s >>> 1)]!
  return (s & 1) === 0 ? w >>> 16 : w & 0xffff
}

/** The filter words of slot `s`: the three words after the one holding the slot, so disjoint from it. */
function filterWord (s: number, k: number): number {
  return ((s >>> 1) + 1 + k) & 7
}

function distanceBetween (words: Int32Array, at: number, q: Int32Array, qAt: number): number {
  let d = 0
  for (let i = 0; i < PDQ_WORDS; i++) d += popcount32(words[at + i]! ^ q[qAt + i]!)
  return d
}

function distanceAt (words: Int32Array, at: number, q: Int32Array): number {
  return distanceBetween(words, at, q, 0)
}

/**
 * Distance over an entry's three filter words, by a 64 KiB table of 16-bit popcounts: the check runs
 * ~10M times a batch at 500K values, and the lookups measured ~25% faster than SWAR popcounts.
 */
function filterDistance (entries: Int32Array, e: number, qa: number, qb: number, qc: number): number {
  const a = entries[e]! ^ qa; const b = entries[e + 1]! ^ qb; const c = entries[e + 2]! ^ qc
  return BITS16[a & 0xffff]! + BITS16[a >>> 16]! + BITS16[b & 0xffff]! + BITS16[b >>> 16]! + BITS16[c & 0xffff]! + BITS16[c >>> 16]!
}

const BITS16 = Uint8Array.from({ length: 1 << 16 }, (_, x) => popcount32(x))

function checkDistance (maxDistance: number): void {
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 256) throw new IndexError('BAD_DISTANCE', 'maxDistance must be an integer in 0..256')
}

function tailKey (value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1')
}

/** Clears `keep` for every kept value equal to an earlier kept one. */
function dropDuplicates (words: Int32Array, keep: Uint8Array): void {
  const order: number[] = []
  for (let id = 0; id < keep.length; id++) if (keep[id] === 1) order.push(id)
  order.sort((a, b) => compareAt(words, a * PDQ_WORDS, words, b * PDQ_WORDS) || a - b)
  for (let i = 1; i < order.length; i++) {
    if (equalAt(words, order[i]! * PDQ_WORDS, words, order[i - 1]! * PDQ_WORDS)) keep[order[i]!] = 0
  }
}

/** anyMany's arrays, allocated once for all 16 slots: the queries' probes sorted by bucket, and their keys. */
class SweepScratch {
  readonly starts = new Int32Array(BLOCKS + 1)
  readonly keys: Int32Array
  readonly probing: Int32Array

  constructor (queries: number, probes: number) {
    this.keys = new Int32Array(queries)
    this.probing = new Int32Array(queries * probes)
  }
}

export class PdqSegmentIndex {
  private words = new Int32Array(PDQ_WORDS * 64)
  private dead = new Uint8Array(64)
  /** Ids in use are 0..count-1; [0, indexed) are in the tables, the rest is the tail. */
  private count = 0
  private indexed = 0
  private deadCount = 0
  private offsets: Int32Array[] = []
  private entries: Int32Array[] = []
  /** Per slot, the id of each entry. */
  private ids: Int32Array[] = []
  private readonly q = new Int32Array(PDQ_WORDS)
  private readonly found: number[] = []
  /** Tail values (as latin1 strings of their bytes) to their ids: add dedupes the tail without scanning it. */
  private readonly tailIds = new Map<string, number>()

  /** An index holding `values` (duplicates once), built in one pass: what a node does at start. */
  static build (values: Iterable<Uint8Array>): PdqSegmentIndex {
    const index = new PdqSegmentIndex()
    for (const v of values) index.add(v, false)
    index.rebuild(true)
    return index
  }

  /** Number of distinct values held. */
  get size (): number {
    return this.count - this.deadCount
  }

  has (value: Uint8Array): boolean {
    loadWords(requirePdqValue(value), this.q, 0)
    return this.findId(value) >= 0
  }

  /** Adds `value`; true if it was not there. `dedupe` false: the caller rebuilds, which drops duplicates. */
  add (value: Uint8Array, dedupe = true): boolean {
    loadWords(requirePdqValue(value), this.q, 0)
    if (dedupe) {
      if (this.findId(value) >= 0) return false
      // Rebuilt when the tail doubles the tables: a long run of additions costs O(1) each, amortised.
      if (this.count - this.indexed >= Math.max(TAIL_MIN, this.indexed)) this.rebuild(false)
      this.tailIds.set(tailKey(value), this.count)
    }
    if (this.count >= MAX_SEGMENT_INDEX_VALUES) throw new IndexError('INDEX_FULL', `a PDQ index holds at most ${MAX_SEGMENT_INDEX_VALUES} values`)
    this.reserve(this.count + 1)
    this.words.set(this.q, this.count * PDQ_WORDS)
    this.count++
    return true
  }

  /** Removes `value`; true if it was there. */
  remove (value: Uint8Array): boolean {
    loadWords(requirePdqValue(value), this.q, 0)
    const id = this.findId(value)
    if (id < 0) return false
    this.tailIds.delete(tailKey(value))
    this.dead[id] = 1
    this.deadCount++
    return true
  }

  /** Whether any value lies within `maxDistance` of `query`: a search that stops at the first. */
  any (query: Uint8Array, maxDistance: number): boolean {
    return this.run(query, maxDistance, true)
  }

  /**
   * `any` for many queries at once (a batch's PDQs): 1 where some value lies within `maxDistance`.
   * Slot by slot, the queries' probes are sorted by bucket (a counting sort), so each slot's entries
   * are read once, in order, and every query probing a bucket checks it while it is in cache: the
   * random misses of single searches become a sequential sweep (~3x faster at 5,000 queries).
   */
  anyMany (queries: readonly Uint8Array[], maxDistance: number): Uint8Array {
    const n = queries.length
    const out = new Uint8Array(n)
    if (n < BATCH_MIN || maxDistance > MAX_PROBED_DISTANCE) {
      for (let i = 0; i < n; i++) out[i] = this.any(queries[i]!, maxDistance) ? 1 : 0
      return out
    }
    checkDistance(maxDistance)
    for (const v of queries) requirePdqValue(v)
    this.maintain()
    for (let from = 0; from < n; from += SWEEP_MAX) out.set(this.sweep(queries.slice(from, from + SWEEP_MAX), maxDistance), from)
    return out
  }

  /** anyMany for at most SWEEP_MAX checked queries. */
  private sweep (queries: readonly Uint8Array[], maxDistance: number): Uint8Array {
    const n = queries.length
    const out = new Uint8Array(n)
    const qw = new Int32Array(n * PDQ_WORDS)
    queries.forEach((v, i) => { loadWords(v, qw, i * PDQ_WORDS) })
    if (this.indexed > 0) {
      const scratch = new SweepScratch(n, probeMasks(SLOT_BITS, maxDistance >>> 4).length)
      for (let s = 0; s < SLOTS; s++) this.sweepSlot(s, qw, maxDistance, out, scratch)
    }
    for (let i = 0; i < n; i++) {
      if (out[i] === 1) continue
      this.q.set(qw.subarray(i * PDQ_WORDS, (i + 1) * PDQ_WORDS))
      out[i] = this.scan(this.indexed, maxDistance, true) ? 1 : 0
    }
    return out
  }

  /**
   * One slot of anyMany, for the queries not answered yet. The probes, packed as bucket and query
   * index, are sorted on the bucket's top bits only (a counting sort whose 4,096 counters stay in
   * L1): the entries are then read in ascending blocks of 16 buckets, which L1 holds while the
   * block's probes jump around in it.
   */
  private sweepSlot (s: number, qw: Int32Array, d: number, out: Uint8Array, scratch: SweepScratch): void {
    const masks = probeMasks(SLOT_BITS, d >>> 4)
    const { starts, keys, probing } = scratch
    starts.fill(0)
    for (let i = 0; i < out.length; i++) {
      if (out[i] === 1) continue
      const key = keys[i] = slotKeyAt(qw, i * PDQ_WORDS, s)
      for (let m = 0; m < masks.length; m++) starts[((key ^ masks[m]!) >>> BLOCK_SHIFT) + 1]!++
    }
    for (let k = 0; k < BLOCKS; k++) starts[k + 1]! += starts[k]!
    for (let i = 0; i < out.length; i++) {
      if (out[i] === 1) continue
      const key = keys[i]!
      for (let m = 0; m < masks.length; m++) {
        const b = key ^ masks[m]!
        probing[starts[b >>> BLOCK_SHIFT]!++] = (b << QUERY_BITS) | i
      }
    }
    const offsets = this.offsets[s]!
    const entries = this.entries[s]!
    const ids = this.ids[s]!
    const { words, dead } = this
    const fa = filterWord(s, 0); const fb = filterWord(s, 1); const fc = filterWord(s, 2)
    for (let p = 0, end = starts[BLOCKS - 1]!; p < end; p++) {
      const b = probing[p]! >>> QUERY_BITS
      const i = probing[p]! & QUERY_MASK
      const at = i * PDQ_WORDS
      const left = d - popcount32(keys[i]! ^ b)
      const qa = qw[at + fa]!; const qb = qw[at + fb]!; const qc = qw[at + fc]!
      for (let e = offsets[b]! * ENTRY, hi = offsets[b + 1]! * ENTRY; e < hi; e += ENTRY) {
        if (filterDistance(entries, e, qa, qb, qc) > left) continue
        const id = ids[e / ENTRY]!
        if (dead[id] === 0 && distanceBetween(words, id * PDQ_WORDS, qw, at) <= d) {
          out[i] = 1
          break
        }
      }
    }
  }

  /** Values within `maxDistance` of `query`, nearest first (ties in byte order), at most `limit`. */
  search (query: Uint8Array, maxDistance: number, limit: number): PdqMatch[] {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new IndexError('BAD_LIMIT', 'limit must be a safe integer of at least 1')
    this.run(query, maxDistance, false)
    const { found, words } = this
    const matches: Array<{ id: number, distance: number }> = []
    for (let i = 0; i < found.length; i += 2) matches.push({ id: found[i]!, distance: found[i + 1]! })
    found.length = 0
    matches.sort((a, b) => a.distance - b.distance || compareAt(words, a.id * PDQ_WORDS, words, b.id * PDQ_WORDS))
    return matches.slice(0, limit).map(m => ({ value: wordsToBytes(words, m.id * PDQ_WORDS), distance: m.distance }))
  }

  /** Bytes of the typed arrays held. */
  memoryBytes (): number {
    const tables = [...this.offsets, ...this.entries, ...this.ids].reduce((n, a) => n + a.byteLength, 0)
    return this.words.byteLength + this.dead.byteLength + tables
  }

  /** Probes the tables and scans the tail; records matches in `found` (id, distance pairs) unless `first`. */
  private run (query: Uint8Array, maxDistance: number, first: boolean): boolean {
    checkDistance(maxDistance)
    loadWords(requirePdqValue(query), this.q, 0)
    this.maintain()
    if (maxDistance > MAX_PROBED_DISTANCE) return this.scan(0, maxDistance, first)
    return this.probe(maxDistance, first) || this.scan(this.indexed, maxDistance, first)
  }

  private probe (d: number, first: boolean): boolean {
    if (this.indexed === 0) return false
    const { q, words, dead, found } = this
    const radius = d >>> 4
    const masks = probeMasks(SLOT_BITS, radius)
    for (let s = 0; s < SLOTS; s++) {
      const offsets = this.offsets[s]!
      const entries = this.entries[s]!
      const ids = this.ids[s]!
      const key = slotKeyAt(q, 0, s)
      const qa = q[filterWord(s, 0)]!; const qb = q[filterWord(s, 1)]!; const qc = q[filterWord(s, 2)]!
      for (const mask of masks) {
        const b = key ^ mask
        const left = d - popcount32(mask)
        for (let e = offsets[b]! * ENTRY, end = offsets[b + 1]! * ENTRY; e < end; e += ENTRY) {
          if (filterDistance(entries, e, qa, qb, qc) > left) continue
          const id = ids[e / ENTRY]!
          if (dead[id] === 1) continue
          const distance = distanceAt(words, id * PDQ_WORDS, q)
          if (distance > d) continue
          if (first) return true
          // Reported through the first slot within the radius only, so each value once.
          if (!this.foundEarlier(id * PDQ_WORDS, s, radius)) found.push(id, distance)
        }
      }
    }
    return false
  }

  private foundEarlier (at: number, slot: number, radius: number): boolean {
    for (let t = 0; t < slot; t++) if (popcount32(slotKeyAt(this.words, at, t) ^ slotKeyAt(this.q, 0, t)) <= radius) return true
    return false
  }

  /** Every live value with an id from `lo`. */
  private scan (lo: number, d: number, first: boolean): boolean {
    const { q, words, dead, found } = this
    for (let id = lo; id < this.count; id++) {
      if (dead[id] === 1) continue
      const distance = distanceAt(words, id * PDQ_WORDS, q)
      if (distance > d) continue
      if (first) return true
      found.push(id, distance)
    }
    return false
  }

  /** The id of `value` (its words in `q`), or -1: its slot-0 bucket, then the tail. */
  private findId (value: Uint8Array): number {
    const { q, words, dead } = this
    if (this.indexed > 0) {
      const offsets = this.offsets[0]!
      const ids = this.ids[0]!
      const b = slotKeyAt(q, 0, 0)
      for (let e = offsets[b]!, end = offsets[b + 1]!; e < end; e++) {
        const id = ids[e]!
        if (dead[id] === 0 && equalAt(words, id * PDQ_WORDS, q, 0)) return id
      }
    }
    return this.tailIds.get(tailKey(value)) ?? -1
  }

  private maintain (): void {
    const tail = this.count - this.indexed
    if (tail > Math.max(TAIL_MIN, this.indexed >>> TAIL_SHIFT) || this.deadCount > Math.max(DEAD_MIN, this.size >>> 2)) this.rebuild(false)
  }

  private reserve (needed: number): void {
    if (needed <= this.dead.length) return
    const capacity = Math.max(needed, this.dead.length * 2)
    const words = new Int32Array(capacity * PDQ_WORDS)
    words.set(this.words.subarray(0, this.count * PDQ_WORDS))
    const dead = new Uint8Array(capacity)
    dead.set(this.dead.subarray(0, this.count))
    this.words = words
    this.dead = dead
  }

  /** Drops tombstones (and duplicates, after a bulk build), then buckets every value in every slot (a counting sort each). */
  private rebuild (dedupe: boolean): void {
    this.compact(dedupe)
    this.tailIds.clear()
    const n = this.count
    const { words } = this
    this.offsets = []
    this.entries = []
    this.ids = []
    for (let s = 0; s < SLOTS; s++) {
      const offsets = new Int32Array(KEYS + 1)
      for (let id = 0, at = 0; id < n; id++, at += PDQ_WORDS) offsets[slotKeyAt(words, at, s) + 1]!++
      for (let k = 0; k < KEYS; k++) offsets[k + 1]! += offsets[k]!
      const cursor = offsets.slice(0, KEYS)
      const entries = new Int32Array(n * ENTRY)
      const ids = new Int32Array(n)
      const fa = filterWord(s, 0); const fb = filterWord(s, 1); const fc = filterWord(s, 2)
      for (let id = 0, at = 0; id < n; id++, at += PDQ_WORDS) {
        const position = cursor[slotKeyAt(words, at, s)]!++
        const e = position * ENTRY
        ids[position] = id
        entries[e] = words[at + fa]!
        entries[e + 1] = words[at + fb]!
        entries[e + 2] = words[at + fc]!
      }
      this.offsets.push(offsets)
      this.entries.push(entries)
      this.ids.push(ids)
    }
    this.indexed = n
  }

  /**
   * Renumbers the live values 0..live-1, dropping duplicates if asked (a bulk build adds without
   * checking: sorting finds them), and trims the arrays to the live values.
   */
  private compact (dedupe: boolean): void {
    const { words, dead } = this
    const keep = new Uint8Array(this.count)
    for (let id = 0; id < this.count; id++) keep[id] = 1 - dead[id]!
    if (dedupe) dropDuplicates(words, keep)
    let live = 0
    for (let id = 0; id < this.count; id++) live += keep[id]!
    const out = new Int32Array(Math.max(live, 1) * PDQ_WORDS)
    for (let id = 0, to = 0; id < this.count; id++) {
      if (keep[id] === 0) continue
      out.set(words.subarray(id * PDQ_WORDS, (id + 1) * PDQ_WORDS), to * PDQ_WORDS)
      to++
    }
    this.words = out
    this.dead = new Uint8Array(Math.max(live, 1))
    this.count = live
    this.deadCount = 0
  }
}
