import type { ExportRow } from './exporter.js'

/** How an export is written: CSV for spreadsheets, JSON Lines for programs. */
export type ExportFormat = 'csv' | 'jsonl'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl']

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8'
}

/** The CSV columns, in order; each is an ExportRow field. */
export const EXPORT_COLUMNS = [
  'createdAt', 'receivedAt', 'publisher', 'organisation', 'standing', 'seq', 'batchId', 'position', 'type', 'value', 'action', 'labels', 'reason'
] as const satisfies ReadonlyArray<keyof ExportRow>

/** Text handed on per write: large enough to amortise the write, small enough to stream. */
const FLUSH_CHARS = 64 * 1024

/** RFC 4180 line ends. */
const CRLF = '\r\n'

/**
 * Spreadsheets run a cell that starts with = + - @ (or TAB, CR) as a formula, and labels, reasons
 * and organisation names come from other members: such a cell gets a leading ', which makes it
 * text. A cell that already starts with ' gets one too, so removing one leading ' from any cell that
 * has one always gives the value back. JSON Lines carries values unchanged.
 */
const FORMULA_START = /^['=+\-@\t\r]/

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function csvField (text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

function csvText (row: ExportRow, column: typeof EXPORT_COLUMNS[number]): string {
  const v = row[column]
  // Labels never hold ';' or ',' (wire LABEL_PATTERN), so joining them with ';' can be split back.
  if (Array.isArray(v)) return v.join(';')
  return v === null ? '' : String(v)
}

export function csvHeader (): string {
  return EXPORT_COLUMNS.join(',') + CRLF
}

export function csvLine (row: ExportRow): string {
  return EXPORT_COLUMNS.map(c => csvField(csvText(row, c))).join(',') + CRLF
}

export function jsonLine (row: ExportRow): string {
  return JSON.stringify(row) + '\n'
}

/** The rows as text in `format`, in pieces of about FLUSH_CHARS; CSV starts with its header. */
export async function * formatExport (rows: AsyncIterable<ExportRow>, format: ExportFormat): AsyncGenerator<string> {
  const line = format === 'csv' ? csvLine : jsonLine
  let pending = format === 'csv' ? csvHeader() : ''
  for await (const row of rows) {
    pending += line(row)
    if (pending.length >= FLUSH_CHARS) {
      yield pending
      pending = ''
    }
  }
  if (pending !== '') yield pending
}
