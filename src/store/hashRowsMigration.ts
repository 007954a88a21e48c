import type { Level } from 'level'
import { Bucket } from './buckets.js'
import { type HashRow, MAX_HASH_ROWS, encodeHashRows, withRows } from './hashRows.js'
import { bucketRange, hashRowsKey, parseEntryKey } from './keys.js'
import { decodeIndexRow } from './records.js'

/** Entry rows per native read while scanning the index. */
const SCAN_CHUNK_ROWS = 1000

/** Records per atomic write: bounded memory, and few enough native calls. */
const WRITE_CHUNK_RECORDS = 5000

export interface HashRowsBuild { rows: number, hashes: number }

/**
 * Writes every hash's HashRows record from the entry index, for a store written before the bucket
 * existed. Idempotent (each record is rebuilt whole from the index), so a build cut short by a
 * crash is simply run again; hashes come in key order, so one hash's rows are contiguous.
 */
export async function buildHashRows (db: Level<Uint8Array, Uint8Array>): Promise<HashRowsBuild> {
  const it = db.iterator(bucketRange(Bucket.entryIndex))
  let pending: Array<{ type: 'put', key: Uint8Array, value: Uint8Array }> = []
  let current: { key: Uint8Array, rows: HashRow[] } | undefined
  const built: HashRowsBuild = { rows: 0, hashes: 0 }
  const settle = async (): Promise<void> => {
    if (current === undefined) return
    pending.push({ type: 'put', key: current.key, value: encodeHashRows(withRows(undefined, current.rows)) })
    built.hashes++
    if (pending.length < WRITE_CHUNK_RECORDS) return
    await db.batch(pending)
    pending = []
  }
  try {
    for (let chunk = await it.nextv(SCAN_CHUNK_ROWS); chunk.length > 0; chunk = await it.nextv(SCAN_CHUNK_ROWS)) {
      for (const [k, v] of chunk) {
        const { signalTypeCode, value, publisher, seq, position } = parseEntryKey(k)
        const key = hashRowsKey(signalTypeCode, value)
        if (current === undefined || Buffer.compare(current.key, key) !== 0) {
          await settle()
          current = { key, rows: [] }
        }
        built.rows++
        // One more than a record holds is enough to mark it overflowing; the rest need not be held.
        if (current.rows.length > MAX_HASH_ROWS) continue
        const { action, labels, createdAtMs } = decodeIndexRow(v)
        current.rows.push({ publisher: Uint8Array.from(publisher), seq, position, createdAtMs, action, labels })
      }
    }
    await settle()
    if (pending.length > 0) await db.batch(pending)
  } finally {
    await it.close()
  }
  return built
}
