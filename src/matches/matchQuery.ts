import { LABEL_PATTERN } from '../wire/limits.js'
import { MATCH_ID_PATTERN, type MatchSummaryRow } from '../store/matchRecords.js'
import { MatchLogError } from './matchError.js'
import { parseInstant } from './matchInput.js'

/**
 * What a listing of the match log may ask for: a time range, a status, a label, and a page. The
 * statuses overlap (an acted record may also be unlisted or appealed); each is a filter, not a state.
 */
export const MATCH_STATUSES = ['open', 'acted', 'overdue', 'unlisted', 'appealed'] as const
export type MatchStatus = typeof MATCH_STATUSES[number]

export const DEFAULT_MATCH_PAGE = 100
export const MAX_MATCH_PAGE = 1000
/**
 * Summary rows one listing reads at most: a selective filter over a large log answers with what
 * it found so far and a cursor, instead of holding the node for a scan of millions.
 */
export const MAX_SCANNED_PER_PAGE = 100_000

/** As the query string carries them. */
export interface MatchListQuery { since?: string, until?: string, status?: string, label?: string, limit?: string, after?: string }

export interface MatchTimeRange { fromMs: number, toMs: number }

export interface MatchFilter extends MatchTimeRange {
  status?: MatchStatus
  label?: string
  limit: number
  /** Exclusive: the `next` of the previous page. */
  after?: string
}

/** The latest instant a match id's 48-bit millisecond holds. */
export const END_OF_IDS_MS = 2 ** 48 - 1

export function parseTimeRange (q: { since?: string, until?: string }): MatchTimeRange {
  const fromMs = q.since === undefined ? 0 : parseInstant(q.since, 'since')
  const toMs = q.until === undefined ? END_OF_IDS_MS : parseInstant(q.until, 'until')
  if (toMs < fromMs) throw new MatchLogError('BAD_QUERY', 'until lies before since')
  return { fromMs, toMs: Math.min(toMs, END_OF_IDS_MS) }
}

export function parseMatchFilter (q: MatchListQuery): MatchFilter {
  const filter: MatchFilter = { ...parseTimeRange(q), limit: DEFAULT_MATCH_PAGE }
  if (q.status !== undefined) {
    if (!(MATCH_STATUSES as readonly string[]).includes(q.status)) throw new MatchLogError('BAD_QUERY', `status must be one of ${MATCH_STATUSES.join(', ')}`)
    filter.status = q.status as MatchStatus
  }
  if (q.label !== undefined) {
    if (!LABEL_PATTERN.test(q.label)) throw new MatchLogError('BAD_QUERY', 'label must be a label as publishers write them')
    filter.label = q.label
  }
  if (q.limit !== undefined) {
    const limit = /^\d{1,5}$/.test(q.limit) ? Number(q.limit) : 0
    if (limit < 1 || limit > MAX_MATCH_PAGE) throw new MatchLogError('BAD_QUERY', `limit must be 1-${MAX_MATCH_PAGE}`)
    filter.limit = limit
  }
  if (q.after !== undefined) {
    if (!MATCH_ID_PATTERN.test(q.after)) throw new MatchLogError('BAD_QUERY', 'after must be a match id (the previous page\'s next)')
    filter.after = q.after
  }
  return filter
}

/** Whether a record, as its summary row says, is open: nothing done about it yet, no appeal either. */
export function isOpen (row: MatchSummaryRow): boolean {
  return row.firstActionAtMs === undefined && row.appeal === 0
}

export function matchesStatus (row: MatchSummaryRow, atMs: number, status: MatchStatus | undefined, deadlineMs: number, nowMs: number): boolean {
  switch (status) {
    case undefined: return true
    case 'open': return isOpen(row)
    case 'acted': return row.firstActionAtMs !== undefined
    case 'overdue': return isOpen(row) && atMs + deadlineMs < nowMs
    case 'unlisted': return row.unlisted
    case 'appealed': return row.appeal !== 0
  }
}
