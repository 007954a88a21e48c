import { isoTime } from '../forum/isoTime.js'
import type { RowKind, RowStanding, StandingStatus, StandingView } from '../forum/standing.js'
import { toHex } from '../signals/hex.js'
import { decodedStoredBatches } from '../store/batchScan.js'
import type { HashStore } from '../store/hashStore.js'
import { ACTION_NAMES, type ActionName, isOpinion } from '../wire/types.js'
import { type ExportFilter, inRange } from './auditQuery.js'

/**
 * Every stored entry as a flat row, for an auditor's spreadsheet or a regulator's request: one row
 * per entry, in batch order (publisher, then seq, then position). Read straight from the stored
 * signed batches, one chunk at a time, so memory stays flat however many rows a store holds.
 */

export interface ExportRow {
  /** The publisher's clock (ISO-8601). */
  createdAt: string
  /** This node's clock. */
  receivedAt: string
  publisher: string
  /** What the publisher's covering credential names now; null for a key without one. */
  organisation: string | null
  /** How the row stands under this node's membership now (see StandingStatus). */
  standing: StandingStatus
  seq: number
  batchId: string
  position: number
  type: string
  /** Lowercase hex. */
  value: string
  action: ActionName
  labels: string[]
  /** Opinions only. */
  reason: string | null
}

export interface ExportComponents {
  store: HashStore
  standing: StandingView
}

/** Rows created in [since, until), of one publisher when given. Stops reading when the caller stops. */
export async function * exportRows (c: ExportComponents, filter: ExportFilter): AsyncGenerator<ExportRow> {
  for await (const { batch, receivedAtMs } of decodedStoredBatches(c.store, filter.publisher === undefined ? {} : { publisher: filter.publisher })) {
    const { publisher, seq, createdAtMs, entries } = batch.body
    if (!inRange(createdAtMs, filter)) continue
    const publisherHex = toHex(publisher)
    const batchId = toHex(batch.id)
    const createdAt = isoTime(createdAtMs)
    const receivedAt = isoTime(receivedAtMs)
    // Standing depends on the kind of row (publish or opine role), not on the entry: ask once per kind.
    const standings = new Map<RowKind, RowStanding>()
    const standingOf = (kind: RowKind): RowStanding => {
      let s = standings.get(kind)
      if (s === undefined) {
        s = c.standing.standing(publisher, seq, createdAtMs, kind)
        standings.set(kind, s)
      }
      return s
    }
    for (const [position, e] of entries.entries()) {
      const standing = standingOf(isOpinion(e.action) ? 'opinion' : 'hash')
      yield {
        createdAt,
        receivedAt,
        publisher: publisherHex,
        organisation: standing.organisation ?? null,
        standing: standing.status,
        seq,
        batchId,
        position,
        type: e.signalType,
        value: toHex(e.value),
        action: ACTION_NAMES[e.action],
        labels: e.labels,
        reason: e.reason ?? null
      }
    }
  }
}
