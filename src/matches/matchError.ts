import { HashmeshError } from '../errors.js'

export type MatchLogErrorCode =
  /** A content id is empty, longer than 256 characters, or holds control characters. */
  | 'BAD_CONTENT_ID'
  /** Not one of removed, restricted, kept, escalated, reported. */
  | 'BAD_ACTION'
  /** The actor is empty, longer than 128 characters, or holds control characters. */
  | 'BAD_ACTOR'
  /** A time is not ISO-8601, lies in the future beyond clock skew, or before the match. */
  | 'BAD_TIME'
  /** since/until/status/label/limit/after of a listing are malformed or out of range. */
  | 'BAD_QUERY'
  /** No match record has this id. */
  | 'NO_SUCH_MATCH'
  /** An appeal names a content id this node recorded no match for. */
  | 'NO_MATCH_FOR_CONTENT'
  /** The record holds MAX_ACTIONS_PER_RECORD actions already. */
  | 'TOO_MANY_ACTIONS'
  /** The appeal's reason is not a reason code (wire REASON_PATTERN), or its note is not 1-512 printable characters. */
  | 'BAD_APPEAL'
  /** The content's latest match already carries the other outcome: an appeal is decided once. */
  | 'APPEAL_DECIDED'
  /** A matched-hash input to the log is malformed (the caller's bug, not the client's). */
  | 'BAD_MATCH_INPUT'

export class MatchLogError extends HashmeshError<MatchLogErrorCode> {}
