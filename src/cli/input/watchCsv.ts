import { Readable, pipeline } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import { parseSignalValue } from '../../signals/hex.js'
import { SignalError } from '../../signals/registry.js'
import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../../store/contentId.js'
import { MAX_WATCH_ITEMS_PER_REQUEST, WATCH_HASH_TYPES, type WatchHashType, type WatchItemInput } from '../../watch/watchInput.js'
import { InputError } from './inputError.js'
import { MAX_INPUT_LINE_CHARS } from './limits.js'

const COLUMNS = ['content_id', 'type', 'value'] as const

/** One checked row of a watch CSV. */
export interface WatchRow { contentId: string, type: WatchHashType, value: string }

/** The header must name exactly the three columns, in any order. */
export function watchCsvColumns (record: readonly string[], source: string, line: number): number[] {
  const names = record.map(c => c.trim().toLowerCase())
  const at = COLUMNS.map(c => names.indexOf(c))
  if (names.length !== COLUMNS.length || at.includes(-1)) {
    throw new InputError(source, line, `the header must be ${COLUMNS.join(',')}`)
  }
  return at
}

/** One data row checked: a printable content id, a known hash type, a value of its hex length (lowercased). */
export function parseWatchRow (record: readonly string[], columns: readonly number[], source: string, line: number): WatchRow {
  if (record.length !== COLUMNS.length) throw new InputError(source, line, `expected ${COLUMNS.length} columns (${COLUMNS.join(',')}), got ${record.length}`)
  const [contentId, type, value] = columns.map(i => record[i]!) as [string, string, string]
  if (!CONTENT_ID_PATTERN.test(contentId)) throw new InputError(source, line, `content_id must be 1-${MAX_CONTENT_ID_CHARS} printable characters`)
  const lower = type.toLowerCase()
  if (!(WATCH_HASH_TYPES as readonly string[]).includes(lower)) throw new InputError(source, line, `type must be one of ${WATCH_HASH_TYPES.join(', ')}`)
  try {
    parseSignalValue(lower, value)
  } catch (err) {
    if (err instanceof SignalError) throw new InputError(source, line, err.message)
    throw err
  }
  return { contentId, type: lower as WatchHashType, value: value.toLowerCase() }
}

/**
 * Gathers rows into items, and items into requests of at most MAX_WATCH_ITEMS_PER_REQUEST. The rows
 * of one content id are merged while its item is pending; a second value of one type for one id is
 * refused, naming the line, and so is a row of an id already sent, which would replace the item with
 * only its later hashes (an id's rows must be adjacent once the file passes one request).
 */
export class WatchItemChunker {
  private readonly pending = new Map<string, WatchItemInput>()
  /** Ids in chunks already handed out: one string each, bounded by the file the user gave. */
  private readonly sent = new Set<string>()
  private readonly limit: number

  constructor (limit = MAX_WATCH_ITEMS_PER_REQUEST) {
    this.limit = limit
  }

  /** A full chunk once this row's id would be one too many; the row goes into the next. */
  add (row: WatchRow, source: string, line: number): WatchItemInput[] | undefined {
    let item = this.pending.get(row.contentId)
    let full: WatchItemInput[] | undefined
    if (item === undefined) {
      if (this.sent.has(row.contentId)) {
        throw new InputError(source, line, 'content_id was already sent with its earlier rows; put the rows of one content id together')
      }
      if (this.pending.size >= this.limit) full = this.flush()
      item = { id: row.contentId, hashes: {} }
      this.pending.set(row.contentId, item)
    }
    const had = item.hashes[row.type]
    if (had !== undefined && had !== row.value) throw new InputError(source, line, `content_id has a second ${row.type} value; an item holds one of each type`)
    item.hashes[row.type] = row.value
    return full
  }

  /** What is pending, as a chunk (empty when nothing is). */
  flush (): WatchItemInput[] {
    const items = [...this.pending.values()]
    for (const item of items) this.sent.add(item.id)
    this.pending.clear()
    return items
  }
}

interface CsvRecord { record: string[], info: { lines: number } }

/** What the reader yields: a request's worth of items, or a refused line (reading goes on past it). */
export type WatchCsvOutput = { items: WatchItemInput[] } | { refused: InputError }

/** Streams a watch CSV (header content_id,type,value) as requests of items, and every bad line. */
export async function * watchCsvChunks (source: AsyncIterable<Buffer | string>, sourceName: string, limit?: number): AsyncGenerator<WatchCsvOutput> {
  const parser = pipeline(
    Readable.from(source),
    parse({ bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: true, max_record_size: MAX_INPUT_LINE_CHARS }),
    () => {}
  )
  const chunker = new WatchItemChunker(limit)
  let columns: number[] | undefined
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      if (columns === undefined) {
        columns = watchCsvColumns(record, sourceName, info.lines)
        continue
      }
      let full: WatchItemInput[] | undefined
      try {
        full = chunker.add(parseWatchRow(record, columns, sourceName, info.lines), sourceName, info.lines)
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        yield { refused: err }
      }
      if (full !== undefined) yield { items: full }
    }
  } catch (err) {
    if (err instanceof CsvError) throw new InputError(sourceName, (err as CsvError & { lines?: number }).lines ?? 0, err.message, { cause: err })
    throw err
  }
  if (columns === undefined) throw new InputError(sourceName, 1, `empty: expected a header line ${COLUMNS.join(',')}`)
  const rest = chunker.flush()
  if (rest.length > 0) yield { items: rest }
}
