import { isoTime } from '../forum/isoTime.js'
import type { RowKind, StandingView } from '../forum/standing.js'
import { toHex } from '../signals/hex.js'
import { decodedStoredBatches } from '../store/batchScan.js'
import type { HashStore } from '../store/hashStore.js'
import { ACTION_NAMES, type Action, type ActionName, isOpinion } from '../wire/types.js'
import { type Period, type TransparencyFilter, inRange } from './auditQuery.js'

/**
 * Counts of what was listed, retracted and opined, per period, publisher, action and label: the
 * figures a transparency report publishes. Computed from the stored signed batches only, by each
 * batch's created-at (the publisher's clock, which is signed) in UTC, and ordered deterministically,
 * so anyone holding the same batches recomputes the same rows. Only `generatedAt` differs between
 * runs; the organisation comes from forum membership (itself signed records) as this node sees it.
 */

export interface TransparencyRow {
  /** YYYY-MM-DD or YYYY-MM (UTC). */
  period: string
  publisher: string
  organisation: string | null
  action: ActionName
  /** null: the total for the action, whatever the labels; otherwise the entries carrying this label. */
  label: string | null
  entries: number
}

export interface TransparencyReport {
  period: Period
  since: string | null
  until: string | null
  generatedAt: string
  /** Batches read (all stored) and, of those, created in range. */
  batches: { scanned: number, inRange: number }
  /** Entries created in range. */
  entries: number
  publishers: number
  /** Ordered by period, publisher, organisation, action (wire order), then the total before labels A-Z. */
  rows: TransparencyRow[]
  /** Entries per action over the whole range. */
  totals: Array<{ action: ActionName, entries: number }>
}

export interface TransparencyComponents {
  store: HashStore
  standing: StandingView
  now?: () => number
}

function periodOf (createdAtMs: number, period: Period): string {
  const iso = isoTime(createdAtMs)
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7)
}

interface Cell { period: string, publisher: string, organisation: string | null, action: Action, label: string | null, entries: number }

/** Fields joined by a character none of them can hold (labels and organisations are printable ASCII). */
const SEP = '\u0000'

function compareCells (a: Cell, b: Cell): number {
  const byText = (x: string | null, y: string | null): number => x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
  return byText(a.period, b.period) || byText(a.publisher, b.publisher) || byText(a.organisation, b.organisation) ||
    a.action - b.action || byText(a.label, b.label)
}

export async function transparencyReport (c: TransparencyComponents, filter: TransparencyFilter): Promise<TransparencyReport> {
  // Bounded by periods × publishers × actions × labels: small next to the entries counted.
  const cells = new Map<string, Cell>()
  const totals = new Map<Action, number>()
  const publishers = new Set<string>()
  let scanned = 0
  let batchesInRange = 0
  let entries = 0
  const count = (cell: Omit<Cell, 'entries'>): void => {
    const key = [
      cell.period, cell.publisher,
      cell.organisation ?? '', cell.organisation === null ? '0' : '1',
      cell.action,
      cell.label ?? '', cell.label === null ? '0' : '1'
    ].join(SEP)
    const found = cells.get(key)
    if (found !== undefined) found.entries++
    else cells.set(key, { ...cell, entries: 1 })
  }
  for await (const { batch } of decodedStoredBatches(c.store)) {
    scanned++
    const { publisher, seq, createdAtMs } = batch.body
    if (!inRange(createdAtMs, filter)) continue
    batchesInRange++
    const publisherHex = toHex(publisher)
    publishers.add(publisherHex)
    const period = periodOf(createdAtMs, filter.period)
    const organisations = new Map<RowKind, string | null>()
    for (const e of batch.body.entries) {
      const kind: RowKind = isOpinion(e.action) ? 'opinion' : 'hash'
      if (!organisations.has(kind)) organisations.set(kind, c.standing.standing(publisher, seq, createdAtMs, kind).organisation ?? null)
      const base = { period, publisher: publisherHex, organisation: organisations.get(kind)!, action: e.action }
      count({ ...base, label: null })
      for (const label of new Set(e.labels)) count({ ...base, label })
      totals.set(e.action, (totals.get(e.action) ?? 0) + 1)
      entries++
    }
  }
  return {
    period: filter.period,
    since: filter.sinceMs === undefined ? null : isoTime(filter.sinceMs),
    until: filter.untilMs === undefined ? null : isoTime(filter.untilMs),
    generatedAt: isoTime((c.now ?? Date.now)()),
    batches: { scanned, inRange: batchesInRange },
    entries,
    publishers: publishers.size,
    rows: [...cells.values()].sort(compareCells).map(cell => ({ ...cell, action: ACTION_NAMES[cell.action] })),
    totals: [...totals.entries()].sort(([a], [b]) => a - b).map(([action, n]) => ({ action: ACTION_NAMES[action], entries: n }))
  }
}
