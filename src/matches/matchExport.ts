import { csvField } from '../audit/exportFormat.js'
import type { MatchRecord } from './matchRecord.js'

/** How the match log is exported: CSV for a spreadsheet, JSONL (one whole record a line) for a program. */
export const MATCH_EXPORT_FORMATS = ['csv', 'jsonl'] as const
export type MatchExportFormat = typeof MATCH_EXPORT_FORMATS[number]

export const MATCH_EXPORT_CONTENT_TYPES: Readonly<Record<MatchExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/x-ndjson; charset=utf-8'
}

export const MATCH_CSV_COLUMNS = [
  'id', 'content_id', 'source', 'hash_type', 'hash_value', 'matched_hashes', 'labels', 'listed_at', 'matched_at',
  'listing', 'unlisted_at', 'first_action', 'first_action_at', 'last_action', 'last_action_at', 'actions', 'appeal', 'appeal_reason'
] as const

/**
 * One record a line. Cells go through the audit export's csvField: RFC 4180 quoting, and a leading
 * ' on anything a spreadsheet would run as a formula (content ids and actors come from outside).
 * Labels and matched hashes never hold ';' or ',', so joining them with ';' can be split back.
 */
function csvRow (r: MatchRecord & { unlistedAt?: string }): string {
  const first = r.actions.reduce<MatchRecord['actions'][number] | undefined>((min, a) => min === undefined || a.at < min.at ? a : min, undefined)
  const last = r.actions.at(-1)
  const cells = [
    r.id, r.contentId, r.source, r.hash.type, r.hash.value, r.matched.map(m => m.value).join(';'), r.labels.join(';'), r.listedAt ?? '', r.at,
    r.listing, r.unlistedAt ?? '', first?.action ?? '', first?.at ?? '', last?.action ?? '', last?.at ?? '',
    r.actions.map(a => `${a.action}@${a.at}@${a.actor}`).join(';'), r.appeal?.outcome ?? '', r.appeal?.reason ?? ''
  ]
  return `${cells.map(csvField).join(',')}\r\n`
}

/** Text pieces of the export, a chunk of records at a time: the caller streams them, nothing is held whole. */
export async function * formatMatchExport (chunks: AsyncIterable<MatchRecord[]>, format: MatchExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield `${MATCH_CSV_COLUMNS.join(',')}\r\n`
  for await (const records of chunks) {
    if (records.length === 0) continue
    yield records.map(r => format === 'csv' ? csvRow(r) : `${JSON.stringify(r)}\n`).join('')
  }
}
