import { Action } from '../wire/types.js'

/** What the listing rule needs of one entry-index row. */
export interface ListingRow {
  publisher: Uint8Array
  action: Action
}

/**
 * Rows of one hash come ordered by publisher, then seq and position (the entry-index key order), so
 * a publisher's last row is its current word on the hash: a later retract supersedes its add.
 */
export function isLatestOfPublisher (rows: readonly ListingRow[], i: number): boolean {
  const next = rows[i + 1]
  return next === undefined || Buffer.compare(next.publisher, rows[i]!.publisher) !== 0
}

/** A hash is listed while at least one publisher's current word on it is 'add'. */
export function isListed (rows: readonly ListingRow[]): boolean {
  return rows.some((r, i) => r.action === Action.ADD && isLatestOfPublisher(rows, i))
}
