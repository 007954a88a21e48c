import type { MatchRecord } from './matchRecord.js'

/** How the match log is exported: CSV for a spreadsheet, JSONL (one whole record a line) for a program. */
export const MATCH_EXPORT_FORMATS = ['csv', 'jsonl'] as const
export type MatchExportFormat = typeof MATCH_EXPORT_FORMATS[number]

export const MATCH_EXPORT_CONTENT_TYPES: Readonly<Record<MatchExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8'
}

export const MATCH_CSV_COLUMNS = [
  'id', 'content_id', 'source', 'hash_type', 'hash_value', 'matched_hashes', 'labels', 'listed_at', 'matched_at',
  'listing', 'unlisted_at', 'first_action', 'first_action_at', 'last_action', 'last_action_at', 'actions', 'appeal', 'appeal_reason'
] as const

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return that hides one)
 * as a formula: such a cell gets a leading apostrophe, which spreadsheets show as text. A cell that
 * starts with an apostrophe gets one too, so that a reader strips exactly one and gets the text back.
 */
const FORMULA_START = /^[=+\-@\t\r']/

export function neutralised (text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
export function csvCell (text: string): string {
  const safe = neutralised(text)
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

function csvRow (r: MatchRecord & { unlistedAt?: string }): string {
  const first = r.actions.reduce<MatchRecord['actions'][number] | undefined>((min, a) => min === undefined || a.at < min.at ? a : min, undefined)
  const last = r.actions.at(-1)
  const cells = [
    r.id, r.contentId, r.source, r.hash.type, r.hash.value, r.matched.map(m => m.value).join(';'), r.labels.join(';'), r.listedAt ?? '', r.at,
    r.listing, r.unlistedAt ?? '', first?.action ?? '', first?.at ?? '', last?.action ?? '', last?.at ?? '',
    r.actions.map(a => `${a.action}@${a.at}@${a.actor}`).join(';'), r.appeal?.outcome ?? '', r.appeal?.reason ?? ''
  ]
  return `${cells.map(csvCell).join(',')}\r\n`
}

/** Text pieces of the export, a chunk of records at a time: the caller streams them, nothing is held whole. */
export async function * formatMatchExport (chunks: AsyncIterable<MatchRecord[]>, format: MatchExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield `${MATCH_CSV_COLUMNS.join(',')}\r\n`
  for await (const records of chunks) {
    if (records.length === 0) continue
    yield records.map(r => format === 'csv' ? csvRow(r) : `${JSON.stringify(r)}\n`).join('')
  }
}
