import { PUBLIC_KEY_BYTES } from '../wire/limits.js'
import { Action } from '../wire/types.js'
import type { EntryKey, TypedValue } from './keys.js'
import type { Codec } from './repository.js'
import { type IndexRow, bytesOfLength, corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'

/**
 * Rows one HashRows record holds. Past this the record says `overflow` and lookups read the entry
 * index instead: a hash re-listed in batch after batch would otherwise make every later batch
 * rewrite an ever larger record. 1,000 rows is ~60 KB, and no ordinary hash comes near it.
 */
export const MAX_HASH_ROWS = 1000

/** One entry-index row as a lookup summary needs it: who said what about the hash, and when. */
export interface HashRow {
  publisher: Uint8Array
  seq: number
  /** Index of the entry in its batch. */
  position: number
  /** The publisher's clock: membership standing is decided on it. */
  createdAtMs: number
  action: Action
  labels: string[]
}

/** Every row of one hash, in entry-index order (publisher, seq, position), or `overflow`. */
export type HashRows = { overflow: false, rows: HashRow[] } | { overflow: true }

const HashRowsType = storeRecordType('HashRows')

const OVERFLOW: HashRows = Object.freeze({ overflow: true })

export function encodeHashRows (r: HashRows): Uint8Array {
  return encode(HashRowsType, r.overflow ? { overflow: true } : { rows: r.rows })
}

export function decodeHashRows (bytes: Uint8Array): HashRows {
  const what = 'hash rows'
  const raw = decode(HashRowsType, bytes, what)
  if (raw.overflow === true) return OVERFLOW
  const rows = raw.rows as Array<Record<string, unknown>>
  if (rows.length === 0 || rows.length > MAX_HASH_ROWS) throw corrupt(what, `must hold 1 to ${MAX_HASH_ROWS} rows`)
  return { overflow: false, rows: rows.map(r => decodeRow(r, what)) }
}

/** The hashRows bucket's value codec. */
export const HASH_ROWS: Codec<HashRows> = { encode: encodeHashRows, decode: decodeHashRows }

function decodeRow (raw: Record<string, unknown>, what: string): HashRow {
  const action = raw.action
  if (typeof action !== 'number' || !Number.isInteger(action) || action < Action.ADD || action > Action.WITHDRAW) throw corrupt(what, 'unknown action')
  return {
    publisher: bytesOfLength(raw.publisher, PUBLIC_KEY_BYTES, what, 'publisher'),
    seq: safeInteger(raw.seq, what, 'seq', 1),
    position: safeInteger(raw.position, what, 'position'),
    createdAtMs: safeInteger(raw.createdAtMs, what, 'created_at_ms'),
    action: action as Action,
    labels: raw.labels as string[]
  }
}

/** Entry-index order: publisher bytes, then seq, then position. */
export function compareHashRows (a: HashRow, b: HashRow): number {
  return Buffer.compare(a.publisher, b.publisher) || a.seq - b.seq || a.position - b.position
}

/**
 * A hash's record after one batch adds `added` (rows of one publisher at one seq, in position
 * order). Rows are kept in entry-index order so that "a publisher's last row is its current word"
 * reads the same here as over the index.
 */
export function withRows (before: HashRows | undefined, added: readonly HashRow[]): HashRows {
  if (before?.overflow === true) return OVERFLOW
  const rows = [...(before?.rows ?? []), ...added]
  if (rows.length > MAX_HASH_ROWS) return OVERFLOW
  if (before !== undefined) rows.sort(compareHashRows)
  return { overflow: false, rows }
}

/** One hash and its rows, gathered from the entry index in key order. */
export interface HashRowGroup { hash: TypedValue, rows: HashRow[] }

/**
 * Adds one entry-index record to `groups`, which come in key order: to the last group when it is the
 * same hash, else as a new one. A group holds at most one row past MAX_HASH_ROWS, which is enough for
 * withRows to mark it overflowing, so a pathological hash costs no more memory than that.
 */
export function addEntryRow (groups: HashRowGroup[], key: EntryKey, row: IndexRow): void {
  let group = groups.at(-1)
  if (group === undefined || group.hash.signalTypeCode !== key.signalTypeCode || Buffer.compare(group.hash.value, key.value) !== 0) {
    group = { hash: { signalTypeCode: key.signalTypeCode, value: Uint8Array.from(key.value) }, rows: [] }
    groups.push(group)
  }
  if (group.rows.length > MAX_HASH_ROWS) return
  const { seq, position } = key
  group.rows.push({ publisher: Uint8Array.from(key.publisher), seq, position, createdAtMs: row.createdAtMs, action: row.action, labels: row.labels })
}
