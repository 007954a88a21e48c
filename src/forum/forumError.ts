import { RefusalError } from '../ingest/validationError.js'

/**
 * Why a forum record was not taken in. Structural faults are WireErrors (their own codes); these are
 * the rest. Each carries the gossip action, as batch validation does: REJECT for what no honest
 * peer relays (a bad signature), IGNORE for what may just not be for this node.
 */
export type ForumErrorCode =
  /** Signed for another network. REJECT. */
  | 'WRONG_NETWORK'
  /** The signer is not one of this node's configured forum roots. IGNORE. */
  | 'UNKNOWN_ROOT'
  /** created_at is further in the future than the allowed clock skew. IGNORE. */
  | 'FUTURE_TIMESTAMP'
  /** This node holds the record already. IGNORE. */
  | 'DUPLICATE'
  /** MAX_FORUM_RECORDS are held. IGNORE. */
  | 'FORUM_FULL'
  /** The root's signature does not verify. REJECT. */
  | 'BAD_SIGNATURE'
  /** The embedded key rotation is not signed by its old key, or is for another network. REJECT. */
  | 'BAD_ROTATION'

export class ForumError extends RefusalError<ForumErrorCode> {}
