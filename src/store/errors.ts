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
  /** A repository was asked for keys outside its bucket: a bug in the caller, refused before reading. */
  | 'BAD_RANGE'
  /** Upgrading the store's layout stopped; the store is left at a version a later open resumes from. */
  | 'MIGRATION_FAILED'

export class StoreError extends HashmeshError<StoreErrorCode> {}
