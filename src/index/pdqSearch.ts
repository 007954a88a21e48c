/**
 * The search kernels of the PDQ index: multi-index probing of a segment's runs, and a linear scan of
 * an id range, both feeding a TopK. Written for V8: typed arrays only, the query's words in locals,
 * and the memory-bound work split into phases whose loads do not depend on one another (bucket
 * bounds for every probe, then candidate ids, then the candidates' words, then the popcounts), so the
 * CPU keeps several cache misses in flight instead of waiting on each in turn. On the 2-core VMs this
 * was tuned on that is ~1.3-1.5x faster than verifying each candidate as it is found.
 */
import { MAX_MIH_DISTANCE, MAX_SLOT_BITS, MAX_RADIUS, NARROW, WIDE, probeCount, probeMasks, slotKey, slotRadii, type SlotLayout } from './pdqSlots.js'
import type { SlotRun } from './pdqRun.js'
import type { TopK } from './pdqTopK.js'
import type { PdqValues } from './pdqValues.js'
import { PDQ_WORDS, byteCounts, nibbleCounts, popcount32, sumBytes } from './pdqWords.js'

/** Ids [lo, hi), and for each slot of `layout` the runs that index them (one, or a merge's inputs or output). */
export interface SearchGroup {
  readonly lo: number
  readonly hi: number
  readonly layout: SlotLayout
  readonly runs: ReadonlyArray<readonly SlotRun[]>
}

/** A layout's slot radii and the query's full key in each slot, for one search. */
interface LayoutQuery {
  radii: Int8Array
  readonly keys: Int32Array
}

/**
 * Candidates verified per batch: 4,096 candidates' words are 128 KiB, which stays in L2 between
 * the gather and the popcounts; larger batches gain nothing.
 */
const CANDIDATE_BATCH = 4096

/** Most probes of one run: every mask of the widest slot within the largest radius. */
const MAX_PROBES = probeCount(MAX_SLOT_BITS, MAX_RADIUS)

const LAYOUTS = [WIDE, NARROW]

/**
 * Cost model for choosing, per segment, between probing and scanning (nanoseconds on the machine
 * this was tuned on; only their ratios matter). A probe is a cache miss in a bucket table; a
 * candidate, a miss in the ids and one in the values; a scanned value, sequential work.
 */
const PROBE_COST = 30
const CANDIDATE_COST = 150
/** A scanned value: all 8 words; about half that while the bound allows the early exit. */
const SCAN_COST = 24

/** Bound up to which a scan drops values after their first 128 bits (beyond it, P(half > bound) is no longer ~1 and the branch mispredicts). */
const EARLY_EXIT_BOUND = 44

export type Planner = 'auto' | 'mih'

function scanCost (group: SearchGroup, maxDistance: number): number {
  return (group.hi - group.lo) * (maxDistance <= EARLY_EXIT_BOUND ? SCAN_COST / 2 : SCAN_COST)
}

function probeCost (group: SearchGroup, radii: Int8Array): number {
  let probe = 0
  for (let s = 0; s < group.layout.count; s++) {
    const radius = radii[s]!
    if (radius < 0) continue
    for (const run of group.runs[s]!) {
      probe += probeCount(run.bits, radius) * (PROBE_COST + CANDIDATE_COST * run.ids.length / 2 ** run.bits)
    }
  }
  return probe
}

/**
 * The cost model's figure (about nanoseconds where it was tuned) for one search at `maxDistance`
 * over `groups` and the `tail` values after them, planned as `search` would plan it.
 */
export function searchCost (groups: readonly SearchGroup[], tail: number, maxDistance: number, planner: Planner): number {
  if (maxDistance > MAX_MIH_DISTANCE) return (groups.reduce((n, g) => n + g.hi - g.lo, 0) + tail) * SCAN_COST
  const radii = new Map(LAYOUTS.map(l => [l, slotRadii(maxDistance, l.count)]))
  let cost = tail * (maxDistance <= EARLY_EXIT_BOUND ? SCAN_COST / 2 : SCAN_COST)
  for (const group of groups) {
    const probe = probeCost(group, radii.get(group.layout)!)
    cost += planner === 'auto' ? Math.min(probe, scanCost(group, maxDistance)) : probe
  }
  return cost
}

/** One search's state and the scratch buffers it reuses; one per index, never re-entered. */
export class Searcher {
  private readonly probeLo = new Int32Array(MAX_PROBES)
  private readonly probeHi = new Int32Array(MAX_PROBES)
  private readonly candidates = new Int32Array(CANDIDATE_BATCH)
  private readonly gathered = new Int32Array(CANDIDATE_BATCH * PDQ_WORDS)
  private readonly query = new Int32Array(PDQ_WORDS)
  private readonly layouts = new Map<SlotLayout, LayoutQuery>(LAYOUTS.map(l => [l, { radii: new Int8Array(l.count), keys: new Int32Array(l.count) }]))
  private words: Int32Array = new Int32Array(0)
  private dead: Int32Array = new Int32Array(0)
  private top: TopK | undefined
  private maxDistance = 0
  private bound = 0

  byteLength (): number {
    return this.probeLo.byteLength + this.probeHi.byteLength + this.candidates.byteLength + this.gathered.byteLength
  }

  /**
   * Offers to `top` every live value within `maxDistance` of the query at `query[at..]`: the ids in
   * `groups` (indexed) and in [tailLo, values.count) (not indexed). Each value is offered once.
   */
  search (
    values: PdqValues, groups: readonly SearchGroup[], tailLo: number, query: Int32Array, at: number, maxDistance: number, top: TopK, planner: Planner
  ): void {
    this.words = values.words
    this.dead = values.dead
    this.top = top
    this.maxDistance = maxDistance
    this.bound = top.bound(maxDistance)
    this.query.set(query.subarray(at, at + PDQ_WORDS))
    try {
      if (maxDistance > MAX_MIH_DISTANCE) {
        this.scan(0, values.count)
        return
      }
      for (const [layout, q] of this.layouts) {
        q.radii = slotRadii(maxDistance, layout.count)
        for (let s = 0; s < layout.count; s++) q.keys[s] = slotKey(this.query, 0, layout.start[s]!, layout.width[s]!)
      }
      for (const group of groups) {
        if (planner === 'auto' && this.scanIsCheaper(group)) this.scan(group.lo, group.hi)
        else this.probeGroup(group)
      }
      this.scan(tailLo, values.count)
    } finally {
      this.top = undefined
      this.words = this.dead = new Int32Array(0)
    }
  }

  private scanIsCheaper (group: SearchGroup): boolean {
    return scanCost(group, this.maxDistance) < probeCost(group, this.layouts.get(group.layout)!.radii)
  }

  private probeGroup (group: SearchGroup): void {
    const { probeLo, probeHi, candidates } = this
    const { layout } = group
    const { radii, keys: queryKeys } = this.layouts.get(layout)!
    for (let s = 0; s < layout.count; s++) {
      const radius = radii[s]!
      if (radius < 0) continue
      const width = layout.width[s]!
      for (const run of group.runs[s]!) {
        const { bits, offsets, ids } = run
        if (ids.length === 0) continue
        const masks = probeMasks(bits, radius)
        const key = queryKeys[s]! >>> (width - bits)
        const probes = masks.length
        for (let p = 0; p < probes; p++) {
          const k = key ^ masks[p]!
          probeLo[p] = offsets[k]!
          probeHi[p] = offsets[k + 1]!
        }
        let n = 0
        for (let p = 0; p < probes; p++) {
          const hi = probeHi[p]!
          for (let j = probeLo[p]!; j < hi; j++) {
            candidates[n++] = ids[j]!
            if (n === CANDIDATE_BATCH) {
              this.verify(n, s, layout)
              n = 0
            }
          }
        }
        if (n > 0) this.verify(n, s, layout)
      }
    }
  }

  /** Gathers the words of candidates[0..n) found through slot `slot` of `layout`, then measures each. */
  private verify (n: number, slot: number, layout: SlotLayout): void {
    const { words, gathered, candidates, query } = this
    for (let c = 0, g = 0; c < n; c++, g += PDQ_WORDS) {
      const o = candidates[c]! * PDQ_WORDS
      gathered[g] = words[o]!
      gathered[g + 1] = words[o + 1]!
      gathered[g + 2] = words[o + 2]!
      gathered[g + 3] = words[o + 3]!
      gathered[g + 4] = words[o + 4]!
      gathered[g + 5] = words[o + 5]!
      gathered[g + 6] = words[o + 6]!
      gathered[g + 7] = words[o + 7]!
    }
    const q0 = query[0]!; const q1 = query[1]!; const q2 = query[2]!; const q3 = query[3]!
    const q4 = query[4]!; const q5 = query[5]!; const q6 = query[6]!; const q7 = query[7]!
    for (let c = 0, g = 0; c < n; c++, g += PDQ_WORDS) {
      // Popcount of 8 words with 3 reductions instead of 8 (nibble sums of three words cannot overflow).
      const d = sumBytes(
        byteCounts(nibbleCounts(gathered[g]! ^ q0) + nibbleCounts(gathered[g + 1]! ^ q1) + nibbleCounts(gathered[g + 2]! ^ q2)) +
        byteCounts(nibbleCounts(gathered[g + 3]! ^ q3) + nibbleCounts(gathered[g + 4]! ^ q4) + nibbleCounts(gathered[g + 5]! ^ q5)) +
        byteCounts(nibbleCounts(gathered[g + 6]! ^ q6) + nibbleCounts(gathered[g + 7]! ^ q7)))
      if (d <= this.bound) this.consider(candidates[c]!, d, slot, layout)
    }
  }

  /**
   * A candidate within the bound, found through `slot`. Offered only if live and if `slot` is the
   * first slot whose exact key is within that slot's radius: the one slot every search finds it
   * through, so it is offered once without a per-query seen-set. (A run bucketed on fewer bits than
   * the slot's width also turns up values whose full key is outside the radius; the same check
   * drops them here.)
   */
  private consider (id: number, distance: number, slot: number, layout: SlotLayout): void {
    const { words } = this
    const { radii, keys } = this.layouts.get(layout)!
    if (((this.dead[id >>> 5]! >>> (id & 31)) & 1) === 1) return
    const at = id * PDQ_WORDS
    for (let t = 0; t <= slot; t++) {
      const radius = radii[t]!
      if (radius < 0) continue
      const within = popcount32(keys[t]! ^ slotKey(words, at, layout.start[t]!, layout.width[t]!)) <= radius
      if (within !== (t === slot)) return
      if (within) break
    }
    this.bound = this.top!.offer(id, distance, this.maxDistance)
  }

  /**
   * Every live value with an id in [lo, hi). While the bound is small, a value whose first 128 bits
   * already differ by more than it is dropped there (at d <= 44 that is nearly every value, so the
   * branch is predictable); past that, all 8 words are always counted.
   */
  private scan (lo: number, hi: number): void {
    const { words, dead, query } = this
    const q0 = query[0]!; const q1 = query[1]!; const q2 = query[2]!; const q3 = query[3]!
    const q4 = query[4]!; const q5 = query[5]!; const q6 = query[6]!; const q7 = query[7]!
    let id = lo
    for (let o = lo * PDQ_WORDS; id < hi && this.bound <= EARLY_EXIT_BOUND; id++, o += PDQ_WORDS) {
      // Each half is at most 128, so one multiply adds its bytes without overflow.
      let d = Math.imul(byteCounts(nibbleCounts(words[o]! ^ q0) + nibbleCounts(words[o + 1]! ^ q1) + nibbleCounts(words[o + 2]! ^ q2)) +
        byteCounts(nibbleCounts(words[o + 3]! ^ q3)), 0x01010101) >>> 24
      if (d > this.bound) continue
      d += Math.imul(byteCounts(nibbleCounts(words[o + 4]! ^ q4) + nibbleCounts(words[o + 5]! ^ q5) + nibbleCounts(words[o + 6]! ^ q6)) +
        byteCounts(nibbleCounts(words[o + 7]! ^ q7)), 0x01010101) >>> 24
      if (d <= this.bound && ((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) this.bound = this.top!.offer(id, d, this.maxDistance)
    }
    for (let o = id * PDQ_WORDS; id < hi; id++, o += PDQ_WORDS) {
      const d = sumBytes(
        byteCounts(nibbleCounts(words[o]! ^ q0) + nibbleCounts(words[o + 1]! ^ q1) + nibbleCounts(words[o + 2]! ^ q2)) +
        byteCounts(nibbleCounts(words[o + 3]! ^ q3) + nibbleCounts(words[o + 4]! ^ q4) + nibbleCounts(words[o + 5]! ^ q5)) +
        byteCounts(nibbleCounts(words[o + 6]! ^ q6) + nibbleCounts(words[o + 7]! ^ q7)))
      if (d <= this.bound && ((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) this.bound = this.top!.offer(id, d, this.maxDistance)
    }
  }
}
