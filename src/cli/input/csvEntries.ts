import { Readable, pipeline } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import { type EntryRow, checkRow } from './entryRow.js'
import { InputError } from './inputError.js'
import { MAX_INPUT_LINE_CHARS } from './limits.js'

const REQUIRED_COLUMNS = ['type', 'value'] as const
const KNOWN_COLUMNS = new Set(['type', 'value', 'labels', 'action', 'reason'])

/** Labels are ';'-separated in one column; stray spaces and empty items (a trailing ';') are dropped. */
export function splitLabels (cell: string): string[] {
  return cell.split(';').map(s => s.trim()).filter(s => s !== '')
}

function headerColumns (record: string[], source: string, line: number): string[] {
  const columns = record.map(c => c.trim().toLowerCase())
  const seen = new Set<string>()
  for (const c of columns) {
    if (!KNOWN_COLUMNS.has(c)) {
      throw new InputError(source, line, `unknown column ${JSON.stringify(c)}; the header is type,value,labels with optional action and reason columns`)
    }
    if (seen.has(c)) throw new InputError(source, line, `column ${JSON.stringify(c)} appears twice`)
    seen.add(c)
  }
  for (const c of REQUIRED_COLUMNS) {
    if (!seen.has(c)) throw new InputError(source, line, `header has no ${c} column; the header is type,value,labels with optional action and reason columns`)
  }
  return columns
}

function rowOf (columns: readonly string[], record: readonly string[]): { type: string, value: string, labels?: string[], action?: string, reason?: string } {
  const cell = (name: string): string | undefined => {
    const i = columns.indexOf(name)
    return i === -1 ? undefined : record[i]
  }
  // An empty cell is an absent field: a file mixing adds and opinions leaves the other's columns blank.
  const optional = (name: string): string | undefined => {
    const c = cell(name)
    return c === undefined || c === '' ? undefined : c
  }
  const labels = cell('labels')
  return {
    type: cell('type') ?? '',
    value: cell('value') ?? '',
    labels: labels === undefined ? undefined : splitLabels(labels),
    action: optional('action'),
    reason: optional('reason')
  }
}

interface CsvRecord { record: string[], info: { lines: number } }

/** CSV with a header row (type,value,labels[,action][,reason]); every row must have the header's columns. */
export async function * csvEntries (source: AsyncIterable<Buffer | string>, sourceName: string): AsyncGenerator<EntryRow> {
  const parser = pipeline(
    Readable.from(source),
    parse({ bom: true, trim: true, skip_empty_lines: true, info: true, max_record_size: MAX_INPUT_LINE_CHARS }),
    // Errors surface through the iteration below.
    () => {}
  )
  let columns: string[] | undefined
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      if (columns === undefined) columns = headerColumns(record, sourceName, info.lines)
      else yield checkRow(rowOf(columns, record), sourceName, info.lines)
    }
  } catch (err) {
    if (err instanceof CsvError) throw new InputError(sourceName, (err as CsvError & { lines?: number }).lines ?? 0, err.message, { cause: err })
    throw err
  }
  if (columns === undefined) throw new InputError(sourceName, 1, 'empty: expected a header line type,value,labels')
}
