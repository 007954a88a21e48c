/**
 * Segments of the PDQ index and the LSM-style merging of them.
 *
 * A segment indexes the values with ids in [lo, hi) (ids are handed out in order, so every segment,
 * and every merge of neighbouring segments, is a contiguous range) with one run per slot of its
 * layout. A merge whose inputs all have the merged segment's layout happens slot by slot: once slot
 * s is built it replaces the inputs' slot-s runs, so at every moment each live id is in exactly one
 * run of every slot and a search can run between any two steps; only one slot's worth of extra
 * memory is held. A merge that changes layout (small segments growing into a wide one) builds all
 * slots first and replaces its inputs at the end; the policy keeps those merges small.
 */
import { BuildScratch, MIN_PRECOUNT_BITS, RunBuilder, RunMerger, TablePool, countHighBuckets, runBytes, type IdRange, type SlotRun } from './pdqRun.js'
import type { PdqValues } from './pdqValues.js'
import { NARROW, WIDE, bitsFor, layoutFor, type SlotLayout } from './pdqSlots.js'

export class Segment implements IdRange {
  readonly lo: number
  readonly hi: number
  readonly layout: SlotLayout
  /** Values in [lo, hi) not removed. */
  live: number
  /** One run per slot of the layout; a slot's entry is emptied once a merge has replaced it. */
  readonly runs: SlotRun[]
  /** The merge this segment is an input of, if any. */
  job: MergeJob | undefined

  constructor (lo: number, hi: number, live: number, layout: SlotLayout, runs: SlotRun[]) {
    this.lo = lo
    this.hi = hi
    this.live = live
    this.layout = layout
    this.runs = runs
  }

  byteLength (): number {
    return this.runs.reduce((n, r) => n + runBytes(r), 0)
  }
}

/** Inputs this large keep their bits one below what a merge's size calls for (see MergeJob.bitsOf). */
const LAG_FROM = 1 << 20

const EMPTY_RUN: SlotRun = Object.freeze({ bits: 0, offsets: new Int32Array(1), ids: new Int32Array(0) })

/** Builds every slot of a segment over [lo, hi) in one go: used for tail flushes and full rebuilds. */
export function buildSegment (values: PdqValues, lo: number, hi: number, live: number, narrowMax: number, scratch = new BuildScratch()): Segment {
  const layout = layoutFor(live, narrowMax)
  const bits = layout.width.map(w => bitsFor(live, layout, w))
  const counts = bits.every(b => b >= MIN_PRECOUNT_BITS) ? countHighBuckets(values, lo, hi, layout) : undefined
  const runs = layout.start.map((start, s) => new RunBuilder(values, [{ lo, hi }], start, bits[s]!, scratch, counts?.[s]).finish())
  return new Segment(lo, hi, live, layout, runs)
}

/**
 * Merges neighbouring segments into one, a slot at a time. For each slot, the inputs whose run
 * already has the merged segment's layout and bits are merged bucket by bucket (a sequential
 * copy); the others (smaller segments, bucketed on fewer bits or in the other layout) are
 * re-bucketed from the values by a RunBuilder first.
 */
export class MergeJob implements IdRange {
  readonly inputs: readonly Segment[]
  readonly lo: number
  readonly hi: number
  readonly layout: SlotLayout
  /** True when every input has the merged layout, so finished slots replace the inputs' at once. */
  readonly inPlace: boolean
  /** Finished runs of the merged segment, slots 0..out.length-1. */
  readonly out: SlotRun[] = []
  private readonly values: PdqValues
  private readonly pool: TablePool
  private readonly sizeForBits: number
  private scratch: BuildScratch | undefined
  private builder: RunBuilder | undefined
  private merger: RunMerger | undefined
  /** The re-bucketed run merged into the current slot, if any: its table goes back to the pool after. */
  private rebucketed: SlotRun | undefined

  /** `layout`: the merged segment's (see pickMerge). */
  constructor (values: PdqValues, inputs: readonly Segment[], pool: TablePool, layout: SlotLayout) {
    this.values = values
    this.inputs = inputs
    this.pool = pool
    this.lo = inputs[0]!.lo
    this.hi = inputs[inputs.length - 1]!.hi
    this.sizeForBits = inputs.reduce((n, s) => n + s.live, 0)
    this.layout = layout
    this.inPlace = inputs.every(i => i.layout === this.layout)
    for (const input of inputs) input.job = this
  }

  get done (): boolean {
    return this.out.length === this.layout.count
  }

  /** Live values of the merged segment, as of now. */
  get live (): number {
    return this.inputs.reduce((n, s) => n + s.live, 0)
  }

  /** Does about `budget` units of work; returns the units done. */
  step (budget: number): number {
    let used = 0
    while (!this.done && used < budget) {
      const slot = this.out.length
      if (this.builder === undefined && this.merger === undefined) this.startSlot(slot)
      if (this.builder !== undefined) {
        used += this.builder.step(budget - used)
        if (!this.builder.done) continue
        const rebucketed = this.builder.run
        this.builder = undefined
        const same = this.sameRuns(slot, rebucketed.bits)
        if (same.length === 0) {
          this.finishSlot(rebucketed)
        } else {
          this.rebucketed = rebucketed
          this.merger = this.merge([...same, rebucketed], rebucketed.bits)
        }
      } else if (this.merger !== undefined) {
        used += this.merger.step(budget - used)
        if (this.merger.done) {
          const run = this.merger.run
          this.merger = undefined
          this.finishSlot(run)
        }
      }
    }
    if (this.done && !this.inPlace) this.releaseInputs()
    return used
  }

  /** The merged segment; only once `done`. */
  result (): Segment {
    if (!this.done) throw new Error('merge not finished')
    return new Segment(this.lo, this.hi, this.live, this.layout, this.out)
  }

  /** For an in-place merge: runs that a search of [lo, hi) must probe for slot `slot` right now. */
  runsFor (slot: number): SlotRun[] {
    const merged = this.out[slot]
    return merged !== undefined ? [merged] : this.inputs.map(i => i.runs[slot]!)
  }

  byteLength (): number {
    return this.out.reduce((n, r) => n + runBytes(r), 0) + (this.scratch?.byteLength() ?? 0)
  }

  /** Runs of the inputs that can be merged as they are for `slot` at `bits`: same layout, same bits. */
  private sameRuns (slot: number, bits: number): SlotRun[] {
    return this.inputs.filter(i => i.layout === this.layout && i.runs[slot]!.bits === bits).map(i => i.runs[slot]!)
  }

  /**
   * The merged segment's bits for `slot`: what its size calls for, but one fewer is kept when the
   * largest input already has it and is large. Re-bucketing is the costly path (a radix sort from
   * the values); lagging a bit behind lets a large input be copied bucket by bucket, at the price of
   * buckets up to twice as full until its size doubles again.
   */
  private bitsOf (slot: number): number {
    const wanted = bitsFor(this.sizeForBits, this.layout, this.layout.width[slot]!)
    const largest = this.inputs.reduce((a, b) => (b.live > a.live ? b : a))
    const lagging = largest.layout === this.layout && largest.live >= LAG_FROM && largest.runs[slot]!.bits === wanted - 1
    return lagging ? wanted - 1 : wanted
  }

  private startSlot (slot: number): void {
    const bits = this.bitsOf(slot)
    const same = this.sameRuns(slot, bits)
    const other = this.inputs.filter(i => i.layout !== this.layout || i.runs[slot]!.bits !== bits)
    if (other.length > 0) {
      this.scratch ??= new BuildScratch()
      this.builder = new RunBuilder(this.values, other, this.layout.start[slot]!, bits, this.scratch, undefined, this.pool)
    } else {
      this.merger = this.merge(same, bits)
    }
  }

  private merge (runs: SlotRun[], bits: number): RunMerger {
    const entries = runs.reduce((n, r) => n + r.ids.length, 0)
    return new RunMerger(this.values, runs, bits, this.lo, this.hi, entries !== this.live, this.pool)
  }

  private finishSlot (run: SlotRun): void {
    const slot = this.out.length
    this.out.push(run)
    if (this.rebucketed !== undefined && this.rebucketed !== run) this.pool.give(this.rebucketed.offsets)
    this.rebucketed = undefined
    if (this.inPlace) {
      // The replaced tables are free now: no search holds a run between calls.
      for (const input of this.inputs) {
        this.pool.give(input.runs[slot]!.offsets)
        input.runs[slot] = EMPTY_RUN
      }
    }
    if (this.done) {
      this.scratch?.release()
      this.scratch = undefined
    }
  }

  private releaseInputs (): void {
    for (const input of this.inputs) {
      for (let s = 0; s < input.runs.length; s++) {
        if (input.runs[s] === EMPTY_RUN) continue
        this.pool.give(input.runs[s]!.offsets)
        input.runs[s] = EMPTY_RUN
      }
    }
  }
}

/** A merge to start: segments [from, to), into `layout`. */
export interface MergePick { from: number, to: number, layout: SlotLayout }

/**
 * The merge to start, or undefined. The rule keeps every segment at least `ratio` times larger than
 * all newer segments together: the oldest segment that is not absorbs everything newer. So segment
 * sizes fall geometrically (at most about log_(ratio+1)(N / tail) of them), and each value is
 * rewritten about ratio + 1 times per level. Only segments newer than every segment already in a
 * merge are considered; a merge in progress blocks the ones older than it until it finishes.
 * Wide and narrow segments are never merged together, so that every wide merge goes slot by slot:
 * a range mixing them is cut to its narrow part (merged on its own, turning wide once large), and a
 * lone narrow segment there is first rebuilt wide on its own. (Narrow segments are at most
 * NARROW_MAX values, so those rebuilds stay small.)
 */
export function pickMerge (segments: readonly Segment[], ratio: number, narrowMax: number): MergePick | undefined {
  let first = segments.length
  while (first > 0 && segments[first - 1]!.job === undefined) first--
  let newer = 0
  let pick: number | undefined
  for (let k = segments.length - 1; k >= first; k--) {
    const live = segments[k]!.live
    if (newer > 0 && live < ratio * newer) pick = k
    newer += live
  }
  if (pick === undefined) return undefined
  const to = segments.length
  let narrow = to
  while (narrow > pick && segments[narrow - 1]!.layout === NARROW) narrow--
  if (narrow === pick || narrow === to) {
    const all = segments.slice(pick)
    if (all.every(s => s.layout === all[0]!.layout)) return { from: pick, to, layout: layoutFor(all.reduce((n, s) => n + s.live, 0), narrowMax) }
  }
  if (narrow < to && to - narrow >= 2) return { from: narrow, to, layout: layoutFor(segments.slice(narrow).reduce((n, s) => n + s.live, 0), narrowMax) }
  if (narrow < to) return { from: narrow, to, layout: WIDE }
  // Narrow segments older than wide ones (the sizes do not fall in order): rebuild the oldest narrow one wide.
  const lone = segments.findIndex((s, i) => i >= pick && s.layout === NARROW)
  return { from: lone, to: lone + 1, layout: WIDE }
}
