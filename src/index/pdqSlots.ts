/**
 * How the PDQ index cuts the 256 bits into multi-index-hashing slots, which slots a search probes at
 * which radius, and the probe masks.
 *
 * A segment uses one of two layouts of contiguous slots, by its size:
 *   - WIDE, twelve slots of 21 or 22 bits (four of 22, then eight of 21), for large segments. The
 *     best slot width for MIH is about log2(N) bits (Norouzi et al., "Fast search in Hamming space
 *     with multi-index hashing"): at 1M-10M hashes sixteen 16-bit slots put 15-150 values in every
 *     bucket, so a d = 31 query verifies 4,000-40,000 candidates, each a cache miss; twelve wide
 *     slots verify 4-6x fewer for ~7x more probes, which are cheaper, and hold 12 ids per value
 *     instead of 16 (48 bytes, not 64).
 *   - NARROW, sixteen slots of 16 bits, for segments up to NARROW_MAX values: there, candidates are
 *     few either way and the probes dominate (272 at d = 31 instead of ~1,900).
 * A segment buckets each slot on only its top `bits` bits (see bitsFor), so small segments do not
 * pay for 2^22-entry tables.
 */
import { PDQ_BITS } from './pdqWords.js'

export interface SlotLayout {
  readonly name: 'wide' | 'narrow'
  readonly count: number
  /** Bucket bits beyond log2(values) (see bitsFor). */
  readonly extraBits: number
  /** First bit of each slot (bit 0 is the top bit of byte 0). */
  readonly start: readonly number[]
  readonly width: readonly number[]
}

function layout (name: SlotLayout['name'], count: number, extraBits: number): SlotLayout {
  const width = Array.from({ length: count }, (_, s) => Math.floor(PDQ_BITS / count) + (s < PDQ_BITS % count ? 1 : 0))
  const start = width.map((_, s) => width.slice(0, s).reduce((a, b) => a + b, 0))
  return Object.freeze({ name, count, extraBits, start: Object.freeze(start), width: Object.freeze(width) })
}

export const WIDE = layout('wide', 12, 2)
export const NARROW = layout('narrow', 16, 0)

/**
 * Largest segment in the narrow layout. At d = 31 a 100K-value segment costs a query ~70 µs narrow
 * and ~95 µs wide; at 256K, ~170 µs and ~120 µs (probes at ~30 ns, candidates at ~150 ns).
 */
export const NARROW_MAX = 2 ** 17

/** The layout for a segment of `count` values: narrow up to `narrowMax` (NARROW_MAX unless a test says otherwise). */
export function layoutFor (count: number, narrowMax = NARROW_MAX): SlotLayout {
  return count <= narrowMax ? NARROW : WIDE
}

/** The widest slot of any layout, and so the most bits a bucket key can have. */
export const MAX_SLOT_BITS = Math.max(...WIDE.width, ...NARROW.width)

/**
 * Largest distance answered by MIH; above it every value is scanned. At d = 64 a wide probe needs
 * radius 5 in every slot (~28,000 buckets per slot) and visits a large share of any index.
 */
export const MAX_MIH_DISTANCE = 63

/**
 * Top `bits` bits of the slot starting at bit `start` of the value at `words[at..]` (bits <= the
 * slot's width <= 22, so the field spans at most two words).
 */
export function slotKey (words: Int32Array, at: number, start: number, bits: number): number {
  const i = at + (start >>> 5)
  const o = start & 31
  let key = (words[i]! << o) >>> (32 - bits)
  if (o + bits > 32) key |= words[i + 1]! >>> (64 - o - bits)
  return key
}

/**
 * Per slot of a layout of `count` slots, the radius to probe so that every value within `distance`
 * is found in at least one slot (-1: slot not probed). With r = floor(d / count) and a = d - r *
 * count, a value within d has, in one of slots 0..a, at most r differing bits, or in one of the
 * others at most r - 1: were every one of the first a + 1 slots to differ in r + 1 bits or more and
 * the rest in r or more, the distance would be at least r * count + a + 1 = d + 1. (For d = 16k + 15
 * with 16 slots this is the plain pigeonhole bound: k in every slot.)
 */
export function slotRadii (distance: number, count: number): Int8Array {
  const r = Math.floor(distance / count)
  const a = distance - r * count
  return Int8Array.from({ length: count }, (_, s) => s <= a ? r : r - 1)
}

/** Largest radius any slot is probed at: the one d = MAX_MIH_DISTANCE needs in the layout with fewest slots. */
export const MAX_RADIUS = Math.floor(MAX_MIH_DISTANCE / Math.min(WIDE.count, NARROW.count))

const masks = new Map<number, Int32Array>()

/**
 * Every `bits`-bit mask with at most `radius` bits set, ascending: probing key ^ mask for each finds
 * every key within the radius, and ascending order keeps probes that share high bits (and so a
 * cache line or page of the bucket table) next to each other.
 */
export function probeMasks (bits: number, radius: number): Int32Array {
  const id = bits * 64 + radius
  let found = masks.get(id)
  if (found === undefined) {
    const out: number[] = []
    const walk = (from: number, left: number, mask: number): void => {
      out.push(mask)
      if (left === 0) return
      for (let j = from; j < bits; j++) walk(j + 1, left - 1, mask | (1 << j))
    }
    if (radius >= 0) walk(0, Math.min(radius, bits), 0)
    found = Int32Array.from(out).sort()
    masks.set(id, found)
  }
  return found
}

/** Number of `bits`-bit masks with at most `radius` bits set (the probes per slot), without building them. */
export function probeCount (bits: number, radius: number): number {
  let total = 0
  let c = 1
  for (let i = 0; i <= Math.min(radius, bits); i++) {
    total += c
    c = c * (bits - i) / (i + 1)
  }
  return total
}

/**
 * Bucket-key bits for a segment of `count` values in a slot of `layout` `width` bits wide, never
 * more than the width. A query's cost in a segment is its probes (which grow only like
 * bits^radius) plus its candidates (values / buckets per probe), and a merge's cost is per bucket
 * as well as per value. Wide (large) segments get 4-8 buckets per value: each candidate there is a
 * cache miss, and at full width the tables cost ~13 bytes a value at 10M. Narrow (small) ones get
 * 1-2: their candidates are cheap and their tables are rebuilt by merges all the time.
 */
export function bitsFor (count: number, layout: SlotLayout, width: number): number {
  const log = Math.ceil(Math.log2(Math.max(2, count)))
  // Narrow: even bit counts only, so that a growing small segment is re-bucketed every 4x, not 2x.
  const wanted = layout.name === 'narrow' ? log + (log & 1) : log + layout.extraBits
  return Math.min(width, wanted)
}
