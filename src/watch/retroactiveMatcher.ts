import type { BatchObserver } from '../ingest/batchObserver.js'
import type { HashJudge } from '../lookup/hashJudge.js'
import { requireSignalType } from '../signals/registry.js'
import type { BatchReceipt, EntryRecord, StoreOp } from '../store/hashStore.js'
import { compareHashRows } from '../store/hashRows.js'
import type { TypedValue } from '../store/keys.js'
import { Action, type DecodedBatch } from '../wire/types.js'
import { hashKey } from './watchIndexes.js'
import type { Touched, Transition, WatchMatcher, Watcher } from './watchMatcher.js'

/** Entries that can make a stored hash match where it did not: a listing, a confirmation, a withdrawn opinion. */
const MAY_START_MATCHING: ReadonlySet<Action> = new Set([Action.ADD, Action.CONFIRM, Action.WITHDRAW])

export interface RetroactiveMatcherOptions {
  pdqMaxDistance: number
  now?: () => number
}

const PDQ = requireSignalType('pdq')

/** A stored hash of the batch that the watch list cares about, and the items that could newly match it. */
export interface Hit { hash: TypedValue, watchers: Map<string, Watcher> }

/**
 * Retroactive matching: every batch stored is checked against the watch list, inside the batch's
 * own atomic write (BatchObserver). An entry whose hash no watched item holds, and that no item
 * matches now, costs a hash-set probe (and, for a PDQ that may start matching, a near search of the
 * watched PDQs); only hits read the store: the items that watch the hash, and the hash's rows, which
 * are judged before and after the batch exactly as a lookup judges them.
 */
export class RetroactiveMatcher implements BatchObserver {
  private readonly matcher: WatchMatcher
  private readonly judge: HashJudge
  private readonly options: Required<RetroactiveMatcherOptions>
  private pending: { batchId: Uint8Array, transition: Transition } | undefined

  constructor (matcher: WatchMatcher, judge: HashJudge, options: RetroactiveMatcherOptions) {
    this.matcher = matcher
    this.judge = judge
    this.options = { now: Date.now, ...options }
  }

  async opsFor (batch: DecodedBatch, receipt: BatchReceipt): Promise<StoreOp[]> {
    this.pending = undefined
    const hits = await this.hitsOf(batch)
    if (hits.size === 0) return []
    const touched: Touched[] = []
    for (const [k, rows] of this.rowsOf(batch, receipt, hits)) {
      const { hash, watchers } = hits.get(k)!
      const before = await this.matcher.store.entriesFor(hash.signalTypeCode, hash.value)
      const after = [...before, ...rows].sort(compareHashRows)
      touched.push({ hash, before, after, watchers })
    }
    const transition = await this.matcher.transition(touched, {
      judgeBefore: this.judge,
      judgeAfter: this.judge,
      batch: { id: batch.id, publisher: batch.body.publisher },
      nowMs: this.options.now()
    })
    if (transition.changed.length > 0) this.pending = { batchId: batch.id, transition }
    return transition.ops
  }

  /** The batch is written: memory follows its match state and delivery wakes. */
  stored (batch: DecodedBatch): void {
    const pending = this.pending
    if (pending === undefined || Buffer.compare(pending.batchId, batch.id) !== 0) return
    this.pending = undefined
    // Settling runs in the store's write queue; a failure there leaves the items unsettled, and the next transition settles them first.
    this.matcher.written(pending.transition).catch(() => undefined)
  }

  /**
   * The batch's hashes that a watched item could newly match (cheap checks first: a probe of the
   * watched exact hashes, a near search of the watched PDQs) or, with `matched`, that some item
   * matches now; added to `hits`.
   */
  async hitsOf (batch: DecodedBatch, hits = new Map<string, Hit>(), matched = true): Promise<Map<string, Hit>> {
    const { indexes } = this.matcher
    const anyMatched = matched && indexes.matchedItems > 0
    // No watch list and nothing matched: nothing in any batch can change, so no entry is looked at.
    if (indexes.size === 0 && !anyMatched) return hits
    const nearWatched = this.nearWatched(batch)
    for (const [position, e] of batch.body.entries.entries()) {
      const hash = { signalTypeCode: requireSignalType(e.signalType).code, value: e.value }
      const mayStart = MAY_START_MATCHING.has(e.action)
      const watched = mayStart && (hash.signalTypeCode === PDQ.code ? nearWatched[position] === 1 : indexes.mayWatchExactly(hash.signalTypeCode, hash.value))
      if (!watched && !(anyMatched && indexes.matchedWith(hash).length > 0)) continue
      const k = hashKey(hash)
      const seen = hits.get(k)
      if (seen !== undefined && (seen.watchers.size > 0 || !watched)) continue
      hits.set(k, { hash, watchers: watched ? await this.matcher.watchersOf(hash, this.options.pdqMaxDistance) : new Map<string, Watcher>() })
    }
    return hits
  }

  /**
   * By entry position, 1 where a PDQ entry that may start matching has a watched PDQ near it. One
   * batched search for all of them: searched one by one, they were the whole of the watch list's
   * cost on ingest.
   */
  private nearWatched (batch: DecodedBatch): Uint8Array {
    const { entries } = batch.body
    const positions: number[] = []
    for (const [position, e] of entries.entries()) {
      if (MAY_START_MATCHING.has(e.action) && requireSignalType(e.signalType).code === PDQ.code) positions.push(position)
    }
    const near = this.matcher.indexes.mayWatchNearMany(positions.map(p => entries[p]!.value), this.options.pdqMaxDistance)
    const out = new Uint8Array(entries.length)
    positions.forEach((p, i) => { out[p] = near[i]! })
    return out
  }

  /** The batch's rows of each hit, as index rows of this batch. */
  private rowsOf (batch: DecodedBatch, receipt: BatchReceipt, hits: ReadonlyMap<string, Hit>): Map<string, EntryRecord[]> {
    const { publisher, seq, createdAtMs, entries } = batch.body
    const rows = new Map<string, EntryRecord[]>()
    entries.forEach((e, position) => {
      const k = hashKey({ signalTypeCode: requireSignalType(e.signalType).code, value: e.value })
      if (!hits.has(k)) return
      const row: EntryRecord = {
        publisher, seq, position, batchId: batch.id, action: e.action, labels: e.labels, receivedAtMs: receipt.receivedAtMs, createdAtMs,
        ...(e.reason === undefined ? {} : { reason: e.reason })
      }
      const list = rows.get(k)
      if (list === undefined) rows.set(k, [row])
      else list.push(row)
    })
    return rows
  }
}
