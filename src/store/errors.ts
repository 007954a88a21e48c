import { HashmeshError } from '../errors.js'

export type StoreErrorCode =
  /** A record or key that does not decode or breaks an invariant: the store is damaged. */
  | 'CORRUPT_RECORD'
  /** The store was written with a layout version this code does not know. */
  | 'SCHEMA_MISMATCH'
  /** A different batch is already stored at the same publisher and seq. */
  | 'SEQ_CONFLICT'
  /** The batch's seq is past head+1: its predecessor is not stored yet. */
  | 'NOT_LINKED'
  /** The batch is at head+1 but its prev is not the head's id: the publisher forked its chain. */
  | 'PREV_MISMATCH'

export class StoreError extends HashmeshError<StoreErrorCode> {}
