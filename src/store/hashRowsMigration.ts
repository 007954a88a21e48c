import { type HashRowGroup, type HashRows, addEntryRow, withRows } from './hashRows.js'
import { type TypedValue, parseEntryKey } from './keys.js'
import { decodeIndexRow } from './records.js'
import type { Repository, StoreOp } from './repository.js'
import type { MigrationContext } from './schemaUpgrade.js'

/** Entry rows per atomic chunk: a chunk's records and its cursor are one write. */
const ENTRY_CHUNK = 5000

/**
 * Schema 2 -> 3: writes every hash's HashRows record from the entry index. Rows come in key order,
 * so one hash's rows are contiguous; a hash whose rows straddle two chunks was written partly by
 * the first, so the first hash of every chunk extends what is stored for it (also after a resume).
 */
export const buildHashRows = buildHashRowsInChunksOf(ENTRY_CHUNK)

/** The migration with `chunk` entry rows per atomic write: tests cut hashes across chunks with a small one. */
export function buildHashRowsInChunksOf (chunk: number): (ctx: MigrationContext) => Promise<void> {
  return async ctx => {
    const { entryIndex, hashRows } = ctx.repositories
    ctx.count('entryRows', await ctx.rewrite(entryIndex, async rows => await recordsOf(hashRows, rows), { chunk }))
  }
}

async function recordsOf (hashRows: Repository<TypedValue, HashRows>, rows: Array<[Uint8Array, Uint8Array]>): Promise<StoreOp[]> {
  const groups: HashRowGroup[] = []
  for (const [k, v] of rows) addEntryRow(groups, parseEntryKey(k), decodeIndexRow(v))
  const [first] = groups
  const stored = first === undefined ? undefined : await hashRows.get(first.hash)
  return groups.map((g, i) => hashRows.putOp(g.hash, withRows(i === 0 ? stored : undefined, g.rows)))
}
