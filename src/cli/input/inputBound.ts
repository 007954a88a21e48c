import type { EntryRow } from './entryRow.js'
import { entryWireBytes } from './entrySize.js'
import { InputError } from './inputError.js'

/**
 * How much of a publish input the CLI holds: all of it is checked before the first batch is sent,
 * so all of it is in memory at once. Measured here: 1M sha256 entries with two labels each (an
 * 84 MB CSV) take 390 MB of heap (600 MB RSS) and 17 s to read and check on a busy 2-core
 * machine. Entries with many long labels cost more each; the byte bound caps those.
 */
export interface InputBound {
  maxEntries: number
  /** Sum of the entries' encoded sizes (entryWireBytes): what their strings hold. */
  maxEntryBytes: number
}

export const DEFAULT_MAX_ENTRIES = 1_000_000

/** `--max-entries` above this would hold about 800 MB of heap or more. */
export const MAX_MAX_ENTRIES = 2_000_000

/**
 * 256 full batches. Entries of 16 long labels each take about 1.8 bytes of heap per encoded byte
 * (measured: 50k of them, 53 MB encoded, 96 MB heap), so this holds at most about 480 MB.
 */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024

export const DEFAULT_INPUT_BOUND: InputBound = Object.freeze({ maxEntries: DEFAULT_MAX_ENTRIES, maxEntryBytes: MAX_ENTRY_BYTES })

/** Parts of `linesPerPart` lines each hold at most as many entries as fitted here. */
function tooLarge (source: string, line: number, limit: string, linesPerPart: number): InputError {
  return new InputError(source, line,
    `input too large: more than ${limit}, and publish sends nothing until all of it is checked; ` +
    `publish it in parts, e.g. \`split -l ${Math.max(1, linesPerPart)}\` (give each CSV part the header line)`)
}

/** Passes rows through until the input holds more than `bound`, then fails naming the line. */
export async function * boundedRows (rows: AsyncIterable<EntryRow>, source: string, bound: InputBound = DEFAULT_INPUT_BOUND): AsyncGenerator<EntryRow> {
  let entries = 0
  let bytes = 0
  for await (const row of rows) {
    entries++
    bytes += entryWireBytes(row.entry)
    if (entries > bound.maxEntries) throw tooLarge(source, row.line, `${bound.maxEntries} entries (--max-entries)`, bound.maxEntries)
    if (bytes > bound.maxEntryBytes) throw tooLarge(source, row.line, `${bound.maxEntryBytes} bytes of encoded entries`, entries - 1)
    yield row
  }
}
