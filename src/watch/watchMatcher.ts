import { type EventRecorder, NO_EVENTS } from '../events/eventRecorder.js'
import { type HashRef, type HashmeshEvent, type MatchEventData, type UnlistedEventData, newEvent } from '../events/hashmeshEvent.js'
import type { HashJudge, VisibleRow } from '../lookup/hashJudge.js'
import type { HashSummary } from '../lookup/lookupResult.js'
import { type MatchRecorder, newMatchId } from '../matches/matchRecord.js'
import { toHex } from '../signals/hex.js'
import { signalTypeByCode } from '../signals/registry.js'
import type { EntryRecord, HashStore, StoreOp } from '../store/hashStore.js'
import type { TypedValue } from '../store/keys.js'
import { isListed } from '../store/listing.js'
import { MAX_MATCHED_PER_ITEM, type WatchMatchedHash, watchHashRange } from '../store/watchRecords.js'
import { Action } from '../wire/types.js'
import { type WatchIndexes, hashKey } from './watchIndexes.js'
import type { WatchMetrics } from './metrics.js'

/**
 * Content ids read for one watched hash. Several items of a platform may share a hash (copies of
 * one file); past this many, the rest are not matched by this change (a bound on one write).
 */
export const MAX_ITEMS_PER_HASH = 10_000

/** A watched item that could newly match a stored hash: its own (watched) hash and how near. */
export interface Watcher { watched: TypedValue, distance: number }

/**
 * One stored hash whose verdict may change, with its rows (as lookups read them, oldest publisher
 * and seq first) before and after the change, and the watched items that could newly match it.
 * Items that match it already are found in memory.
 */
export interface Touched {
  hash: TypedValue
  before: readonly EntryRecord[]
  after: readonly EntryRecord[]
  watchers: ReadonlyMap<string, Watcher>
}

export interface TransitionContext {
  judgeBefore: HashJudge
  judgeAfter: HashJudge
  /** The batch being stored: its own add is the listing a match event names. */
  batch?: { id: Uint8Array, publisher: Uint8Array }
  /** Set when the change itself says why (an allowlist edit); otherwise read from the verdict. */
  matchCause?: MatchEventData['cause']
  unlistedCause?: UnlistedEventData['cause']
  /** A watch-list edit: these items' state is rebuilt from the touched hashes alone, and losing a match is silent (the platform's own doing). */
  rebuild?: ReadonlySet<string>
  nowMs: number
}

export interface Transition {
  ops: StoreOp[]
  /** Items whose match state this change rewrites: memory follows once it is written (WatchMatcher.refresh). */
  changed: string[]
  events: number
}

export interface WatchMatcherComponents {
  store: HashStore
  indexes: WatchIndexes
  /** The node's outbox; without one, events are dropped. */
  events?: EventRecorder
  /** The match log; without one, match ids are still made but no record is written. */
  matches?: MatchRecorder
  metrics?: WatchMetrics
}

interface Judged { touched: Touched, after: HashSummary | undefined, before: HashSummary | undefined }

/**
 * Decides, for stored hashes whose rows or policy change, which watched items start or stop
 * matching, and returns every write that records it: each item's new match state, a match-log
 * record and a `match` event per newly matching stored hash, an `unlisted` event when an item's
 * last matching listing goes away. Runs inside the store's write queue; the caller writes the ops
 * in the same atomic batch as the change, so the events exist exactly when the change does.
 */
export class WatchMatcher {
  readonly store: HashStore
  readonly indexes: WatchIndexes
  readonly events: EventRecorder
  private readonly matches: MatchRecorder | undefined
  private readonly metrics: WatchMetrics | undefined
  /** Items whose state a write may have changed and whose memory has not followed yet. */
  private readonly unsettled = new Set<string>()

  constructor (components: WatchMatcherComponents) {
    this.store = components.store
    this.indexes = components.indexes
    this.events = components.events ?? NO_EVENTS
    this.matches = components.matches
    this.metrics = components.metrics
  }

  /** Content ids of the items that watch exactly this hash (one range read; only ever on a hit). */
  async itemsWatching (watched: TypedValue): Promise<string[]> {
    const repository = this.store.repositories.watchHash
    const rows = await repository.readRange({ range: watchHashRange(watched), limit: MAX_ITEMS_PER_HASH })
    return rows.map(([k]) => repository.decodeKey(k).contentId)
  }

  /** The watchers of a stored hash: items that hold it exactly, or (PDQ) a watched PDQ near it. */
  async watchersOf (hash: TypedValue, pdqMaxDistance: number): Promise<Map<string, Watcher>> {
    const watchers = new Map<string, Watcher>()
    if (this.indexes.mayWatchExactly(hash.signalTypeCode, hash.value)) {
      for (const id of await this.itemsWatching(hash)) watchers.set(id, { watched: hash, distance: 0 })
    } else if (signalTypeByCode(hash.signalTypeCode)?.name === 'pdq') {
      for (const near of this.indexes.near(hash.value, pdqMaxDistance)) {
        const watched = { signalTypeCode: hash.signalTypeCode, value: near.value }
        for (const id of await this.itemsWatching(watched)) {
          const seen = watchers.get(id)
          if (seen === undefined || near.distance < seen.distance) watchers.set(id, { watched, distance: near.distance })
        }
      }
    }
    if (watchers.size > 0) this.metrics?.hits.inc()
    return watchers
  }

  /**
   * Brings memory up to date with what the store holds for items a write may have changed. Must
   * run inside the store's write queue (so no write lands half-way); every transition starts with
   * it, so a write whose follow-up has not run yet is never judged against stale memory.
   */
  async settle (): Promise<void> {
    if (this.unsettled.size === 0) return
    const ids = [...this.unsettled]
    this.unsettled.clear()
    const states = await this.store.repositories.watchMatch.getMany(ids)
    ids.forEach((id, i) => { this.indexes.setMatched(id, states[i]?.matched ?? []) })
  }

  /** After a write that carried a transition: memory follows, in the write queue, and delivery wakes. */
  async written (transition: Transition): Promise<void> {
    if (transition.changed.length === 0) return
    await this.store.writeAtomically(async () => {
      await this.settle()
      return []
    })
    if (transition.events > 0) this.events.committed()
  }

  async transition (touched: readonly Touched[], ctx: TransitionContext): Promise<Transition> {
    await this.settle()
    const judged = touched.map(t => this.judged(t, ctx))
    const candidates = new Set<string>()
    for (const j of judged) {
      const matchesNow = j.after?.match === true
      if (matchesNow) for (const id of j.touched.watchers.keys()) candidates.add(id)
      else for (const id of this.indexes.matchedWith(j.touched.hash)) candidates.add(id)
      if (ctx.rebuild !== undefined) for (const id of this.indexes.matchedWith(j.touched.hash)) if (ctx.rebuild.has(id)) candidates.add(id)
    }
    for (const id of ctx.rebuild ?? []) candidates.add(id)
    if (candidates.size === 0) return { ops: [], changed: [], events: 0 }
    const ids = [...candidates]
    const states = await this.store.repositories.watchMatch.getMany(ids)
    const ops: StoreOp[] = []
    const events: HashmeshEvent[] = []
    const changed: string[] = []
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const step = await this.itemStep(id, states[i]?.matched ?? [], judged, ctx)
      if (step === undefined) continue
      ops.push(...step.ops)
      events.push(...step.events)
      changed.push(id)
    }
    ops.push(...await this.events.opsFor(events))
    for (const id of changed) this.unsettled.add(id)
    return { ops, changed, events: events.length }
  }

  private judged (touched: Touched, ctx: TransitionContext): Judged {
    const { signalTypeCode, value } = touched.hash
    return {
      touched,
      after: ctx.judgeAfter.judge(signalTypeCode, value, touched.after),
      before: ctx.rebuild === undefined ? ctx.judgeBefore.judge(signalTypeCode, value, touched.before) : undefined
    }
  }

  /** One item's new state from the touched hashes, with its writes and events; undefined when it does not change. */
  private async itemStep (
    contentId: string, old: readonly WatchMatchedHash[], judged: readonly Judged[], ctx: TransitionContext
  ): Promise<{ ops: StoreOp[], events: HashmeshEvent[] } | undefined> {
    const verdicts = new Map(judged.map(j => [hashKey(j.touched.hash), j]))
    const rebuild = ctx.rebuild?.has(contentId) === true
    const next: WatchMatchedHash[] = rebuild
      ? []
      : old.filter(m => { const j = verdicts.get(hashKey(m)); return j === undefined || j.after?.match === true })
    const ops: StoreOp[] = []
    const events: HashmeshEvent[] = []
    for (const j of judged) {
      const watcher = j.touched.watchers.get(contentId)
      if (watcher === undefined || j.after?.match !== true || next.length >= MAX_MATCHED_PER_ITEM) continue
      const k = hashKey(j.touched.hash)
      if (next.some(m => hashKey(m) === k)) continue
      const kept = old.find(m => hashKey(m) === k)
      if (kept !== undefined) {
        next.push(kept)
        continue
      }
      const matched = await this.newMatch(contentId, watcher, j, ctx)
      next.push(matched.state)
      ops.push(...matched.ops)
      events.push(matched.event)
    }
    const dropped = old.filter(m => !next.some(n => hashKey(n) === hashKey(m)))
    if (dropped.length === 0 && events.length === 0) return undefined
    for (const m of dropped) ops.push(...await this.matches?.unlistedOps(m.matchId, ctx.nowMs) ?? [])
    const repository = this.store.repositories.watchMatch
    ops.push(next.length === 0 ? repository.delOp(contentId) : repository.putOp(contentId, { matched: next }))
    if (old.length === 0 && next.length > 0) this.metrics?.transitions.inc({ to: 'matched' })
    if (old.length > 0 && next.length === 0 && !rebuild) {
      this.metrics?.transitions.inc({ to: 'unlisted' })
      events.push(this.unlistedEvent(contentId, dropped[0]!, verdicts.get(hashKey(dropped[0]!)), ctx))
    }
    return { ops, events }
  }

  private async newMatch (
    contentId: string, watcher: Watcher, j: Judged, ctx: TransitionContext
  ): Promise<{ state: WatchMatchedHash, ops: StoreOp[], event: HashmeshEvent }> {
    const { hash, after } = j.touched
    // A PDQ summary says how near it is, as a lookup's does.
    const summary: HashSummary = typeName(hash) === 'pdq' ? { ...j.after!, distance: watcher.distance } : j.after!
    const listing = listingOf(ctx.judgeAfter.visibleRows(after), ctx.batch)
    const input = {
      contentId,
      source: 'retroactive' as const,
      hash: hashRef(watcher.watched),
      matched: [summary],
      ...(listing.listedAtMs === undefined ? {} : { listedAtMs: listing.listedAtMs }),
      atMs: ctx.nowMs
    }
    const recorded = this.matches === undefined ? { matchId: newMatchId(ctx.nowMs), ops: [] } : await this.recorded(input)
    const data: MatchEventData = {
      matchId: recorded.matchId,
      contentId,
      hash: hashRef(hash),
      distance: watcher.distance,
      publisher: listing.publisher,
      labels: listing.labels,
      batchId: listing.batchId,
      receivedAt: new Date(listing.receivedAtMs).toISOString(),
      cause: ctx.matchCause ?? matchCause(j.before)
    }
    if (listing.organisation !== undefined) data.organisation = listing.organisation
    return {
      state: { ...hash, distance: watcher.distance, matchId: recorded.matchId },
      ops: recorded.ops,
      event: newEvent('match', data, ctx.nowMs)
    }
  }

  private async recorded (input: Parameters<MatchRecorder['recordOps']>[0]): Promise<{ matchId: string, ops: StoreOp[] }> {
    const { record, ops } = await this.matches!.recordOps(input)
    return { matchId: record.id, ops }
  }

  private unlistedEvent (contentId: string, last: WatchMatchedHash, j: Judged | undefined, ctx: TransitionContext): HashmeshEvent {
    const cause = ctx.unlistedCause ?? unlistedCause(j, ctx)
    return newEvent('unlisted', { matchId: last.matchId, contentId, hash: hashRef(last), cause }, ctx.nowMs)
  }
}

function typeName (h: TypedValue): string {
  return signalTypeByCode(h.signalTypeCode)?.name ?? String(h.signalTypeCode)
}

function hashRef (h: TypedValue): HashRef {
  return { type: typeName(h), value: toHex(h.value) }
}

interface Listing {
  publisher: string
  organisation?: string
  labels: string[]
  batchId: string
  receivedAtMs: number
  /** The earliest current listing's arrival: where time-to-match starts. */
  listedAtMs?: number
}

/**
 * The listing a match event names: the batch's own add when it is one of the current adds, else
 * the earliest current add to reach this node. Labels are those of every current add.
 */
function listingOf (visible: ReadonlyArray<VisibleRow<EntryRecord>>, batch: TransitionContext['batch']): Listing {
  const adds = visible.filter(v => v.current && v.row.action === Action.ADD)
  const earliest = adds.reduce<VisibleRow<EntryRecord> | undefined>((a, v) => a === undefined || v.row.receivedAtMs < a.row.receivedAtMs ? v : a, undefined)
  const own = batch === undefined ? undefined : adds.find(v => Buffer.compare(v.row.batchId, batch.id) === 0)
  const chosen = own ?? earliest
  const labels = [...new Set(adds.flatMap(v => v.row.labels))].sort()
  if (chosen === undefined) return { publisher: '', labels, batchId: '', receivedAtMs: 0 }
  const listing: Listing = {
    publisher: chosen.publisher,
    labels,
    batchId: toHex(chosen.row.batchId),
    receivedAtMs: chosen.row.receivedAtMs,
    listedAtMs: earliest?.row.receivedAtMs ?? chosen.row.receivedAtMs
  }
  if (chosen.standing.organisation !== undefined) listing.organisation = chosen.standing.organisation
  return listing
}

/** Listed but refused before: a policy rule stopped refusing it; listed, then retracted by all, before: relisted. */
function matchCause (before: HashSummary | undefined): MatchEventData['cause'] {
  if (before?.listed === true) return 'policy'
  if (before !== undefined && before.retractedBy.length > 0) return 'relisted'
  return 'listed'
}

/**
 * Why a listing stopped matching, from the verdict after the change: nothing visible adds it but
 * the raw rows still do (membership hides them: a revocation under `hide`), everyone retracted it,
 * or a policy rule now refuses it (allowlist, false-positive threshold, confirmations).
 */
function unlistedCause (j: Judged | undefined, ctx: TransitionContext): UnlistedEventData['cause'] {
  if (j === undefined) return 'policy'
  const after = j.after
  if (after?.listed !== true) return isListed(j.touched.after) ? 'revoked' : 'retracted'
  if (after.allowlisted !== undefined) return 'allowlisted'
  const threshold = ctx.judgeAfter.policy.falsePositiveThreshold
  if (threshold > 0 && after.opinions.falsePositive.count >= threshold) return 'false_positive'
  return 'policy'
}
