import { HashmeshError } from '../../errors.js'

export type SyncErrorCode =
  /** A frame that is not valid protobuf, or whose length prefix is not a valid length. */
  | 'MALFORMED'
  /** A frame longer than its protocol allows. */
  | 'OVERSIZED'
  | 'BAD_PUBLISHER'
  | 'BAD_SEQ'
  | 'BAD_COUNT'
  | 'BAD_HEAD_ID'
  | 'TOO_MANY_HEADS'
  | 'DUPLICATE_HEAD'
  /** A forum request's digest that is neither empty nor 32 bytes. */
  | 'BAD_DIGEST'
  /** A range response with more batches than were asked for, or a forum response with more than MAX_FORUM_RECORDS. */
  | 'TOO_MANY_FRAMES'
  /** The peer made requests faster than SERVE_RATE_PER_SECOND allows. */
  | 'RATE_LIMITED'
  /** MAX_CONCURRENT_SERVES requests were already being served. */
  | 'BUSY'
  | 'TIMEOUT'
  /** The service stopped while the request was in flight. */
  | 'STOPPED'
  | 'NOT_STARTED'
  /** A caller of this node's own API passed something out of range. */
  | 'INVALID_ARGUMENT'

export class SyncError extends HashmeshError<SyncErrorCode> {}

/**
 * The one place a failure becomes a metric label and log field: our own codes, timeouts, and the
 * bounded set of libp2p error class names (stream reset, unsupported protocol, dial failures).
 */
export function syncErrorCode (err: unknown): string {
  if (err instanceof SyncError) return err.code
  if (err instanceof Error) return err.name === 'TimeoutError' ? 'TIMEOUT' : err.name
  return 'UNKNOWN'
}
