import { HashmeshError } from '../errors.js'

export type IndexErrorCode =
  /** A signal type's table reached MAX_SLOTS; adding more would need more memory than a node should hold. */
  | 'INDEX_FULL'

export class IndexError extends HashmeshError<IndexErrorCode> {}
