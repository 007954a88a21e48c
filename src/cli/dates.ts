import { CliError } from './errors.js'

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
/** A time needs its zone: a credential's validity must not depend on the clock settings of the machine that signs it. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/

/** Date.parse rolls 2024-02-30 over into March; a calendar day that does not exist is a typo. */
function isCalendarDay (y: string, m: string, d: string): boolean {
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  return day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(m) - 1 && day.getUTCDate() === Number(d)
}

/** YYYY-MM-DD (midnight UTC) or an ISO-8601 date and time with its zone, as Unix milliseconds. */
export function parseDate (text: string, flag: string): number {
  const day = DAY.exec(text)
  const parts = day ?? DATE_TIME.exec(text)
  const ms = parts !== null && isCalendarDay(parts[1]!, parts[2]!, parts[3]!) ? Date.parse(day !== null ? `${text}T00:00:00Z` : text) : NaN
  if (!Number.isFinite(ms) || ms < 0) {
    throw new CliError('USAGE',
      `${flag} must be YYYY-MM-DD or an ISO-8601 time with a zone (e.g. 2025-06-30T12:00:00Z), got ${JSON.stringify(text.slice(0, 40))}`)
  }
  return ms
}
