import type { HashSummary } from '../../../src/lookup/lookupResult.js'
import type { MatchRecordInput } from '../../../src/matches/matchRecord.js'

const NO_TALLY = { count: 0, organisations: [], publishers: 0 }

/** A listed hash's summary as a lookup reports it: data for the log to hold, no policy in it. */
export function listedSummary (value: string, labels: string[] = ['csam'], extra: Partial<HashSummary> = {}): HashSummary {
  return {
    value,
    listed: true,
    addedBy: [{ publisher: 'ab'.repeat(32), organisation: 'org-a', labels }],
    retractedBy: [],
    opinions: { confirm: NO_TALLY, falsePositive: NO_TALLY, dispute: NO_TALLY },
    disputed: false,
    match: true,
    reasons: ['listed by org-a'],
    ...extra
  }
}

export function sha256Of (n: number): string {
  return n.toString(16).padStart(64, '0')
}

/** A lookup-path record input for content `contentId`, matched at `atMs`. */
export function inputFor (contentId: string, atMs: number, options: { labels?: string[], listedAtMs?: number, value?: string } = {}): MatchRecordInput {
  const value = options.value ?? sha256Of(atMs)
  return {
    contentId,
    source: 'lookup',
    hash: { type: 'sha256', value },
    matched: [listedSummary(value, options.labels)],
    ...(options.listedAtMs === undefined ? {} : { listedAtMs: options.listedAtMs }),
    atMs
  }
}
