import { EVERYONE_TRUSTED, type RowStanding, type StandingView } from '../forum/standing.js'
import { toHex } from '../signals/hex.js'
import type { HashRow } from '../store/hashRows.js'
import { isLatestOfPublisher } from '../store/listing.js'
import { isOpinion } from '../wire/types.js'
import { type AllowlistView, NOTHING_ALLOWLISTED } from './allowlistView.js'
import { type AggregateRow, aggregateRows } from './hashAggregate.js'
import type { HashSummary } from './lookupResult.js'
import { DEFAULT_MATCH_POLICY, type MatchPolicyOptions, matchVerdict } from './matchPolicy.js'

/**
 * A row that counts under membership now, with how it stands and whether it is its publisher's
 * current word; the publisher's hex once, for both the summary and the entry.
 */
export interface VisibleRow<R extends HashRow = HashRow> { row: R, publisher: string, standing: RowStanding, current: boolean }

export interface HashJudgeComponents {
  /** How each row stands under forum membership now; without it every row is trusted. */
  standing?: StandingView
  allowlist?: AllowlistView
  policy?: MatchPolicyOptions
}

/**
 * The one judgement of a stored hash from its rows: membership drops the rows that do not stand
 * now, the rest are aggregated, and local policy (allowlist, false-positive threshold,
 * confirmations) gives the verdict. Lookups and retroactive matching both ask it, so a watched item
 * matches exactly when a lookup of the same stored hash would say `match`.
 */
export class HashJudge {
  readonly standing: StandingView
  readonly allowlist: AllowlistView
  readonly policy: MatchPolicyOptions

  constructor (components: HashJudgeComponents = {}) {
    this.standing = components.standing ?? EVERYONE_TRUSTED
    this.allowlist = components.allowlist ?? NOTHING_ALLOWLISTED
    this.policy = components.policy ?? DEFAULT_MATCH_POLICY
  }

  /** The same judge with another allowlist: how a pending allowlist edit is judged before it is written. */
  withAllowlist (allowlist: AllowlistView): HashJudge {
    return new HashJudge({ standing: this.standing, allowlist, policy: this.policy })
  }

  /**
   * The rows that count now, each with its standing; "current" is decided among these only, so a
   * publisher's hidden later word leaves its earlier visible one standing.
   */
  visibleRows<R extends HashRow> (rows: readonly R[]): Array<VisibleRow<R>> {
    const standings = rows.map(row => this.standing.standing(row.publisher, row.seq, row.createdAtMs, isOpinion(row.action) ? 'opinion' : 'hash'))
    // The common case, everything visible, keeps the store's array: no copy to decide "current" on.
    const kept = standings.every(s => s.visible) ? rows : rows.filter((_, i) => standings[i]!.visible)
    const keptStandings = kept === rows ? standings : standings.filter(s => s.visible)
    return kept.map((row, j) => ({ row, publisher: toHex(row.publisher), standing: keptStandings[j]!, current: isLatestOfPublisher(kept, j) }))
  }

  /** The summary and verdict of one stored hash over its visible rows. */
  summary (signalTypeCode: number, value: Uint8Array, visible: readonly VisibleRow[], distance?: number): HashSummary {
    const aggregate = aggregateRows(visible.map(({ row, publisher, standing, current }) => {
      const r: AggregateRow = { publisher, action: row.action, labels: row.labels, current }
      if (standing.organisation !== undefined) r.organisation = standing.organisation
      return r
    }))
    const mark = this.allowlist.get(signalTypeCode, value)
    const allowlisted = mark === undefined ? undefined : { note: mark.note, author: mark.author, addedAt: new Date(mark.addedAtMs).toISOString() }
    const summary: HashSummary = { value: toHex(value), ...aggregate, match: false, reasons: [] }
    if (distance !== undefined) summary.distance = distance
    if (allowlisted !== undefined) summary.allowlisted = allowlisted
    // Judged on the summary itself: the verdict rests on exactly what the answer shows.
    const { match, reasons } = matchVerdict(summary, this.policy)
    summary.match = match
    summary.reasons = reasons
    return summary
  }

  /** Undefined when no row of the hash stands now: the hash is unknown as far as this node is concerned. */
  judge (signalTypeCode: number, value: Uint8Array, rows: readonly HashRow[], distance?: number): HashSummary | undefined {
    const visible = this.visibleRows(rows)
    return visible.length === 0 ? undefined : this.summary(signalTypeCode, value, visible, distance)
  }
}
