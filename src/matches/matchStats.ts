import type { MatchSummaryRow } from '../store/matchRecords.js'
import { isOpen } from './matchQuery.js'

/**
 * Time-to-match and time-to-action over any number of records in constant memory: durations go
 * into log-spaced buckets 1% wide, so a percentile is exact to within 1% (reported as its bucket's
 * upper edge) whether the range holds a hundred records or ten million.
 */
const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
/** Bucket 0 holds 0 ms, bucket 1 up to 1 ms, bucket i > 1 (GROWTH^(i-2), GROWTH^(i-1)]. Ten years needs ~2,650. */
const MAX_BUCKETS = 4000

export const PERCENTILES = [50, 90, 99] as const

export interface DurationStats {
  /** Durations counted. */
  count: number
  /** Milliseconds, exact to within 1%; absent when nothing was counted. */
  p50Ms?: number
  p90Ms?: number
  p99Ms?: number
}

export class DurationHistogram {
  private readonly buckets = new Float64Array(MAX_BUCKETS)
  count = 0

  add (ms: number): void {
    const i = ms <= 0 ? 0 : ms <= 1 ? 1 : Math.min(MAX_BUCKETS - 1, 1 + Math.ceil(Math.log(ms) / LOG_GROWTH))
    this.buckets[i] = (this.buckets[i] ?? 0) + 1
    this.count++
  }

  /** Nearest rank: the smallest duration with at least p% of the counted ones at or below it. */
  percentile (p: number): number | undefined {
    if (this.count === 0) return undefined
    const rank = Math.max(1, Math.ceil(p / 100 * this.count))
    let seen = 0
    for (let i = 0; i < MAX_BUCKETS; i++) {
      seen += this.buckets[i] ?? 0
      if (seen >= rank) return i <= 1 ? i : Math.round(GROWTH ** (i - 1))
    }
    return undefined
  }

  stats (): DurationStats {
    const out: DurationStats = { count: this.count }
    if (this.count === 0) return out
    out.p50Ms = this.percentile(50)
    out.p90Ms = this.percentile(90)
    out.p99Ms = this.percentile(99)
    return out
  }
}

export interface MatchStats {
  since?: string
  until?: string
  /** The deadline an action is expected within (matches.actionDeadlineHours). */
  actionDeadlineHours: number
  total: number
  /** Records per label (a record with several labels counts under each); none under "(none)". */
  byLabel: Record<string, number>
  /** Records per UTC month, "YYYY-MM". */
  byMonth: Record<string, number>
  /** From the hash's arrival on this node (listedAt) to the match. */
  timeToMatch: DurationStats
  /** From the match to its first action. */
  timeToAction: DurationStats
  acted: number
  open: number
  unlisted: number
  appealed: number
  /** Not acted on within the deadline: still open past it, or first acted on after it. */
  overdue: { total: number, open: number, late: number }
}

const NO_LABEL = '(none)'

/** Counts one record at a time; `result` reads them out. */
export class MatchStatsAccumulator {
  private readonly deadlineMs: number
  private readonly nowMs: number
  private readonly toMatch = new DurationHistogram()
  private readonly toAction = new DurationHistogram()
  private readonly byLabel = new Map<string, number>()
  private readonly byMonth = new Map<string, number>()
  private total = 0
  private acted = 0
  private open = 0
  private unlisted = 0
  private appealed = 0
  private overdueOpen = 0
  private late = 0
  /** The UTC month the last record fell in, [from, to): records come in time order, so it rarely changes. */
  private month = { key: '', fromMs: 0, toMs: 0 }

  constructor (deadlineMs: number, nowMs: number) {
    this.deadlineMs = deadlineMs
    this.nowMs = nowMs
  }

  add (atMs: number, row: MatchSummaryRow): void {
    this.total++
    for (const label of row.labels.length === 0 ? [NO_LABEL] : row.labels) this.byLabel.set(label, (this.byLabel.get(label) ?? 0) + 1)
    const month = this.monthOf(atMs)
    this.byMonth.set(month, (this.byMonth.get(month) ?? 0) + 1)
    if (row.listedAtMs !== undefined) this.toMatch.add(Math.max(0, atMs - row.listedAtMs))
    if (row.firstActionAtMs !== undefined) {
      this.acted++
      const took = Math.max(0, row.firstActionAtMs - atMs)
      this.toAction.add(took)
      if (took > this.deadlineMs) this.late++
    }
    if (isOpen(row)) {
      this.open++
      if (atMs + this.deadlineMs < this.nowMs) this.overdueOpen++
    }
    if (row.unlisted) this.unlisted++
    if (row.appeal !== 0) this.appealed++
  }

  private monthOf (atMs: number): string {
    if (atMs < this.month.fromMs || atMs >= this.month.toMs) {
      const d = new Date(atMs)
      this.month = {
        key: d.toISOString().slice(0, 7),
        fromMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        toMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
      }
    }
    return this.month.key
  }

  result (range: { since?: string, until?: string }): MatchStats {
    return {
      ...range,
      actionDeadlineHours: this.deadlineMs / 3_600_000,
      total: this.total,
      byLabel: Object.fromEntries([...this.byLabel].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)),
      byMonth: Object.fromEntries([...this.byMonth].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)),
      timeToMatch: this.toMatch.stats(),
      timeToAction: this.toAction.stats(),
      acted: this.acted,
      open: this.open,
      unlisted: this.unlisted,
      appealed: this.appealed,
      overdue: { total: this.overdueOpen + this.late, open: this.overdueOpen, late: this.late }
    }
  }
}
