import { HashmeshError } from '../errors.js'

/** Refusals made by the HTTP layer itself, before the node sees the request. */
export type ApiErrorCode =
  | 'UNAUTHORIZED'
  | 'INVALID_REQUEST'
  /** A JSON body nested deeper than MAX_JSON_DEPTH, refused before it is parsed. */
  | 'TOO_DEEP'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'URL_TOO_LONG'
  | 'BAD_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'EXPECTATION_FAILED'
  | 'SHUTTING_DOWN'

export class ApiError extends HashmeshError<ApiErrorCode> {}

/** The body of every error response. */
export interface ErrorBody {
  /** `reason`: the finer cause under a broad code, e.g. why a publish is NOT_ADMITTED (CREDENTIAL_REVOKED…). */
  error: { code: string, message: string, reason?: string }
}
