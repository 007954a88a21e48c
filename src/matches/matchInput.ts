import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../store/contentId.js'
import { MAX_ACTOR_CHARS, MAX_APPEAL_NOTE_CHARS } from '../store/matchRecords.js'
import { REASON_PATTERN } from '../wire/limits.js'
import { MatchLogError } from './matchError.js'
import { MATCH_ACTIONS, type MatchAction } from './matchRecord.js'

/**
 * The checks every face applies to what a client says about a match: the HTTP schemas use the
 * patterns, the CLI checks before it calls, and the match log checks again before it writes.
 */

/**
 * Printable text in any script: no control, format (bidi overrides) or line-separator characters,
 * which would let a content id rewrite the lines around it in a terminal, a log or a CSV export.
 */
export const ACTOR_PATTERN = new RegExp(`^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]{1,${MAX_ACTOR_CHARS}}$`, 'u')
export const APPEAL_NOTE_PATTERN = new RegExp(`^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]{1,${MAX_APPEAL_NOTE_CHARS}}$`, 'u')
export { REASON_PATTERN as APPEAL_REASON_PATTERN }
export { CONTENT_ID_PATTERN }

/**
 * Match times the platform reports (`at` of an action) may run ahead of this node's clock by this
 * much: two machines' clocks, not a date in the future.
 */
export const ACTION_CLOCK_SKEW_MS = 5 * 60 * 1000

/** ISO-8601 with a date, a time and a zone: what Date.toISOString writes, with or without milliseconds. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

export function checkContentId (contentId: unknown): string {
  if (typeof contentId !== 'string' || !CONTENT_ID_PATTERN.test(contentId)) {
    throw new MatchLogError('BAD_CONTENT_ID', `contentId must be 1-${MAX_CONTENT_ID_CHARS} printable characters`)
  }
  return contentId
}

export function checkActor (actor: unknown): string {
  if (typeof actor !== 'string' || !ACTOR_PATTERN.test(actor)) throw new MatchLogError('BAD_ACTOR', `actor must be 1-${MAX_ACTOR_CHARS} printable characters`)
  return actor
}

export function checkAction (action: unknown): MatchAction {
  if (typeof action !== 'string' || !(MATCH_ACTIONS as readonly string[]).includes(action)) {
    throw new MatchLogError('BAD_ACTION', `action must be one of ${MATCH_ACTIONS.join(', ')}`)
  }
  return action as MatchAction
}

/** An ISO-8601 instant as milliseconds; BAD_TIME names the field. */
export function parseInstant (text: unknown, field: string): number {
  const ms = typeof text === 'string' && ISO_INSTANT.test(text) ? Date.parse(text) : Number.NaN
  if (!Number.isFinite(ms) || ms < 0) {
    throw new MatchLogError('BAD_TIME', `${field} must be an ISO-8601 time with a zone, e.g. 2026-01-31T12:00:00Z`)
  }
  return ms
}

/** When an action was taken: not before the match, not ahead of this node's clock beyond skew. */
export function checkActionTime (atMs: number, matchAtMs: number, nowMs: number): number {
  if (atMs > nowMs + ACTION_CLOCK_SKEW_MS) throw new MatchLogError('BAD_TIME', 'at lies in the future')
  if (atMs < matchAtMs) throw new MatchLogError('BAD_TIME', 'at lies before the match it acts on')
  return atMs
}

export function checkAppealReason (reason: unknown): string {
  if (typeof reason !== 'string' || !REASON_PATTERN.test(reason)) {
    throw new MatchLogError('BAD_APPEAL', 'reason must be a code of 1-32 of a-z 0-9 _ . - starting with a letter or digit, e.g. not_violating')
  }
  return reason
}

export function checkAppealNote (note: unknown): string {
  if (typeof note !== 'string' || !APPEAL_NOTE_PATTERN.test(note)) {
    throw new MatchLogError('BAD_APPEAL', `note must be 1-${MAX_APPEAL_NOTE_CHARS} printable characters`)
  }
  return note
}
