import { HashmeshError } from '../errors.js'
import { parseHexBytes } from '../signals/hex.js'
import { PUBLIC_KEY_BYTES } from '../wire/limits.js'

/**
 * The text queries of the audit reports (export, transparency), checked once here for the HTTP
 * routes and the CLI alike. Times are instants: since is inclusive and until exclusive, so
 * consecutive ranges (since 2024-01-01 until 2024-02-01, then since 2024-02-01) never count an
 * entry twice.
 */

export type AuditQueryErrorCode =
  /** Not YYYY-MM-DD or an ISO-8601 date-time with a zone, or not a real date. */
  | 'BAD_DATE'
  /** until is not after since. */
  | 'BAD_RANGE'
  | 'BAD_PERIOD'
  | 'BAD_PUBLISHER_KEY'
  /** An expected audit head that is not 64 hex characters. */
  | 'BAD_AUDIT_HEAD'

export class AuditQueryError extends HashmeshError<AuditQueryErrorCode> {}

/**
 * A zone is required on a date-time: a report that means different instants on different machines
 * would not recompute the same. A bare date is midnight UTC.
 */
export const AUDIT_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

/** SHA-256. */
const AUDIT_HASH_BYTES = 32

export type Period = 'day' | 'month'
export const PERIODS: readonly Period[] = ['day', 'month']

export interface ExportQuery {
  /** YYYY-MM-DD or ISO-8601 with a zone: entries created at or after (default: from the first). */
  since?: string
  /** Entries created before. */
  until?: string
  /** 64 hex characters: one publisher's entries only. */
  publisher?: string
}

export interface ExportFilter {
  sinceMs?: number
  untilMs?: number
  publisher?: Uint8Array
}

export interface TransparencyQuery {
  since?: string
  until?: string
  /** Default 'month'. */
  period?: Period
}

export interface TransparencyFilter {
  sinceMs?: number
  untilMs?: number
  period: Period
}

export function parseAuditDate (text: string, field: string): number {
  const m = AUDIT_DATE_PATTERN.exec(text)
  const ms = m === null ? NaN : Date.parse(text)
  // Date.parse rolls 2024-02-30 over into March; a date that does not come back the same is not real.
  const real = m !== null && Number.isFinite(ms) &&
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === text.slice(0, 10)
  if (!real) {
    throw new AuditQueryError('BAD_DATE',
      `${field} must be YYYY-MM-DD or an ISO-8601 date-time with a zone (Z or ±hh:mm), got ${JSON.stringify(text.slice(0, 40))}`)
  }
  return ms
}

function range (since: string | undefined, until: string | undefined): { sinceMs?: number, untilMs?: number } {
  const sinceMs = since === undefined ? undefined : parseAuditDate(since, 'since')
  const untilMs = until === undefined ? undefined : parseAuditDate(until, 'until')
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) throw new AuditQueryError('BAD_RANGE', 'until must be after since')
  return { ...(sinceMs === undefined ? {} : { sinceMs }), ...(untilMs === undefined ? {} : { untilMs }) }
}

export function parseExportQuery (q: ExportQuery): ExportFilter {
  // An auditor's first export is of everything; a range narrows it.
  const filter: ExportFilter = range(q.since, q.until)
  if (q.publisher !== undefined) {
    const publisher = parseHexBytes(q.publisher, PUBLIC_KEY_BYTES)
    if (publisher === undefined) throw new AuditQueryError('BAD_PUBLISHER_KEY', `publisher must be ${PUBLIC_KEY_BYTES * 2} hex characters`)
    filter.publisher = publisher
  }
  return filter
}

export function parseTransparencyQuery (q: TransparencyQuery): TransparencyFilter {
  const period = q.period ?? 'month'
  if (!PERIODS.includes(period)) throw new AuditQueryError('BAD_PERIOD', `period must be one of ${PERIODS.join(', ')}`)
  return { ...range(q.since, q.until), period }
}

export interface VerifyQuery {
  /** An audit head hash recorded earlier (64 hex): it must still be in the log. */
  expectHead?: string
}

export function parseExpectHead (text: string): Uint8Array {
  const hash = parseHexBytes(text, AUDIT_HASH_BYTES)
  if (hash === undefined) throw new AuditQueryError('BAD_AUDIT_HEAD', `an audit head is ${AUDIT_HASH_BYTES * 2} hex characters`)
  return hash
}

/** Whether a created-at falls in [since, until). */
export function inRange (createdAtMs: number, f: { sinceMs?: number, untilMs?: number }): boolean {
  return (f.sinceMs === undefined || createdAtMs >= f.sinceMs) && (f.untilMs === undefined || createdAtMs < f.untilMs)
}
