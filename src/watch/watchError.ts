import { HashmeshError } from '../errors.js'

export type WatchErrorCode =
  /** A content id is empty, longer than 256 characters, or has control characters. */
  | 'BAD_CONTENT_ID'
  /** An item names no hash, or a hash type this node does not know. */
  | 'BAD_WATCH_HASHES'
  /** More items in one request than MAX_WATCH_ITEMS_PER_REQUEST, or none. */
  | 'TOO_MANY_ITEMS'
  /** One request names the same content id twice. */
  | 'DUPLICATE_CONTENT_ID'
  /** The watch list holds watch.maxItems items already; remove some first. */
  | 'WATCH_FULL'
  /** No watched item has this content id. */
  | 'NO_SUCH_ITEM'
  /** A page cursor or limit out of range. */
  | 'BAD_PAGE'

export class WatchError extends HashmeshError<WatchErrorCode> {}
