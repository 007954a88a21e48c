import { Action, isOpinion } from '../wire/types.js'

/** What the listing rule needs of one entry-index row. */
export interface ListingRow {
  publisher: Uint8Array
  action: Action
}

/**
 * Rows of one hash come ordered by publisher, then seq and position (the entry-index key order), so
 * a publisher's last row of a kind is its current word of that kind: a later retract supersedes its
 * add, a later opinion its earlier opinion. Hash actions (add, retract) and opinions are separate
 * words: an opinion never changes whether the publisher lists the hash.
 */
export function isLatestOfPublisher (rows: readonly ListingRow[], i: number): boolean {
  const row = rows[i]!
  const opinion = isOpinion(row.action)
  for (let j = i + 1; j < rows.length; j++) {
    const next = rows[j]!
    if (Buffer.compare(next.publisher, row.publisher) !== 0) return true
    if (isOpinion(next.action) === opinion) return false
  }
  return true
}

/** A hash is listed while at least one publisher's current word on it is 'add'. */
export function isListed (rows: readonly ListingRow[]): boolean {
  return rows.some((r, i) => r.action === Action.ADD && isLatestOfPublisher(rows, i))
}
