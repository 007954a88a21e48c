import { HashmeshError } from '../errors.js'

export type StoreErrorCode =
  /** A record or key that does not decode or breaks an invariant: the store is damaged. */
  | 'CORRUPT_RECORD'
  /** The store was written with a layout version this code does not know. */
  | 'SCHEMA_MISMATCH'
  /** A different batch is already stored at the same publisher and seq. */
  | 'SEQ_CONFLICT'

export class StoreError extends HashmeshError<StoreErrorCode> {}
