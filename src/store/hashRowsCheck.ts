import { toHex } from '../signals/hex.js'
import { type HashRowGroup, addEntryRow, encodeHashRows, withRows } from './hashRows.js'
import { entryRangeFor, parseEntryKey, parseHashRowsKey } from './keys.js'
import { decodeIndexRow } from './records.js'
import type { StoreSnapshot } from './repository.js'
import type { StoreRepositories } from './storeRepositories.js'

/** Hashes compared per getMany. */
const HASHES_PER_READ = 1000

export type HashRowsProblemCode = 'HASH_ROWS_MISSING' | 'HASH_ROWS_MISMATCH' | 'HASH_ROWS_ORPHAN'

export interface HashRowsProblem { code: HashRowsProblemCode, message: string, key: Uint8Array }

/**
 * Every HashRows record must be exactly what its hash's entry-index rows imply (the same bytes the
 * node writes), and no record may exist for a hash without rows: lookups answer from these records,
 * so an edited one would change answers while the entry index still verified. Rows that do not
 * decode are the entry-index check's to report, and are skipped here.
 */
export async function * hashRowsProblems (repos: StoreRepositories, read: { snapshot: StoreSnapshot }): AsyncGenerator<HashRowsProblem> {
  let pending: HashRowGroup[] = []
  /** Hashes with index rows whose record is present: more records than these means orphans. */
  const found = { hashes: 0 }
  for await (const rows of repos.entryIndex.entriesBinary(read)) {
    for (const [k, v] of rows) {
      let key, row
      try {
        key = parseEntryKey(k)
        row = decodeIndexRow(v)
      } catch {
        continue
      }
      addEntryRow(pending, key, row)
    }
    // The last hash may go on in the next chunk: it is compared once complete.
    if (pending.length > HASHES_PER_READ) {
      yield * compared(repos, read, pending.slice(0, -1), found)
      pending = pending.slice(-1)
    }
  }
  yield * compared(repos, read, pending, found)
  if (await repos.hashRows.count(read) > found.hashes) yield * orphans(repos, read)
}

async function * compared (
  repos: StoreRepositories, read: { snapshot: StoreSnapshot }, expected: readonly HashRowGroup[], found: { hashes: number }
): AsyncGenerator<HashRowsProblem> {
  const stored = await repos.hashRows.getManyBinary(expected.map(e => e.hash), read)
  for (const [i, { hash, rows }] of expected.entries()) {
    const key = repos.hashRows.encodeKey(hash)
    const bytes = stored[i]
    if (bytes === undefined) {
      yield { code: 'HASH_ROWS_MISSING', message: `no HashRows record for ${toHex(hash.value)}, which has ${rows.length} index rows`, key }
      continue
    }
    found.hashes++
    if (Buffer.compare(bytes, encodeHashRows(withRows(undefined, rows))) !== 0) {
      yield { code: 'HASH_ROWS_MISMATCH', message: `the HashRows record of ${toHex(hash.value)} is not what its index rows imply`, key }
    }
  }
}

async function * orphans (repos: StoreRepositories, read: { snapshot: StoreSnapshot }): AsyncGenerator<HashRowsProblem> {
  for await (const keys of repos.hashRows.keysBinary(read)) {
    for (const key of keys) {
      let hash
      try {
        hash = parseHashRowsKey(key)
      } catch {
        yield { code: 'HASH_ROWS_ORPHAN', message: `HashRows key of ${key.length} bytes`, key }
        continue
      }
      const rows = await repos.entryIndex.readRange({ ...read, range: entryRangeFor(hash.signalTypeCode, hash.value), limit: 1 })
      if (rows.length === 0) yield { code: 'HASH_ROWS_ORPHAN', message: `a HashRows record for ${toHex(hash.value)}, which no index row mentions`, key }
    }
  }
}
