import { type EntryRow, type RawRow, checkRow } from './entryRow.js'
import { InputError } from './inputError.js'
import { readLines } from './lines.js'
import { MAX_INPUT_LINE_CHARS } from './limits.js'

const FIELDS = new Set(['type', 'value', 'labels', 'action', 'reason'])

function parseLine (text: string, source: string, line: number): RawRow {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new InputError(source, line, `not valid JSON: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(source, line, 'expected a JSON object')
  const unknown = Object.keys(value).filter(k => !FIELDS.has(k))
  if (unknown.length > 0) throw new InputError(source, line, `unknown field ${JSON.stringify(unknown[0])}; expected type, value, labels, action, reason`)
  return value as RawRow
}

/** One `{ "type", "value", "labels"?, "action"?, "reason"? }` per line; blank lines are skipped. */
export async function * jsonlEntries (source: AsyncIterable<Buffer | string>, sourceName: string): AsyncGenerator<EntryRow> {
  for await (const { line, text } of readLines(source, sourceName, MAX_INPUT_LINE_CHARS)) {
    if (text.trim() === '') continue
    yield checkRow(parseLine(text, sourceName, line), sourceName, line)
  }
}
