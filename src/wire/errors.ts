import { HashmeshError } from '../errors.js'

export type WireErrorCode =
  | 'OVERSIZED'
  | 'MALFORMED'
  | 'BAD_SIGNATURE_LENGTH'
  | 'BAD_PUBLISHER'
  | 'BAD_SEQ'
  | 'BAD_PREV'
  | 'BAD_TIMESTAMP'
  | 'BAD_NETWORK'
  | 'NO_ENTRIES'
  | 'TOO_MANY_ENTRIES'
  | 'TOO_MANY_LABELS'
  | 'BAD_LABEL'
  | 'UNKNOWN_SIGNAL_TYPE'
  | 'BAD_VALUE_LENGTH'
  | 'BAD_ACTION'

export class WireError extends HashmeshError<WireErrorCode> {}
