/** The latest instant a Date can hold; a record may name any time up to 2^53-1 ms. */
const MAX_DATE_MS = 8.64e15

/** ISO-8601 for people; a validity "until forever" (past year 275,760) shows as the latest Date. */
export function isoTime (ms: number): string {
  return new Date(Math.min(ms, MAX_DATE_MS)).toISOString()
}
