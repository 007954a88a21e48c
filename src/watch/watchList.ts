import type { HashJudge } from '../lookup/hashJudge.js'
import type { LookupIndexes } from '../lookup/lookupIndexes.js'
import { toHex } from '../signals/hex.js'
import { requireSignalType, signalTypeByCode } from '../signals/registry.js'
import type { AllowlistChange, AllowlistObserver } from '../store/allowlist.js'
import type { StoreOp } from '../store/hashStore.js'
import type { TypedValue } from '../store/keys.js'
import { type WatchMatchedHash, watchHashRange } from '../store/watchRecords.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import type { WatchOptions } from './options.js'
import type { Hit, RetroactiveMatcher } from './retroactiveMatcher.js'
import { WatchError } from './watchError.js'
import { MAX_WATCHED_NEAR, hashKey } from './watchIndexes.js'
import type { WatchItem } from './watchInput.js'
import type { Touched, Transition, TransitionContext, WatchMatcher, Watcher } from './watchMatcher.js'

const PDQ = requireSignalType('pdq')

/** Items one page of GET /v1/watch holds at most. */
export const MAX_WATCH_PAGE = 1000

/** A watched item as the faces show it (to the administrator only). */
export interface WatchedItemView {
  id: string
  hashes: Record<string, string>
  addedAt: string
  /** Listed stored hashes that match it now. */
  matched: Array<{ type: string, value: string, distance: number, matchId: string }>
}

export interface WatchAddResult {
  /** Items new to the list. */
  added: number
  /** Items whose id was listed already: their hashes are replaced. */
  replaced: number
  /** Items that match a listed hash already (a `match` event was emitted for each). */
  matched: number
}

export interface WatchPage { count: number, items: WatchedItemView[], next?: string }

export interface WatchListComponents {
  matcher: WatchMatcher
  judge: HashJudge
  /** What is listed now: an item registered is matched against it at once. */
  lookupIndexes: LookupIndexes
  /**
   * Runs an edit between two stored batches (BatchIngester.betweenBatches), so that a batch is
   * checked either before an item exists or after it is in the indexes, never half-way.
   */
  betweenBatches?: <T>(fn: () => Promise<T>) => Promise<T>
  /** What finds a stored batch's watched hits: used again when a publisher becomes visible. */
  observer: RetroactiveMatcher
  now?: () => number
}

/**
 * The platform's watch list: content it hosts, by its own ids, with their hashes. Local to this
 * node: never gossiped, never served to peers, never logged (not even counts per hash). Every edit is
 * one atomic write of the items, their reverse keys, their match state, and the match events of an
 * item registered while a listing already matches it.
 */
export class WatchList {
  private readonly c: Required<WatchListComponents>
  private readonly options: WatchOptions
  private pendingAllowlist: Transition | undefined
  /** A reconcile asked for while one runs: one more runs after it, however many were asked. */
  private reconciling: Promise<void> | undefined
  private reconcileAgain = false

  constructor (components: WatchListComponents, options: WatchOptions) {
    this.c = { betweenBatches: async fn => await fn(), now: Date.now, ...components }
    this.options = options
  }

  get size (): number {
    return this.c.matcher.indexes.size
  }

  /** Adds the items, or replaces the hashes of those whose id is listed already. */
  async add (items: readonly WatchItem[]): Promise<WatchAddResult> {
    const { matcher } = this.c
    const { store, indexes } = matcher
    return await this.c.betweenBatches(async () => {
      let result: WatchAddResult = { added: 0, replaced: 0, matched: 0 }
      let transition: Transition | undefined
      const lost: TypedValue[] = []
      await store.writeAtomically(async () => {
        const olds = await store.repositories.watchItem.getMany(items.map(i => i.contentId))
        const added = olds.filter(o => o === undefined).length
        if (indexes.size + added > this.options.maxItems) {
          const why = `the watch list holds ${indexes.size} of at most ${this.options.maxItems} items (watch.maxItems); remove some first`
          throw new WatchError('WATCH_FULL', why)
        }
        const ops = this.itemOps(items, olds.map(o => o?.hashes ?? []), lost)
        const rebuild = new Set(items.map(i => i.contentId))
        transition = await matcher.transition(await this.touchedBy(items), this.context({ rebuild, matchCause: 'listed' }))
        result = { added, replaced: items.length - added, matched: (await this.matchedAmong(transition)).length }
        return [...ops, ...transition.ops]
      })
      indexes.size += result.added
      for (const item of items) for (const h of item.hashes) indexes.addWatched(h)
      await this.dropUnwatchedPdqs(lost)
      if (transition !== undefined) await matcher.written(transition)
      return result
    })
  }

  /** False when no item has the id (nothing is written then). */
  async remove (contentId: string): Promise<boolean> {
    const { matcher } = this.c
    const { store, indexes } = matcher
    return await this.c.betweenBatches(async () => {
      let hashes: TypedValue[] | undefined
      await store.writeAtomically(async () => {
        hashes = (await store.repositories.watchItem.get(contentId))?.hashes
        if (hashes === undefined) return []
        const r = store.repositories
        return [r.watchItem.delOp(contentId), r.watchMatch.delOp(contentId), ...hashes.map(h => r.watchHash.delOp({ ...h, contentId }))]
      })
      if (hashes === undefined) return false
      indexes.size--
      await matcher.written({ ops: [], changed: [contentId], events: 0 })
      await this.dropUnwatchedPdqs(hashes)
      return true
    })
  }

  async get (contentId: string): Promise<WatchedItemView | undefined> {
    const r = this.c.matcher.store.repositories
    const item = await r.watchItem.get(contentId)
    if (item === undefined) return undefined
    return itemView(contentId, item, (await r.watchMatch.get(contentId))?.matched ?? [])
  }

  /** Items in content-id order (UTF-8 bytes), `limit` after the id `after`. */
  async list (options: { after?: string, limit?: number } = {}): Promise<WatchPage> {
    const limit = options.limit ?? 100
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WATCH_PAGE) throw new WatchError('BAD_PAGE', `limit must be 1-${MAX_WATCH_PAGE}`)
    const r = this.c.matcher.store.repositories
    const bucket = r.watchItem.range()
    const range = options.after === undefined ? bucket : { gte: Uint8Array.from([...r.watchItem.encodeKey(options.after), 0]), lt: bucket.lt }
    const rows = await r.watchItem.all({ range, limit: limit + 1 })
    const page = rows.slice(0, limit)
    const states = await r.watchMatch.getMany(page.map(([id]) => id))
    const items = page.map(([id, item], i) => itemView(id, item, states[i]?.matched ?? []))
    return { count: this.size, items, ...(rows.length > limit ? { next: page.at(-1)![0] } : {}) }
  }

  /**
   * Hooked into the allowlist's edit write: an allowlisted stored hash stops matching (`unlisted`,
   * cause allowlisted); one taken off the allowlist may match again (`match`, cause policy).
   */
  allowlistObserver (): AllowlistObserver {
    return {
      opsFor: async change => {
        this.pendingAllowlist = undefined
        const transition = await this.allowlistTransition(change)
        if (transition.changed.length > 0) this.pendingAllowlist = transition
        return transition.ops
      },
      committed: () => {
        const pending = this.pendingAllowlist
        this.pendingAllowlist = undefined
        if (pending !== undefined) this.c.matcher.written(pending).catch(() => undefined)
      }
    }
  }

  /**
   * Re-judges every stored hash that matches a watched item now, under membership and policy as
   * they are: at start (a policy change between runs, a crash between a membership change and its
   * re-judging) and after a forum record arrives (a revocation under `hide`). Returns the items
   * whose state changed.
   */
  async reconcile (): Promise<number> {
    const { matcher } = this.c
    return await this.c.betweenBatches(async () => {
      let transition: Transition | undefined
      await matcher.store.writeAtomically(async () => {
        await matcher.settle()
        const touched: Touched[] = []
        for (const hash of matcher.indexes.matchedHashes()) {
          const rows = await matcher.store.entriesFor(hash.signalTypeCode, hash.value)
          touched.push({ hash, before: rows, after: rows, watchers: new Map() })
        }
        transition = await matcher.transition(touched, this.context({}))
        return transition.ops
      })
      if (transition === undefined) return 0
      await matcher.written(transition)
      return transition.changed.length
    })
  }

  /**
   * A reconcile soon, without waiting: what a membership change asks for. Requests while one runs
   * coalesce into one more; a failure leaves the next start's reconcile to finish the work.
   */
  reconcileSoon (onError: (err: unknown) => void): void {
    if (this.reconciling !== undefined) {
      this.reconcileAgain = true
      return
    }
    this.reconciling = (async () => {
      do {
        this.reconcileAgain = false
        try {
          await this.reconcile()
        } catch (err) {
          onError(err)
        }
      } while (this.reconcileAgain)
      this.reconciling = undefined
    })()
  }

  /**
   * A credential can make a publisher's stored batches count that counted for nothing before: they
   * are read again (one batch at a time) for watched hits, and what matches now is matched.
   * Returns the items whose state changed.
   */
  async rescanPublisher (publisher: Uint8Array): Promise<number> {
    const { matcher, observer } = this.c
    if (matcher.indexes.size === 0) return 0
    const head = await matcher.store.head(publisher)
    const hits = new Map<string, Hit>()
    for (let seq = 1; seq <= (head?.seq ?? 0); seq++) {
      const signed = await matcher.store.getSignedBatch(publisher, seq)
      if (signed !== undefined) await observer.hitsOf(decodeSignedBatch(signed), hits, false)
    }
    if (hits.size === 0) return 0
    return await this.c.betweenBatches(async () => {
      let transition: Transition | undefined
      await matcher.store.writeAtomically(async () => {
        const touched: Touched[] = []
        for (const { hash, watchers } of hits.values()) {
          const rows = await matcher.store.entriesFor(hash.signalTypeCode, hash.value)
          touched.push({ hash, before: rows, after: rows, watchers })
        }
        transition = await matcher.transition(touched, this.context({ matchCause: 'listed' }))
        return transition.ops
      })
      if (transition === undefined) return 0
      await matcher.written(transition)
      return transition.changed.length
    })
  }

  private async allowlistTransition (change: AllowlistChange): Promise<Transition> {
    const { matcher, judge } = this.c
    const hash = { signalTypeCode: change.signalTypeCode, value: change.value }
    const watchers = change.mark === undefined ? await matcher.watchersOf(hash, this.options.pdqMaxDistance) : new Map<string, Watcher>()
    if (watchers.size === 0 && matcher.indexes.matchedWith(hash).length === 0) return { ops: [], changed: [], events: 0 }
    const k = hashKey(hash)
    const judgeAfter = judge.withAllowlist({
      get: (code, value) => hashKey({ signalTypeCode: code, value }) === k ? change.mark : judge.allowlist.get(code, value)
    })
    const rows = await matcher.store.entriesFor(hash.signalTypeCode, hash.value)
    return await matcher.transition([{ hash, before: rows, after: rows, watchers }],
      this.context({ judgeAfter, unlistedCause: 'allowlisted', matchCause: 'policy' }))
  }

  private context (over: Partial<TransitionContext>): TransitionContext {
    return { judgeBefore: this.c.judge, judgeAfter: this.c.judge, nowMs: this.c.now(), ...over }
  }

  /** The items' records and reverse keys; a replaced item's hashes it no longer holds are collected in `lost`. */
  private itemOps (items: readonly WatchItem[], oldHashes: ReadonlyArray<readonly TypedValue[]>, lost: TypedValue[]): StoreOp[] {
    const r = this.c.matcher.store.repositories
    const addedAtMs = this.c.now()
    const ops: StoreOp[] = []
    items.forEach((item, i) => {
      const kept = new Set(item.hashes.map(hashKey))
      for (const old of oldHashes[i]!) {
        if (kept.has(hashKey(old))) continue
        ops.push(r.watchHash.delOp({ ...old, contentId: item.contentId }))
        lost.push(old)
      }
      ops.push(r.watchItem.putOp(item.contentId, { hashes: item.hashes, addedAtMs }))
      for (const h of item.hashes) ops.push(r.watchHash.putOp({ ...h, contentId: item.contentId }, true))
    })
    return ops
  }

  /** The listed stored hashes the items could match now: their exact hashes if held, stored PDQs near theirs. */
  private async touchedBy (items: readonly WatchItem[]): Promise<Touched[]> {
    const { lookupIndexes, matcher } = this.c
    const byHash = new Map<string, { hash: TypedValue, watchers: Map<string, Watcher> }>()
    const watch = (hash: TypedValue, contentId: string, watcher: Watcher): void => {
      const k = hashKey(hash)
      let t = byHash.get(k)
      if (t === undefined) byHash.set(k, t = { hash, watchers: new Map() })
      const seen = t.watchers.get(contentId)
      if (seen === undefined || watcher.distance < seen.distance) t.watchers.set(contentId, watcher)
    }
    for (const item of items) {
      for (const h of item.hashes) {
        if (h.signalTypeCode !== PDQ.code) {
          if (lookupIndexes.exact.has(h.signalTypeCode, h.value)) watch(h, item.contentId, { watched: h, distance: 0 })
          continue
        }
        if (lookupIndexes.pdq.size === 0) continue
        for (const near of lookupIndexes.pdq.search(h.value, this.options.pdqMaxDistance, MAX_WATCHED_NEAR)) {
          watch({ signalTypeCode: PDQ.code, value: near.value }, item.contentId, { watched: h, distance: near.distance })
        }
      }
    }
    const touched: Touched[] = []
    for (const { hash, watchers } of byHash.values()) {
      const rows = await matcher.store.entriesFor(hash.signalTypeCode, hash.value)
      touched.push({ hash, before: rows, after: rows, watchers })
    }
    return touched
  }

  /** Items of a transition that match something after it (read back from its own writes). */
  private async matchedAmong (transition: Transition): Promise<string[]> {
    const r = this.c.matcher.store.repositories.watchMatch
    const matchKeys = new Set(transition.ops.filter(o => o.type === 'put' && o.key[0] === r.bucket).map(o => toHex(o.key)))
    return transition.changed.filter(id => matchKeys.has(toHex(r.encodeKey(id))))
  }

  /** A PDQ no item holds any more leaves the near-match index; the exact set keeps its values (see WatchIndexes). */
  private async dropUnwatchedPdqs (hashes: readonly TypedValue[]): Promise<void> {
    const { matcher } = this.c
    for (const h of hashes) {
      if (h.signalTypeCode !== PDQ.code) continue
      if (await matcher.store.repositories.watchHash.isEmpty({ range: watchHashRange(h) })) matcher.indexes.removeWatchedPdq(h.value)
    }
  }
}

function itemView (id: string, item: { hashes: TypedValue[], addedAtMs: number }, matched: readonly WatchMatchedHash[]): WatchedItemView {
  const name = (h: TypedValue): string => signalTypeByCode(h.signalTypeCode)?.name ?? String(h.signalTypeCode)
  return {
    id,
    hashes: Object.fromEntries(item.hashes.map(h => [name(h), toHex(h.value)])),
    addedAt: new Date(item.addedAtMs).toISOString(),
    matched: matched.map(m => ({ type: name(m), value: toHex(m.value), distance: m.distance, matchId: m.matchId }))
  }
}
