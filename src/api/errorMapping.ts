import { AuditQueryError, type AuditQueryErrorCode } from '../audit/auditQuery.js'
import { HookError, type HookErrorCode } from '../events/hookError.js'
import { ForumError, type ForumErrorCode } from '../forum/forumError.js'
import { AllowlistError, type AllowlistErrorCode } from '../store/allowlist.js'
import { AuditError, type AuditErrorCode } from '../store/auditLog.js'
import { HashingError, type HashingErrorCode } from '../hashing/errors.js'
import { EvidenceError, type EvidenceErrorCode } from '../evidence/evidenceError.js'
import { EquivocationError, type EquivocationErrorCode } from '../ingest/equivocationError.js'
import { LookupError, type LookupErrorCode } from '../lookup/lookupError.js'
import { MatchLogError, type MatchLogErrorCode } from '../matches/matchError.js'
import { PublishError, type PublishErrorCode } from '../node/batchPublisher.js'
import { MatchError, type MatchErrorCode } from '../node/uploadHasher.js'
import { SignalError, type SignalErrorCode } from '../signals/registry.js'
import { WireError, type WireErrorCode } from '../wire/errors.js'
import { WatchError, type WatchErrorCode } from '../watch/watchError.js'
import { ApiError, type ApiErrorCode, type ErrorBody } from './apiError.js'
import { MAX_PARAM_CHARS } from './limits.js'

/**
 * The one place that turns an error into an HTTP status and body. Known codes carry their own
 * message (it describes the caller's input); anything else is a 500 with a generic message, so
 * internals never leak, and the caller logs the real error.
 */

const SIGNAL_STATUS: Readonly<Record<SignalErrorCode, number>> = {
  UNKNOWN_SIGNAL_TYPE: 400,
  BAD_SIGNAL_VALUE: 400
}

const WIRE_STATUS: Readonly<Record<WireErrorCode, number>> = {
  OVERSIZED: 413,
  MALFORMED: 400,
  BAD_SIGNATURE_LENGTH: 400,
  BAD_PUBLISHER: 400,
  BAD_SEQ: 400,
  BAD_PREV: 400,
  BAD_TIMESTAMP: 400,
  BAD_NETWORK: 400,
  NO_ENTRIES: 400,
  TOO_MANY_ENTRIES: 400,
  TOO_MANY_LABELS: 400,
  BAD_LABEL: 400,
  UNKNOWN_SIGNAL_TYPE: 400,
  BAD_VALUE_LENGTH: 400,
  BAD_ACTION: 400,
  BAD_REASON: 400,
  OPINION_WITH_LABELS: 400,
  BAD_SIGNER: 400,
  BAD_RECORD_KIND: 400,
  BAD_MEMBER: 400,
  BAD_ORGANISATION: 400,
  BAD_ROLES: 400,
  BAD_VALIDITY: 400,
  BAD_SERIAL: 400,
  BAD_ROTATION: 400
}

const PUBLISH_STATUS: Readonly<Record<PublishErrorCode, number>> = {
  NO_ENTRIES: 400,
  TOO_MANY_ENTRIES: 400,
  // An administrator must decide on the equivocation before this key can publish again.
  PUBLISHER_FROZEN: 409,
  // The forum has not admitted this node's key for what it tried to publish (or revoked it).
  NOT_ADMITTED: 403,
  // The node refused its own batch: not the caller's fault, but the code and reason help the operator.
  NOT_STORED: 500
}

const EQUIVOCATION_STATUS: Readonly<Record<EquivocationErrorCode, number>> = {
  NO_SUCH_EQUIVOCATION: 404,
  BAD_PUBLISHER_KEY: 400
}

const FORUM_STATUS: Readonly<Record<ForumErrorCode, number>> = {
  WRONG_NETWORK: 400,
  // A record from a root this node's config does not name: the forum is someone else's.
  UNKNOWN_ROOT: 403,
  FUTURE_TIMESTAMP: 400,
  DUPLICATE: 409,
  // Storage for forum records is bounded: an operator must act, not the caller.
  FORUM_FULL: 507,
  BAD_SIGNATURE: 400,
  BAD_ROTATION: 400
}

const ALLOWLIST_STATUS: Readonly<Record<AllowlistErrorCode, number>> = {
  BAD_NOTE: 400,
  BAD_AUTHOR: 400,
  ALLOWLIST_FULL: 409
}

const HOOK_STATUS: Readonly<Record<HookErrorCode, number>> = {
  BAD_URL: 400,
  BAD_EVENTS: 400,
  BAD_SECRET: 400,
  TOO_MANY_HOOKS: 409,
  BAD_HOOK_ID: 400,
  NO_SUCH_HOOK: 404,
  BAD_EVENT_ID: 400,
  NO_SUCH_DEAD_EVENT: 404
}

const WATCH_STATUS: Readonly<Record<WatchErrorCode, number>> = {
  BAD_CONTENT_ID: 400,
  BAD_WATCH_HASHES: 400,
  TOO_MANY_ITEMS: 400,
  DUPLICATE_CONTENT_ID: 400,
  // The list is bounded by config: the caller removes items (or the operator raises watch.maxItems).
  WATCH_FULL: 409,
  NO_SUCH_ITEM: 404,
  BAD_PAGE: 400
}

const AUDIT_QUERY_STATUS: Readonly<Record<AuditQueryErrorCode, number>> = {
  BAD_DATE: 400,
  BAD_RANGE: 400,
  BAD_PERIOD: 400,
  BAD_PUBLISHER_KEY: 400,
  BAD_AUDIT_HEAD: 400
}

/** BAD_LIMIT and BAD_ACTOR come from the caller; the rest are the node's own faults. */
const AUDIT_STATUS: Readonly<Record<AuditErrorCode, number>> = {
  BAD_LIMIT: 400,
  BAD_ACTOR: 400,
  BAD_ACTION: 500,
  BAD_DETAILS: 500,
  DETAILS_TOO_LARGE: 500,
  LOG_DAMAGED: 500
}

const LOOKUP_STATUS: Readonly<Record<LookupErrorCode, number>> = {
  BAD_MAX_DISTANCE: 400,
  NOT_PERCEPTUAL: 400,
  TOO_MANY_VARIANTS: 400,
  TOO_MANY_SCANS: 400,
  TOO_COSTLY: 400
}

const HASHING_STATUS: Readonly<Record<HashingErrorCode, number>> = {
  UNSUPPORTED_IMAGE: 415,
  // Too many pixels: the decoded image, not the upload, is too large.
  IMAGE_TOO_LARGE: 413,
  BAD_IMAGE: 415
}

const EVIDENCE_STATUS: Readonly<Record<EvidenceErrorCode, number>> = {
  BAD_EVIDENCE_QUERY: 400,
  NO_EVIDENCE: 404,
  // The request is fine; what the node holds about it is more than one bundle carries.
  EVIDENCE_TOO_LARGE: 422
}

const MATCH_STATUS: Readonly<Record<MatchErrorCode, number>> = {
  BUSY: 503
}

const MATCH_LOG_STATUS: Readonly<Record<MatchLogErrorCode, number>> = {
  BAD_CONTENT_ID: 400,
  BAD_ACTION: 400,
  BAD_ACTOR: 400,
  BAD_TIME: 400,
  BAD_QUERY: 400,
  NO_SUCH_MATCH: 404,
  NO_MATCH_FOR_CONTENT: 404,
  // The record's history is full: an operator exports it and starts a new one, not a retry.
  TOO_MANY_ACTIONS: 409,
  BAD_APPEAL: 400,
  // Decided the other way already: a second decision is a conflict, not an update.
  APPEAL_DECIDED: 409,
  // A part of the node handed the log a bad record: the node's fault.
  BAD_MATCH_INPUT: 500
}

const API_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  UNAUTHORIZED: 401,
  INVALID_REQUEST: 400,
  TOO_DEEP: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  // A route parameter past MAX_PARAM_CHARS: the router refuses it before any schema sees it.
  URL_TOO_LONG: 414,
  // Not HTTP at all (a bad request line, header or framing): answered on the socket, which is then closed.
  BAD_REQUEST: 400,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  EXPECTATION_FAILED: 417,
  // A request on a kept-alive connection while the server closes: another node, or a retry later, will do.
  SHUTTING_DOWN: 503
}

/** Fastify's own request errors that deserve a specific code; its other 4xx are INVALID_REQUEST. */
const FASTIFY_CODES: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_MAX_PARAM_LENGTH: 'URL_TOO_LONG'
}

/** Fastify's messages for these quote the whole URL: a client could have its junk echoed back at length. */
const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_MAX_PARAM_LENGTH: `a path parameter is longer than ${MAX_PARAM_CHARS} characters`,
  FST_ERR_BAD_URL: 'the URL is not validly percent-encoded'
}

export const INTERNAL_ERROR_CODE = 'INTERNAL'

export interface HttpError {
  status: number
  body: ErrorBody
}

function known (code: string, message: string, status: number, reason?: string): HttpError {
  return { status, body: { error: { code, message, ...(reason === undefined ? {} : { reason }) } } }
}

function fastifyClientError (err: unknown): HttpError | undefined {
  const e = err as { code?: unknown, statusCode?: unknown, message?: unknown }
  if (typeof e?.code !== 'string' || !e.code.startsWith('FST_')) return undefined
  if (typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode > 499) return undefined
  const code = FASTIFY_CODES[e.code] ?? 'INVALID_REQUEST'
  return known(code, FASTIFY_MESSAGES[e.code] ?? String(e.message), code === 'INVALID_REQUEST' ? e.statusCode : API_STATUS[code])
}

export function toHttpError (err: unknown): HttpError {
  if (err instanceof ApiError) return known(err.code, err.message, API_STATUS[err.code])
  if (err instanceof SignalError) return known(err.code, err.message, SIGNAL_STATUS[err.code])
  if (err instanceof WireError) return known(err.code, err.message, WIRE_STATUS[err.code])
  if (err instanceof PublishError) return known(err.code, err.message, PUBLISH_STATUS[err.code], err.reason)
  if (err instanceof EquivocationError) return known(err.code, err.message, EQUIVOCATION_STATUS[err.code])
  if (err instanceof ForumError) return known(err.code, err.message, FORUM_STATUS[err.code])
  if (err instanceof AllowlistError) return known(err.code, err.message, ALLOWLIST_STATUS[err.code])
  if (err instanceof HookError) return known(err.code, err.message, HOOK_STATUS[err.code])
  if (err instanceof WatchError) return known(err.code, err.message, WATCH_STATUS[err.code])
  if (err instanceof AuditQueryError) return known(err.code, err.message, AUDIT_QUERY_STATUS[err.code])
  if (err instanceof AuditError && AUDIT_STATUS[err.code] < 500) return known(err.code, err.message, AUDIT_STATUS[err.code])
  if (err instanceof LookupError) return known(err.code, err.message, LOOKUP_STATUS[err.code])
  if (err instanceof HashingError) return known(err.code, err.message, HASHING_STATUS[err.code])
  if (err instanceof MatchError) return known(err.code, err.message, MATCH_STATUS[err.code])
  if (err instanceof MatchLogError && MATCH_LOG_STATUS[err.code] < 500) return known(err.code, err.message, MATCH_LOG_STATUS[err.code])
  if (err instanceof EvidenceError) return known(err.code, err.message, EVIDENCE_STATUS[err.code])
  return fastifyClientError(err) ?? known(INTERNAL_ERROR_CODE, 'internal error', 500)
}
