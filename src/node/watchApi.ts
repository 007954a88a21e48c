import type { WatchAddResult, WatchList, WatchPage, WatchedItemView } from '../watch/watchList.js'
import { type WatchItemInput, checkContentId, parseWatchItems } from '../watch/watchInput.js'

export type { WatchAddResult, WatchPage, WatchedItemView } from '../watch/watchList.js'
export type { WatchItemInput } from '../watch/watchInput.js'

/**
 * What the faces may ask of the node's watch list (all admin-only: it is the platform's own
 * content). Bad input throws WatchError (BAD_CONTENT_ID, BAD_WATCH_HASHES, TOO_MANY_ITEMS,
 * DUPLICATE_CONTENT_ID, WATCH_FULL, BAD_PAGE).
 */
export interface WatchNodeApi {
  /** Adds up to 10,000 items, or replaces the hashes of ids already listed; emits `match` for those already listed. */
  watchAdd: (items: readonly WatchItemInput[]) => Promise<WatchAddResult>
  /** False when no item has the id. */
  watchRemove: (id: string) => Promise<boolean>
  watchGet: (id: string) => Promise<WatchedItemView | undefined>
  /** The item count and one page of items in id order, after the id `after`. */
  watchList: (options?: { after?: string, limit?: number }) => Promise<WatchPage>
}

/** The node's side of WatchNodeApi over its WatchList: every input checked before anything is written. */
export function watchNodeApi (list: WatchList): WatchNodeApi {
  return {
    watchAdd: async items => await list.add(parseWatchItems(items)),
    watchRemove: async id => await list.remove(checkContentId(id)),
    watchGet: async id => await list.get(checkContentId(id)),
    watchList: async (options = {}) => {
      const after = options.after === undefined ? {} : { after: checkContentId(options.after, 'after') }
      return await list.list({ ...options, ...after })
    }
  }
}
