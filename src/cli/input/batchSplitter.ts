import type { EntryInput } from '../../node/interface.js'
import { MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH } from '../../wire/limits.js'
import type { EntryRow } from './entryRow.js'
import { BODY_HEADER_BYTES, entryWireBytes } from './entrySize.js'

export interface BatchLimits {
  maxEntries: number
  /** Largest encoded BatchBody. */
  maxBodyBytes: number
}

/** What the node accepts in one batch. */
export const WIRE_BATCH_LIMITS: BatchLimits = Object.freeze({ maxEntries: MAX_ENTRIES_PER_BATCH, maxBodyBytes: MAX_BODY_BYTES })

export interface InputBatch {
  entries: EntryInput[]
  /** Input lines the batch came from, for messages. */
  firstLine: number
  lastLine: number
}

/**
 * Cuts checked rows into batches that are within both bounds, in input order, holding one batch at
 * a time. Entries are small next to the body bound, so every batch but the last is close to full.
 */
export async function * splitIntoBatches (rows: AsyncIterable<EntryRow>, limits: BatchLimits = WIRE_BATCH_LIMITS): AsyncGenerator<InputBatch> {
  let batch: InputBatch | undefined
  let bodyBytes = BODY_HEADER_BYTES
  for await (const { line, entry } of rows) {
    const size = entryWireBytes(entry)
    if (batch !== undefined && (batch.entries.length >= limits.maxEntries || bodyBytes + size > limits.maxBodyBytes)) {
      yield batch
      batch = undefined
    }
    if (batch === undefined) {
      batch = { entries: [], firstLine: line, lastLine: line }
      bodyBytes = BODY_HEADER_BYTES
    }
    batch.entries.push(entry)
    batch.lastLine = line
    bodyBytes += size
  }
  if (batch !== undefined) yield batch
}
