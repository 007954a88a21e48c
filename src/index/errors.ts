import { HashmeshError } from '../errors.js'

export type IndexErrorCode =
  /** A signal type's table reached MAX_SLOTS; adding more would need more memory than a node should hold. */
  | 'INDEX_FULL'
  /** A PDQ value that is not a Uint8Array of exactly 32 bytes. */
  | 'BAD_PDQ_VALUE'
  /** A search distance that is not an integer in 0..256. */
  | 'BAD_DISTANCE'
  /** A result limit that is not a safe integer of at least 1. */
  | 'BAD_LIMIT'
  /** A searchMany call with no queries, or more than the bound allows. */
  | 'BAD_QUERY_COUNT'
  /** A PdqIndex option out of its range. */
  | 'BAD_OPTION'

export class IndexError extends HashmeshError<IndexErrorCode> {}
