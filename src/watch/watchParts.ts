import type { EventRecorder } from '../events/eventRecorder.js'
import type { HashJudge } from '../lookup/hashJudge.js'
import type { LookupIndexes } from '../lookup/lookupIndexes.js'
import type { MatchRecorder } from '../matches/matchRecord.js'
import type { HashStore } from '../store/hashStore.js'
import type { WatchMetrics } from './metrics.js'
import type { WatchOptions } from './options.js'
import { RetroactiveMatcher } from './retroactiveMatcher.js'
import { WatchIndexes } from './watchIndexes.js'
import { WatchList } from './watchList.js'
import { WatchMatcher } from './watchMatcher.js'

export interface WatchPartsComponents {
  store: HashStore
  /** The same judgement lookups use (membership, allowlist, policy). */
  judge: HashJudge
  lookupIndexes: LookupIndexes
  events?: EventRecorder
  matches?: MatchRecorder
  metrics?: (indexes: WatchIndexes) => WatchMetrics
  /** BatchIngester.betweenBatches; the ingester is built after the observer it takes, hence a function. */
  betweenBatches?: <T>(fn: () => Promise<T>) => Promise<T>
  now?: () => number
}

/** The watch list's parts over one store: the observer goes to the BatchIngester, the list to the faces. */
export interface WatchParts {
  indexes: WatchIndexes
  matcher: WatchMatcher
  observer: RetroactiveMatcher
  list: WatchList
}

/** Loads the watch indexes from the store and builds the parts that share them. */
export async function loadWatchParts (c: WatchPartsComponents, options: WatchOptions): Promise<WatchParts> {
  const indexes = await WatchIndexes.load(c.store)
  const metrics = c.metrics?.(indexes)
  const matcher = new WatchMatcher({
    store: c.store,
    indexes,
    ...(c.events === undefined ? {} : { events: c.events }),
    ...(c.matches === undefined ? {} : { matches: c.matches }),
    ...(metrics === undefined ? {} : { metrics })
  })
  const now = c.now ?? Date.now
  const observer = new RetroactiveMatcher(matcher, c.judge, { pdqMaxDistance: options.pdqMaxDistance, now })
  const list = new WatchList({
    matcher, observer, judge: c.judge, lookupIndexes: c.lookupIndexes, now, ...(c.betweenBatches === undefined ? {} : { betweenBatches: c.betweenBatches })
  }, options)
  return { indexes, matcher, observer, list }
}
