import { Action } from '../wire/types.js'
import type { HashSummary, OpinionTally, PublisherRef } from './lookupResult.js'

/** One visible row about a hash, as aggregation needs it; `current` is computed over visible rows only. */
export interface AggregateRow extends PublisherRef {
  action: Action
  labels: readonly string[]
  current: boolean
}

/** What the rows of one hash say together, before local policy gives its verdict. */
export type HashAggregate = Pick<HashSummary, 'listed' | 'addedBy' | 'retractedBy' | 'opinions' | 'disputed'>

/**
 * Who an opinion or a listing counts for: the organisation, or the key itself when no credential
 * names one (a bare trust-list key), so two keys of one organisation never count twice.
 */
export function organisationKey (ref: PublisherRef): string {
  return ref.organisation ?? ref.publisher
}

/** Distinct organisations of `refs`, sorted so that answers are stable whatever the row order. */
export function organisationsOf (refs: readonly PublisherRef[]): string[] {
  // Every lookup hit comes here several times, nearly always with zero or one ref.
  if (refs.length < 2) return refs.map(organisationKey)
  return [...new Set(refs.map(organisationKey))].sort()
}

function tally (refs: readonly PublisherRef[]): OpinionTally {
  const organisations = organisationsOf(refs)
  return { count: organisations.length, organisations, publishers: refs.length }
}

function ref (row: AggregateRow): PublisherRef {
  const r: PublisherRef = { publisher: row.publisher }
  if (row.organisation !== undefined) r.organisation = row.organisation
  return r
}

/**
 * Each publisher's current word (add or retract) and current opinion, gathered. A withdraw is a
 * current opinion of none: it clears the publisher's earlier one and counts nowhere.
 */
export function aggregateRows (rows: readonly AggregateRow[]): HashAggregate {
  const addedBy: HashAggregate['addedBy'] = []
  const retractedBy: PublisherRef[] = []
  const confirm: PublisherRef[] = []
  const falsePositive: PublisherRef[] = []
  const dispute: PublisherRef[] = []
  for (const row of rows) {
    if (!row.current) continue
    switch (row.action) {
      case Action.ADD: addedBy.push(Object.assign(ref(row), { labels: [...row.labels] })); break
      case Action.RETRACT: retractedBy.push(ref(row)); break
      case Action.CONFIRM: confirm.push(ref(row)); break
      case Action.FALSE_POSITIVE: falsePositive.push(ref(row)); break
      case Action.DISPUTE: dispute.push(ref(row)); break
      case Action.WITHDRAW: break
    }
  }
  const opinions = { confirm: tally(confirm), falsePositive: tally(falsePositive), dispute: tally(dispute) }
  return {
    listed: addedBy.length > 0,
    addedBy,
    retractedBy,
    opinions,
    disputed: (opinions.confirm.count > 0 && opinions.falsePositive.count > 0) || opinions.dispute.count > 0
  }
}
