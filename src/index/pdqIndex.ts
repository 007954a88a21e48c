/**
 * In-memory near-match index of PDQ hashes (256-bit perceptual hashes, matched by Hamming distance).
 *
 * Layout (no per-hash objects; every array is a typed array):
 *   - PdqValues: every value as 8 int32 words by id, in a resizable buffer that grows in place,
 *     plus a tombstone bitmap;
 *   - the tail: ids appended since the last flush (at most `tailLimit`), scanned linearly, with a
 *     small hash set for exact lookups;
 *   - segments over contiguous id ranges, each with one run per slot of its layout (12 slots of
 *     21-22 bits when large, 16 of 16 bits up to NARROW_MAX values; see pdqSlots.ts): a CSR bucket
 *     table on the slot's top bits and the ids in bucket order;
 *   - LSM-style merges of segments, a slot at a time, in bounded steps paid for by updates
 *     (pdqSegments.ts, pdqRun.ts).
 *
 * Search within d <= 63 probes every slot's buckets within the slot's radius (multi-index hashing,
 * exact by the pigeonhole bound in slotRadii; each value is reported through one slot only, so no
 * per-query seen-set) or scans a segment when the cost model says that is cheaper; beyond 63 it
 * scans. Memory at 10M in one segment: 32 bytes of words + 48 of ids a value, plus bucket tables at
 * full width (4 bytes a bucket, 2^21-2^22 buckets a slot: ~13 bytes a value) — ~94 bytes a value.
 *
 * Costs: has/add/remove are O(segments) bucket lookups (a handful); a tail flush indexes 4,096
 * values (~2 ms); merge work is `workPerUpdate` units (~ns) owed per update and done in steps of
 * `stepUnits`, every call's share stopping maxWorkMs after the call began (the rest stays owed;
 * `maintain` does it in idle time). The one unbounded operation is the full rebuild, O(N): when
 * removed values exceed compactRatio of the live ones (so at most once per ~N/4 removals), and on
 * an addMany of at least max(50,000, size) values (so at most once per doubling), which is also how
 * `build` loads.
 */
import { randomBytes } from 'node:crypto'
import { IndexError } from './errors.js'
import { MAX_VALUES, PdqValues } from './pdqValues.js'
import { BuildScratch, TablePool } from './pdqRun.js'
import { MergeJob, Segment, buildSegment, pickMerge } from './pdqSegments.js'
import { Searcher, searchCost, type Planner, type SearchGroup } from './pdqSearch.js'
import { NARROW_MAX, slotKey } from './pdqSlots.js'
import { TailSet } from './pdqTail.js'
import { TopK } from './pdqTopK.js'
import { PDQ_BITS, PDQ_WORDS, equalAt, hashAt, loadWords, requirePdqValue, wordsToBytes } from './pdqWords.js'

/** Past this distance a search scans every value instead of probing (pigeonhole radii grow too wide). */
export { MAX_MIH_DISTANCE } from './pdqSlots.js'

export interface PdqIndexOptions {
  /**
   * Values appended before the tail is indexed as a segment. Every search scans the tail (~10 ns a
   * value), so 4,096 costs a query ~40 µs; smaller means more flushes and small merges per add.
   */
  tailLimit: number
  /**
   * A segment absorbs all newer segments once they hold more than 1/mergeRatio of its live values.
   * Higher: fewer segments for a search to probe, more rewriting per add.
   */
  mergeRatio: number
  /**
   * Merge work each add or remove pays for, in work units (about a nanosecond each). Merging as
   * above costs ~5,000 units per added value at 1M (each value is copied into a bigger segment
   * ~mergeRatio + 1 times per level, and re-bucketed when it joins one with finer buckets, in 12
   * slots); this leaves room to catch up after bursts.
   */
  workPerUpdate: number
  /** Merge work owed before a single add or remove does any (a flush always does): fewer, larger steps. */
  stepUnits: number
  /**
   * Most milliseconds one call spends on merge work; what is left stays owed for later calls. It
   * bounds the pause of a large addMany, whatever the units' real cost on the machine.
   */
  maxWorkMs: number
  /** A full rebuild (compaction) runs once removed values exceed this share of live ones... */
  compactRatio: number
  /** ...and this many, so small indexes do not rebuild on every few removals. */
  compactMin: number
  /** 'auto': per segment, probe or scan, whichever the cost model says is cheaper; 'mih': always probe for d <= 63. */
  planner: Planner
  /** Largest segment in the narrow slot layout (see pdqSlots.ts); tests lower it to exercise both layouts on small sets. */
  narrowMax: number
}

export const defaultPdqIndexOptions: Readonly<PdqIndexOptions> = Object.freeze({
  tailLimit: 4096,
  mergeRatio: 4,
  workPerUpdate: 8000,
  stepUnits: 2_000_000,
  maxWorkMs: 60,
  compactRatio: 0.25,
  compactMin: 10_000,
  planner: 'auto',
  narrowMax: NARROW_MAX
})

export interface PdqMatch {
  /** A copy of the stored value. */
  value: Uint8Array
  distance: number
}

export interface PdqMultiMatch extends PdqMatch {
  /** Index in `queries` of the (first) query at the minimum distance. */
  query: number
}

export interface PdqIndexStats {
  size: number
  segments: number
  mergesRunning: number
  tail: number
  removedNotCompacted: number
  flushes: number
  mergesDone: number
  rebuilds: number
}

/** Bulk path threshold: an addMany this large (and at least the index's size) rebuilds instead of adding one by one. */
const BULK_MIN = 50_000

/**
 * Bucket size above which an exact lookup looks for a less crowded slot than slot 0: so that values
 * crafted to share slot 0 cannot make has/add slow.
 */
const EXACT_BUCKET_CROWDED = 32

/**
 * Merge work between two looks at the clock: nominally 0.2 ms, and under ~20 ms even where the
 * units underestimate most (first touches of fresh 16 MiB tables, ~10x).
 */
const WORK_SLICE = 200_000

/** Merge work owed is capped here (a few seconds' worth): beyond it an update backlog is simply worked off at maxWorkMs a call. */
const MAX_OWED = 5e9

/** Partitions of the bulk dedupe: 2^8 keeps each partition's table of a 10M load at ~1 MiB, about L2. */
const DEDUPE_PARTITION_BITS = 8

/** Queries per searchMany: the 8 dihedral variants of an image, with room; bounds a call's memory at this × limit. */
export const MAX_QUERIES = 64

export class PdqIndex {
  private readonly options: PdqIndexOptions
  private values = new PdqValues()
  private segments: Segment[] = []
  private jobs: MergeJob[] = []
  private tailLo = 0
  private tailDead = 0
  private readonly tail: TailSet
  private readonly seed: number
  private readonly searcher = new Searcher()
  private readonly pool = new TablePool()
  private groupCache: SearchGroup[] | undefined
  private credit = 0
  /** Round-robin position over running merges. */
  private nextJob = 0
  /** performance.now() when the current add/addMany/remove began: its merge work stops maxWorkMs after. */
  private callStarted = 0
  private readonly key = new Int32Array(PDQ_WORDS)
  private readonly counters = { flushes: 0, mergesDone: 0, rebuilds: 0 }

  constructor (options: Partial<PdqIndexOptions> = {}) {
    this.options = checkOptions({ ...defaultPdqIndexOptions, ...options })
    this.seed = randomBytes(4).readInt32LE()
    this.tail = new TailSet(this.options.tailLimit, this.seed)
  }

  /** An index holding `values` (duplicates once), built in one pass: what a node does at start. */
  static build (values: Iterable<Uint8Array>, options: Partial<PdqIndexOptions> = {}): PdqIndex {
    const index = new PdqIndex(options)
    const staged = index.stage(values)
    if (staged > 0) index.bulkAdd(staged)
    return index
  }

  /** Number of distinct values held. */
  get size (): number {
    return this.values.live
  }

  has (value: Uint8Array): boolean {
    loadWords(requirePdqValue(value), this.key, 0)
    return this.findId(this.key, 0) >= 0
  }

  /** Adds `value`; true if it was not there (adding a value already held changes nothing). */
  add (value: Uint8Array): boolean {
    loadWords(requirePdqValue(value), this.key, 0)
    this.callStarted = performance.now()
    if (this.findId(this.key, 0) >= 0) return false
    this.values.stage(this.values.count, value)
    this.append(this.values.commitStaged(this.values.count))
    this.afterUpdate()
    return true
  }

  /**
   * Adds every value (validated first: one bad value adds none) and returns how many were new. A
   * batch of at least max(50,000, size) values is loaded in bulk (deduplicated, then one rebuild);
   * a smaller one (an ingested batch) is checked against the index in one batched pass, appended,
   * and pays its merge work as it goes, for at most maxWorkMs.
   */
  addMany (values: Iterable<Uint8Array>): number {
    this.callStarted = performance.now()
    const start = this.values.count
    const staged = this.stage(values)
    if (staged === 0) return 0
    if (staged >= Math.max(BULK_MIN, this.size)) return this.bulkAdd(staged)
    // The batch may do the merge work it pays for, and a step of any backlog.
    let allowance = staged * this.options.workPerUpdate + this.options.stepUnits
    const skip = this.knownOrRepeated(start, staged)
    let added = 0
    for (let i = 0; i < staged; i++) {
      if (skip[i] === 1) continue
      this.append(this.values.commitStaged(start + i))
      added++
      if (this.values.count - this.tailLo >= this.options.tailLimit) {
        this.flush()
        allowance -= this.spendCredit(allowance)
      }
    }
    this.afterUpdate(allowance)
    return added
  }

  /** Removes `value`; true if it was there. */
  remove (value: Uint8Array): boolean {
    loadWords(requirePdqValue(value), this.key, 0)
    this.callStarted = performance.now()
    const id = this.findId(this.key, 0)
    if (id < 0) return false
    this.values.kill(id)
    if (id >= this.tailLo) {
      this.tailDead++
    } else {
      const segment = this.segmentOf(id)
      if (segment !== undefined) segment.live--
    }
    this.credit += this.options.workPerUpdate
    this.afterUpdate()
    return true
  }

  /**
   * Every held value within `maxDistance` (0..256) of `query`, nearest first, ties by value bytes
   * ascending; when more than `limit` match, the `limit` first of that order. Exact: no value within
   * the distance is missed.
   */
  search (query: Uint8Array, maxDistance: number, limit: number): PdqMatch[] {
    loadWords(requirePdqValue(query), this.key, 0)
    requireDistance(maxDistance)
    requireLimit(limit)
    const top = new TopK(limit, this.values.words)
    this.searcher.search(this.values, this.groups(), this.tailLo, this.key, 0, maxDistance, top, this.options.planner)
    return top.sorted().map(({ id, distance }) => ({ value: wordsToBytes(this.values.words, id * PDQ_WORDS), distance }))
  }

  /**
   * Like `search` for several queries at once (the 8 dihedral variants of an image): each held
   * value at most once, with its smallest distance to any query and the first query at that
   * distance; the `limit` nearest of those, in the same order as `search`.
   */
  searchMany (queries: readonly Uint8Array[], maxDistance: number, limit: number): PdqMultiMatch[] {
    if (!Array.isArray(queries) || queries.length < 1 || queries.length > MAX_QUERIES) {
      throw new IndexError('BAD_QUERY_COUNT', `searchMany takes 1 to ${MAX_QUERIES} queries`)
    }
    const words = new Int32Array(queries.length * PDQ_WORDS)
    queries.forEach((q: Uint8Array, i) => { loadWords(requirePdqValue(q), words, i * PDQ_WORDS) })
    requireDistance(maxDistance)
    requireLimit(limit)
    const best = new Map<number, { distance: number, query: number }>()
    const groups = this.groups()
    for (let i = 0; i < queries.length; i++) {
      // The overall `limit` nearest are each among the `limit` nearest of the query that achieves
      // their distance: any value ranked ahead of one in that query's list ranks ahead of it overall.
      const top = new TopK(limit, this.values.words)
      this.searcher.search(this.values, groups, this.tailLo, words, i * PDQ_WORDS, maxDistance, top, this.options.planner)
      for (const { id, distance } of top.sorted()) {
        const seen = best.get(id)
        if (seen === undefined || distance < seen.distance) best.set(id, { distance, query: i })
      }
    }
    const all = new TopK(limit, this.values.words)
    for (const [id, { distance }] of best) all.offer(id, distance, maxDistance)
    return all.sorted().map(({ id, distance }) => ({ value: wordsToBytes(this.values.words, id * PDQ_WORDS), distance, query: best.get(id)!.query }))
  }

  /**
   * What one `search` at `maxDistance` would cost by the planner's cost model, in its units (about
   * nanoseconds on the machine it was tuned on): O(segments), so callers can price a request first.
   */
  searchCost (maxDistance: number): number {
    requireDistance(maxDistance)
    return searchCost(this.groups(), this.values.count - this.tailLo, maxDistance, this.options.planner)
  }

  /** Bytes of the typed arrays the index holds (values, tombstones, bucket tables, ids, scratch). */
  memoryBytes (): number {
    return this.values.byteLength() + this.tail.byteLength() + this.searcher.byteLength() + this.pool.byteLength() +
      this.segments.reduce((n, s) => n + s.byteLength(), 0) + this.jobs.reduce((n, j) => n + j.byteLength(), 0)
  }

  stats (): PdqIndexStats {
    return {
      size: this.size,
      segments: this.segments.length,
      mergesRunning: this.jobs.length,
      tail: this.values.count - this.tailLo,
      removedNotCompacted: this.values.deadCount,
      ...this.counters
    }
  }

  /** Writes `values` past the held ones, validating each, and returns how many; nothing is held until committed. */
  private stage (values: Iterable<Uint8Array>): number {
    const start = this.values.count
    const hint = (values as { length?: unknown }).length ?? (values as { size?: unknown }).size
    if (typeof hint === 'number' && Number.isSafeInteger(hint) && hint > 0) this.values.reserve(start + Math.min(hint, MAX_VALUES - start))
    let staged = 0
    for (const value of values) this.values.stage(start + staged++, requirePdqValue(value))
    return staged
  }

  /** Makes the just-committed id `id` part of the tail. */
  private append (id: number): void {
    this.tail.insert(this.values, id)
    this.credit += this.options.workPerUpdate
  }

  /** The live id holding the value at `query[at..]`, or -1. */
  private findId (query: Int32Array, at: number): number {
    const fromTail = this.tail.find(this.values, query, at)
    if (fromTail >= 0) return fromTail
    const { words, dead } = this.values
    for (const group of this.groups()) {
      let slot = 0
      if (bucketTotal(group, 0, query, at) > EXACT_BUCKET_CROWDED) {
        let least = Infinity
        for (let s = 0; s < group.layout.count; s++) {
          const n = bucketTotal(group, s, query, at)
          if (n < least) { least = n; slot = s }
        }
      }
      const start = group.layout.start[slot]!
      for (const run of group.runs[slot]!) {
        if (run.ids.length === 0) continue
        const k = slotKey(query, at, start, run.bits)
        for (let j = run.offsets[k]!; j < run.offsets[k + 1]!; j++) {
          const id = run.ids[j]!
          if (equalAt(words, id * PDQ_WORDS, query, at) && ((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) return id
        }
      }
    }
    return -1
  }

  /**
   * For the `count` values staged from id `start`: 1 where the value is already held, or repeats an
   * earlier one of the batch. The lookups go a group at a time and in phases (every value's bucket
   * bounds, then the buckets' ids and words), so that their cache misses overlap: a 10,000-value
   * batch costs a few milliseconds rather than one miss chain per value and group.
   */
  private knownOrRepeated (start: number, count: number): Uint8Array {
    const { words, dead } = this.values
    const skip = new Uint8Array(count)
    // Repeats within the batch: an open-addressing table of batch positions.
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * count)))
    const table = new Int32Array(size)
    for (let i = 0; i < count; i++) {
      const at = (start + i) * PDQ_WORDS
      for (let slot = hashAt(words, at, this.seed) & (size - 1); ; slot = (slot + 1) & (size - 1)) {
        const other = table[slot]! - 1
        if (other < 0) { table[slot] = i + 1; break }
        if (equalAt(words, (start + other) * PDQ_WORDS, words, at)) { skip[i] = 1; break }
      }
    }
    for (let i = 0; i < count; i++) if (skip[i] === 0 && this.tail.find(this.values, words, (start + i) * PDQ_WORDS) >= 0) skip[i] = 1
    const lo = new Int32Array(count)
    const hi = new Int32Array(count)
    for (const group of this.groups()) {
      const first = group.layout.start[0]!
      for (const run of group.runs[0]!) {
        if (run.ids.length === 0) continue
        const { offsets, ids, bits } = run
        for (let i = 0; i < count; i++) {
          const k = slotKey(words, (start + i) * PDQ_WORDS, first, bits)
          lo[i] = offsets[k]!
          hi[i] = offsets[k + 1]!
        }
        for (let i = 0; i < count; i++) {
          if (skip[i] === 1) continue
          const at = (start + i) * PDQ_WORDS
          if (hi[i]! - lo[i]! > EXACT_BUCKET_CROWDED) {
            if (this.findId(words, at) >= 0) skip[i] = 1
            continue
          }
          for (let j = lo[i]!; j < hi[i]!; j++) {
            const id = ids[j]!
            if (equalAt(words, id * PDQ_WORDS, words, at) && ((dead[id >>> 5]! >>> (id & 31)) & 1) === 0) { skip[i] = 1; break }
          }
        }
      }
    }
    return skip
  }

  private segmentOf (id: number): Segment | undefined {
    const { segments } = this
    let lo = 0
    let hi = segments.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (segments[mid]!.hi <= id) lo = mid + 1
      else hi = mid
    }
    const found = segments[lo]
    return found !== undefined && found.lo <= id ? found : undefined
  }

  private groups (): SearchGroup[] {
    if (this.groupCache !== undefined) return this.groupCache
    const groups: SearchGroup[] = []
    for (const segment of this.segments) {
      const job = segment.job
      if (job === undefined || !job.inPlace) {
        groups.push({ lo: segment.lo, hi: segment.hi, layout: segment.layout, runs: segment.runs.map(r => [r]) })
      } else if (segment === job.inputs[0]) {
        groups.push({ lo: job.lo, hi: job.hi, layout: job.layout, runs: Array.from({ length: job.layout.count }, (_, s) => job.runsFor(s)) })
      }
    }
    this.groupCache = groups
    return groups
  }

  /**
   * Does merge work for up to `maxMs`, owed or not, and returns whether merges remain. Updates pay
   * for merges as they go; a caller with idle time (the event loop between batches) can call this
   * to get ahead, so that bursts of ingest pay less.
   */
  maintain (maxMs: number = this.options.maxWorkMs): boolean {
    const deadline = performance.now() + maxMs
    while (this.jobs.length > 0 && performance.now() < deadline) this.work(WORK_SLICE)
    this.credit = 0
    return this.jobs.length > 0
  }

  /**
   * After every update: flushes a full tail, rebuilds when too much is removed, and does merge
   * work: once stepUnits are owed (or at a flush), the work this call may do (`allowance`).
   */
  private afterUpdate (allowance = this.options.stepUnits): void {
    const { compactRatio, compactMin, stepUnits } = this.options
    if (this.values.count - this.tailLo >= this.options.tailLimit) {
      this.flush()
      this.spendCredit(allowance)
    } else if (this.credit >= stepUnits) {
      this.spendCredit(allowance)
    }
    if (this.values.deadCount >= Math.max(compactMin, compactRatio * this.values.live)) this.rebuild()
  }

  /**
   * Merge work for the credit updates have earned: at most `allowance` units, and until maxWorkMs
   * after the call began; what is left stays owed (up to MAX_OWED) for later calls and `maintain`.
   * Returns the units done. Nothing is owed while no merge is running.
   */
  private spendCredit (allowance: number): number {
    const deadline = this.callStarted + this.options.maxWorkMs
    let done = 0
    while (done < allowance && this.credit > 0 && this.jobs.length > 0 && performance.now() < deadline) {
      done += this.work(Math.min(allowance - done, this.credit, WORK_SLICE))
    }
    this.credit = this.jobs.length === 0 ? 0 : Math.min(this.credit - done, MAX_OWED)
    return done
  }

  /** Indexes the tail as a new segment, and starts a merge if the policy asks for one. */
  private flush (): void {
    const lo = this.tailLo
    const hi = this.values.count
    const live = hi - lo - this.tailDead
    this.tail.clear()
    this.tailLo = hi
    this.tailDead = 0
    if (live > 0) this.segments.push(buildSegment(this.values, lo, hi, live, this.options.narrowMax))
    this.counters.flushes++
    this.groupCache = undefined
    this.startMerges()
  }

  private startMerges (): void {
    const before = this.segments.length
    this.segments = this.segments.filter(s => s.live > 0 || s.job !== undefined)
    if (this.segments.length !== before) this.groupCache = undefined
    const pick = pickMerge(this.segments, this.options.mergeRatio, this.options.narrowMax)
    if (pick === undefined) return
    this.jobs.push(new MergeJob(this.values, this.segments.slice(pick.from, pick.to), this.pool, pick.layout))
    this.groupCache = undefined
  }

  /**
   * Advances merges for about `budget` units; returns the units done. Running merges take turns a
   * slice at a time: small ones finish within a few turns, and a large one still progresses while a
   * stream of small ones comes and goes (newest-first would starve it whenever work falls behind).
   */
  private work (budget: number): number {
    let used = 0
    while (used < budget && this.jobs.length > 0) {
      const job = this.jobs[this.nextJob++ % this.jobs.length]!
      const slotsBefore = job.out.length
      used += job.step(Math.min(budget - used, WORK_SLICE))
      if (job.out.length !== slotsBefore) this.groupCache = undefined
      if (job.done) this.finishMerge(job)
    }
    return used
  }

  private finishMerge (job: MergeJob): void {
    const at = this.segments.indexOf(job.inputs[0]!)
    this.segments.splice(at, job.inputs.length, job.result())
    this.jobs.splice(this.jobs.indexOf(job), 1)
    this.counters.mergesDone++
    this.groupCache = undefined
    this.startMerges()
  }

  /** Full rebuild: drops removed values, renumbers, and indexes everything as one segment. */
  private rebuild (): void {
    this.pool.clear()
    for (const segment of this.segments) segment.job = undefined
    this.segments = []
    this.jobs = []
    this.groupCache = undefined
    this.values.compact()
    this.tail.clear()
    const n = this.values.count
    if (n > 0) this.segments.push(buildSegment(this.values, 0, n, n, this.options.narrowMax, new BuildScratch()))
    this.tailLo = n
    this.tailDead = 0
    this.credit = 0
    this.counters.rebuilds++
  }

  /**
   * The bulk path of addMany: `staged` values written after the held ones. Marks the new values
   * that repeat a held or an earlier new one as removed, then rebuilds. Duplicates are found by
   * hash: ids are first partitioned on the top bits of their hash, so that each partition's
   * open-addressing table of (hash, id) pairs fits in cache (one table over 10M values would be a
   * cache miss per value); words are compared only when two 32-bit hashes agree.
   */
  private bulkAdd (staged: number): number {
    const values = this.values
    const before = values.count
    const total = before + staged
    values.count = total
    const { words } = values
    const parts = 1 << DEDUPE_PARTITION_BITS
    const shift = 32 - DEDUPE_PARTITION_BITS
    const start = new Int32Array(parts + 1)
    for (let id = 0; id < total; id++) start[(hashAt(words, id * PDQ_WORDS, this.seed) >>> shift) + 1]!++
    let largest = 0
    for (let p = 0; p < parts; p++) {
      largest = Math.max(largest, start[p + 1]!)
      start[p + 1]! += start[p]!
    }
    const cursor = start.slice(0, parts)
    const ids = new Int32Array(total)
    const hashes = new Int32Array(total)
    for (let id = 0; id < total; id++) {
      const hash = hashAt(words, id * PDQ_WORDS, this.seed)
      const at = cursor[hash >>> shift]!++
      ids[at] = id
      hashes[at] = hash
    }
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, 2 * largest)))
    const mask = size - 1
    const table = new Int32Array(2 * size)
    let duplicates = 0
    for (let p = 0; p < parts; p++) {
      table.fill(0)
      for (let i = start[p]!; i < start[p + 1]!; i++) {
        const id = ids[i]!
        if (id < before && values.isDead(id)) continue
        const hash = hashes[i]!
        for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
          const other = table[2 * slot + 1]! - 1
          if (other < 0) {
            table[2 * slot] = hash
            table[2 * slot + 1] = id + 1
            break
          }
          // Ids come in ascending order, held ones first, and held values are already distinct.
          if (id >= before && table[2 * slot] === hash && equalAt(words, other * PDQ_WORDS, words, id * PDQ_WORDS)) {
            values.kill(id)
            duplicates++
            break
          }
        }
      }
    }
    this.rebuild()
    return staged - duplicates
  }
}

/** Sum over a group's runs for `slot` of the bucket the value at `query[at..]` falls in. */
function bucketTotal (group: SearchGroup, slot: number, query: Int32Array, at: number): number {
  let n = 0
  const start = group.layout.start[slot]!
  for (const run of group.runs[slot]!) {
    if (run.ids.length === 0) continue
    const k = slotKey(query, at, start, run.bits)
    n += run.offsets[k + 1]! - run.offsets[k]!
  }
  return n
}

function requireDistance (distance: number): void {
  if (!Number.isInteger(distance) || distance < 0 || distance > PDQ_BITS) {
    throw new IndexError('BAD_DISTANCE', `distance must be an integer from 0 to ${PDQ_BITS}`)
  }
}

function requireLimit (limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new IndexError('BAD_LIMIT', 'limit must be a whole number of at least 1')
}

function checkOptions (options: PdqIndexOptions): PdqIndexOptions {
  const whole = (name: keyof PdqIndexOptions, min: number, max: number): void => {
    const v = options[name]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new IndexError('BAD_OPTION', `option ${name} must be a whole number from ${min} to ${max}`)
    }
  }
  whole('tailLimit', 1, 1 << 20)
  whole('mergeRatio', 1, 64)
  whole('workPerUpdate', 0, 1e9)
  whole('stepUnits', 1, 1e12)
  whole('maxWorkMs', 1, 60_000)
  whole('narrowMax', 0, MAX_VALUES)
  whole('compactMin', 1, 2 ** 31)
  if (typeof options.compactRatio !== 'number' || !(options.compactRatio > 0 && options.compactRatio <= 16)) {
    throw new IndexError('BAD_OPTION', 'option compactRatio must be a number in (0, 16]')
  }
  if (options.planner !== 'auto' && options.planner !== 'mih') throw new IndexError('BAD_OPTION', "option planner must be 'auto' or 'mih'")
  return options
}
