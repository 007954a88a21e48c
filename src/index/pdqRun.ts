/**
 * A run: one slot's bucket table for one segment of the PDQ index, in CSR form, and the two
 * resumable jobs that make runs: a radix-sort builder (from the values themselves) and a merger
 * (of runs already bucketed on the same bits). Both do a bounded amount of work per `step`, so that
 * a merge of millions of values can be spread over many updates on the event loop.
 */
import type { PdqValues } from './pdqValues.js'
import { PDQ_WORDS } from './pdqWords.js'
import type { SlotLayout } from './pdqSlots.js'

/**
 * Ids of one segment's values bucketed by the top `bits` bits of one slot: the ids whose key is k
 * are ids[offsets[k] .. offsets[k + 1]), ascending. Immutable once built; dead ids may remain until
 * the next merge, and searches skip them.
 */
export interface SlotRun {
  readonly bits: number
  readonly offsets: Int32Array
  readonly ids: Int32Array
}

export function runBytes (run: SlotRun): number {
  return run.offsets.byteLength + run.ids.byteLength
}

/** A half-open id range [lo, hi). */
export interface IdRange { readonly lo: number, readonly hi: number }

/**
 * Work units: about a nanosecond each, as measured on the 2-core VMs this was tuned on (where the
 * big tables' memory traffic dominates: an 8 MiB table costs ~7 ms just to fault in), so that
 * budgets read as time while staying deterministic: tests see the same step boundaries every run.
 */
export const UNITS = Object.freeze({
  /** Builder: reading one value's key and counting it (one pass), or again to scatter it (the other). */
  builderPass: 14,
  /** Builder: the in-cache counting sort of one value on its low bits. */
  builderLocal: 22,
  /** Builder or merger: one bucket-table entry written or summed, per input. */
  bucket: 3,
  /** Merger: one id copied from an input run. */
  mergeCopy: 4
})

/**
 * High bits sorted by the first radix pass: 2^8 destinations are 512 write streams (keys and ids),
 * few enough for L1; the low bits are then sorted inside each high bucket, which fits in L2.
 */
const HIGH_BITS = 8

/** Values handled between budget checks inside a pass. */
const CHUNK = 16384

/** Scratch arrays for builders, reused across slots and grown only when a bigger range comes. */
export class BuildScratch {
  keys = new Int32Array(0)
  ids = new Int32Array(0)

  ensure (n: number): void {
    if (this.keys.length < n) {
      this.keys = new Int32Array(n)
      this.ids = new Int32Array(n)
    }
  }

  release (): void {
    this.keys = new Int32Array(0)
    this.ids = new Int32Array(0)
  }

  byteLength (): number {
    return this.keys.byteLength + this.ids.byteLength
  }
}

/** Tables kept per size: one is enough for the next slot of a merge to reuse. */
const POOL_PER_SIZE = 2

/**
 * Bucket tables (2^bits + 1 entries) given back by runs that a merge replaced, for the next run of
 * the same size to reuse. A fresh 8 MiB table costs ~7 ms of page faults on the VMs this was tuned
 * on, as much as merging into it; a merge's 12 slots mostly share two sizes, so a pool of two each
 * takes that out of all but the first slot. Taken tables hold stale entries.
 */
export class TablePool {
  private readonly free = new Map<number, Int32Array[]>()

  take (length: number): Int32Array {
    return this.free.get(length)?.pop() ?? new Int32Array(length)
  }

  /** A zeroed table: a pooled one cleared, or a fresh one (zero already, its pages faulted in only as used). */
  takeZeroed (length: number): Int32Array {
    const pooled = this.free.get(length)?.pop()
    return pooled === undefined ? new Int32Array(length) : pooled.fill(0)
  }

  give (table: Int32Array): void {
    if (table.length < 1 << 12) return
    const list = this.free.get(table.length) ?? []
    if (list.length < POOL_PER_SIZE) list.push(table)
    this.free.set(table.length, list)
  }

  clear (): void {
    this.free.clear()
  }

  byteLength (): number {
    let n = 0
    for (const list of this.free.values()) for (const t of list) n += t.byteLength
    return n
  }
}

const enum BuildPhase { Count, Scatter, Local, Done }

/**
 * For every slot of `layout` at once, in one pass over the values of [lo, hi): the count of keys in
 * each high bucket (top HIGH_BITS bits of the slot), at index bucket + 1, as RunBuilder's count pass would.
 * Only for slots bucketed on at least HIGH_BITS bits, whose high bucket does not depend on `bits`.
 */
export function countHighBuckets (values: PdqValues, lo: number, hi: number, layout: SlotLayout): Int32Array[] {
  const size = (1 << HIGH_BITS) + 1
  const slots = layout.count
  const counts = new Int32Array(slots * size)
  const word = Int32Array.from(layout.start, start => start >>> 5)
  const shift = Int32Array.from(layout.start, start => start & 31)
  /** Right shift of the next word when the field runs into it, else 0 (no next-word read). */
  const spill = Int32Array.from(layout.start, start => (start & 31) + HIGH_BITS > 32 ? 64 - (start & 31) - HIGH_BITS : 0)
  const words = values.words
  for (let at = lo * PDQ_WORDS, end = hi * PDQ_WORDS; at < end; at += PDQ_WORDS) {
    for (let s = 0, base = 1; s < slots; s++, base += size) {
      const w = at + word[s]!
      const sp = spill[s]!
      const key = ((words[w]! << shift[s]!) >>> (32 - HIGH_BITS)) | (sp === 0 ? 0 : words[w + 1]! >>> sp)
      counts[base + key]!++
    }
  }
  return Array.from({ length: slots }, (_, s) => counts.subarray(s * size, (s + 1) * size))
}

/** Bits a slot must be bucketed on for countHighBuckets to serve its builder. */
export const MIN_PRECOUNT_BITS = HIGH_BITS

/**
 * Builds the run of one slot (the field of `bits` bits from bit `start`) over the values in
 * `ranges`, skipping dead ones, by an MSD radix sort:
 * count high bits; scatter (key, id) by high bits into scratch; then in each high bucket count,
 * place and write the bucket table for the low bits. Dead ids are dropped in the last phase, which
 * handles each high bucket in one step, so a removal between steps cannot unbalance a count.
 */
export class RunBuilder {
  readonly bits: number
  private readonly start: number
  private readonly ranges: readonly IdRange[]
  private readonly values: PdqValues
  private readonly scratch: BuildScratch
  private readonly lowBits: number
  private readonly total: number
  private phase = BuildPhase.Count
  private rangeAt = 0
  private idAt: number
  private bucketAt = 0
  private written = 0
  private readonly highStart: Int32Array
  private readonly highCursor: Int32Array
  private readonly pool: TablePool | undefined
  private lowCount: Int32Array = new Int32Array(0)
  private offsets: Int32Array = new Int32Array(0)
  private out: Int32Array = new Int32Array(0)
  private result: SlotRun | undefined

  /**
   * `highCounts`, if given, is what the count pass would produce (see countHighBuckets), so that a
   * build of all slots reads the values for counting once instead of once per slot.
   */
  constructor (values: PdqValues, ranges: readonly IdRange[], start: number, bits: number, scratch: BuildScratch, highCounts?: Int32Array, pool?: TablePool) {
    this.values = values
    this.pool = pool
    this.ranges = ranges
    this.start = start
    this.bits = bits
    this.scratch = scratch
    const highBits = Math.min(bits, HIGH_BITS)
    this.lowBits = bits - highBits
    this.highStart = new Int32Array((1 << highBits) + 1)
    this.highCursor = new Int32Array(1 << highBits)
    this.total = ranges.reduce((n, r) => n + r.hi - r.lo, 0)
    this.idAt = ranges[0]?.lo ?? 0
    if (highCounts !== undefined) {
      if (highCounts.length !== this.highStart.length) throw new Error('high bucket counts of the wrong size')
      this.highStart.set(highCounts)
      this.endPass()
    }
  }

  get done (): boolean {
    return this.phase === BuildPhase.Done
  }

  /** The finished run; only once `done`. */
  get run (): SlotRun {
    if (this.result === undefined) throw new Error('run not built yet')
    return this.result
  }

  /** Does about `budget` units of work (at least one chunk) and returns the units done. */
  step (budget: number): number {
    let used = 0
    while (this.phase !== BuildPhase.Done && used < budget) {
      used += this.phase === BuildPhase.Local ? this.local(budget - used) : this.pass()
    }
    return used
  }

  /** Runs to completion. */
  finish (): SlotRun {
    this.step(Infinity)
    return this.run
  }

  /** One chunk of the count or scatter pass over the ranges. */
  private pass (): number {
    const range = this.ranges[this.rangeAt]
    if (range === undefined) {
      this.endPass()
      return 0
    }
    const words = this.values.words
    const { bits, lowBits } = this
    const end = Math.min(range.hi, this.idAt + CHUNK)
    // slotKey, unrolled: the field starts `shift` bits into word `word` and may run into the next.
    const start = this.start
    const word = start >>> 5
    const shift = start & 31
    const right = 32 - bits
    const spill = shift + bits > 32 ? 64 - shift - bits : 32
    let id = this.idAt
    if (this.phase === BuildPhase.Count) {
      const highStart = this.highStart
      for (let at = id * PDQ_WORDS + word; id < end; id++, at += PDQ_WORDS) {
        const key = ((words[at]! << shift) >>> right) | (spill < 32 ? words[at + 1]! >>> spill : 0)
        highStart[(key >>> lowBits) + 1]!++
      }
    } else {
      const cursor = this.highCursor
      const keys = this.scratch.keys
      const ids = this.scratch.ids
      for (let at = id * PDQ_WORDS + word; id < end; id++, at += PDQ_WORDS) {
        const key = ((words[at]! << shift) >>> right) | (spill < 32 ? words[at + 1]! >>> spill : 0)
        const p = cursor[key >>> lowBits]!++
        keys[p] = key
        ids[p] = id
      }
    }
    const done = end - this.idAt
    this.idAt = end
    if (end === range.hi) {
      this.rangeAt++
      this.idAt = this.ranges[this.rangeAt]?.lo ?? 0
    }
    return done * UNITS.builderPass
  }

  private endPass (): void {
    this.rangeAt = 0
    this.idAt = this.ranges[0]?.lo ?? 0
    if (this.phase === BuildPhase.Count) {
      const start = this.highStart
      for (let h = 1; h < start.length; h++) start[h]! += start[h - 1]!
      this.highCursor.set(start.subarray(0, this.highCursor.length))
      this.scratch.ensure(this.total)
      this.phase = BuildPhase.Scatter
    } else {
      this.lowCount = new Int32Array(1 << this.lowBits)
      // Every entry is written by the last phase, so a pooled table's stale contents do not matter.
      this.offsets = this.pool?.take((1 << this.bits) + 1) ?? new Int32Array((1 << this.bits) + 1)
      this.out = new Int32Array(this.total)
      this.phase = BuildPhase.Local
    }
  }

  /** Whole high buckets until the budget is spent: count live low keys, write the table, place ids. */
  private local (budget: number): number {
    const { keys, ids } = this.scratch
    const { highStart, lowCount, offsets, out, lowBits } = this
    const dead = this.values.dead
    const lowSize = 1 << lowBits
    const lowMask = lowSize - 1
    const buckets = this.highCursor.length
    let used = 0
    while (this.bucketAt < buckets && used < budget) {
      const h = this.bucketAt++
      const lo = highStart[h]!
      const hi = highStart[h + 1]!
      lowCount.fill(0)
      for (let i = lo; i < hi; i++) {
        const id = ids[i]!
        if (((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) lowCount[keys[i]! & lowMask]!++
      }
      const base = h << lowBits
      let pos = this.written
      for (let k = 0; k < lowSize; k++) {
        offsets[base + k] = pos
        const c = lowCount[k]!
        lowCount[k] = pos
        pos += c
      }
      for (let i = lo; i < hi; i++) {
        const id = ids[i]!
        if (((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) out[lowCount[keys[i]! & lowMask]!++] = id
      }
      this.written = pos
      used += (hi - lo) * UNITS.builderLocal + lowSize * UNITS.bucket
    }
    if (this.bucketAt === buckets) {
      offsets[1 << this.bits] = this.written
      this.result = { bits: this.bits, offsets, ids: this.written === out.length ? out : out.slice(0, this.written) }
      this.offsets = this.out = this.lowCount = new Int32Array(0)
      this.phase = BuildPhase.Done
    }
    return used
  }
}

/**
 * Merges runs bucketed on the same bits into one: sequential passes, several times cheaper than
 * rebuilding, and the common case when a large segment absorbs small ones (its tables already have
 * the slot's full width). The inputs' bucket sizes are summed into the output's table, then each
 * input is copied bucket by bucket into its place. Removed ids are dropped as of a snapshot of the
 * tombstones taken at the start, so that counts and copies agree however removals interleave with
 * the steps; later removals are dropped by a later merge (searches skip them meanwhile).
 */
export class RunMerger {
  readonly bits: number
  private readonly inputs: readonly SlotRun[]
  private readonly offsets: Int32Array
  private readonly cursor: Int32Array
  private out: Int32Array = new Int32Array(0)
  /** Tombstones of ids lo.. as of the start, or undefined when the inputs hold no removed id. */
  private readonly dead: Int32Array | undefined
  private readonly deadBase: number
  private readonly pool: TablePool | undefined
  private phase = MergePhase.Count
  private runAt = 0
  private keyAt = 0
  private result: SlotRun | undefined

  /** `withRemoved`: whether some input holds ids removed since it was built (they must be dropped). */
  constructor (values: PdqValues, inputs: readonly SlotRun[], bits: number, lo: number, hi: number, withRemoved: boolean, pool?: TablePool) {
    for (const run of inputs) if (run.bits !== bits) throw new Error(`cannot merge a ${run.bits}-bit run into ${bits} bits`)
    this.inputs = inputs
    this.bits = bits
    const size = 1 << bits
    this.offsets = pool?.takeZeroed(size + 1) ?? new Int32Array(size + 1)
    this.cursor = pool?.take(size) ?? new Int32Array(size)
    this.pool = pool
    this.deadBase = lo >>> 5
    this.dead = withRemoved ? values.dead.slice(lo >>> 5, (hi + 31) >>> 5) : undefined
  }

  get done (): boolean {
    return this.result !== undefined
  }

  get run (): SlotRun {
    if (this.result === undefined) throw new Error('run not merged yet')
    return this.result
  }

  step (budget: number): number {
    let used = 0
    while (this.result === undefined && used < budget) used += this.chunk()
    return used
  }

  /**
   * Up to CHUNK keys of work: counting one input's buckets (live ids only, if some were removed),
   * turning the counts into the table, or copying one input's buckets into place.
   */
  private chunk (): number {
    const size = 1 << this.bits
    const first = this.keyAt
    const end = Math.min(size, first + CHUNK)
    this.keyAt = end === size ? 0 : end
    if (this.phase === MergePhase.Prefix) {
      const { offsets, cursor } = this
      for (let k = first; k < end; k++) {
        cursor[k] = offsets[k]!
        offsets[k + 1]! += offsets[k]!
      }
      if (end === size) {
        this.out = new Int32Array(offsets[size]!)
        this.phase = MergePhase.Copy
      }
      return (end - first) * UNITS.bucket
    }
    const run = this.inputs[this.runAt]!
    const { ids } = run
    const from = run.offsets
    const dead = this.dead
    const base = this.deadBase
    let copied = 0
    if (this.phase === MergePhase.Count) {
      const counts = this.offsets
      if (dead === undefined) {
        for (let k = first; k < end; k++) counts[k + 1]! += from[k + 1]! - from[k]!
      } else {
        for (let k = first; k < end; k++) {
          let n = 0
          for (let j = from[k]!, hi = from[k + 1]!; j < hi; j++) {
            const id = ids[j]!
            if (((dead[(id >>> 5) - base]! >>> (id & 31)) & 1) === 0) n++
          }
          counts[k + 1]! += n
        }
        copied = from[end]! - from[first]!
      }
    } else {
      const { cursor, out } = this
      for (let k = first; k < end; k++) {
        const hi = from[k + 1]!
        let at = cursor[k]!
        if (dead === undefined) {
          for (let j = from[k]!; j < hi; j++) out[at++] = ids[j]!
        } else {
          for (let j = from[k]!; j < hi; j++) {
            const id = ids[j]!
            if (((dead[(id >>> 5) - base]! >>> (id & 31)) & 1) === 0) out[at++] = id
          }
        }
        copied += at - cursor[k]!
        cursor[k] = at
      }
    }
    if (end === size && ++this.runAt === this.inputs.length) {
      this.runAt = 0
      if (this.phase === MergePhase.Count) {
        this.phase = MergePhase.Prefix
      } else {
        this.result = { bits: this.bits, offsets: this.offsets, ids: this.out }
        this.out = new Int32Array(0)
        this.pool?.give(this.cursor)
      }
    }
    return (end - first) * UNITS.bucket + copied * UNITS.mergeCopy
  }
}

const enum MergePhase { Count, Prefix, Copy }
