import type { LookupResult, LookupSummary } from '../lookup/lookupResult.js'
import type { LookupQuery } from '../lookup/lookupService.js'
import type { MatchLog } from './matchLog.js'
import type { MatchRecordInput, MatchSource } from './matchRecord.js'

/** A query a client sent with the content it checked, and the node's answer. */
export interface ContentQuery {
  contentId?: string
  query: LookupQuery
  result: LookupSummary | LookupResult
}

/** Which of a content's matching hashes its record is about: the exact hashes first, strongest first. */
const TYPE_PREFERENCE = ['sha256', 'sha1', 'md5', 'pdq']

function preference (type: string): number {
  const i = TYPE_PREFERENCE.indexOf(type)
  return i === -1 ? TYPE_PREFERENCE.length : i
}

export interface LookupAnswerer {
  lookupMany: (queries: readonly LookupQuery[]) => Promise<LookupResult[]>
}

/**
 * Records the matches of the lookup and upload paths: one record per content id whose queries
 * matched in a request (an upload's md5, sha256 and PDQ all matching is one piece of content
 * matched once), about the strongest of its matching hashes. Nothing is read or written for a
 * query without a content id or without a match, so checking content that matches nothing costs
 * what it did before.
 */
export class ContentMatches {
  private readonly log: MatchLog
  private readonly lookups: LookupAnswerer
  private readonly now: () => number

  constructor (components: { log: MatchLog, lookups: LookupAnswerer, now?: () => number }) {
    this.log = components.log
    this.lookups = components.lookups
    this.now = components.now ?? Date.now
  }

  /** The match id recorded for each content id that matched. */
  async record (source: MatchSource, items: readonly ContentQuery[]): Promise<Map<string, string>> {
    const recorded = new Map<string, string>()
    const chosen = chooseByContent(items)
    if (chosen.length === 0) return recorded
    const full = await this.fullResults(chosen)
    const atMs = this.now()
    const inputs: MatchRecordInput[] = []
    for (const [i, item] of chosen.entries()) {
      const result = full[i]!
      const matched = result.hashes.filter(h => h.match)
      if (matched.length === 0) continue
      const listedAtMs = earliestListing(result, new Set(matched.map(h => h.value)))
      inputs.push({
        contentId: item.contentId,
        source,
        hash: { type: result.type, value: result.value },
        matched,
        ...(listedAtMs === undefined ? {} : { listedAtMs }),
        atMs
      })
    }
    if (inputs.length === 0) return recorded
    for (const record of await this.log.recordAll(inputs)) recorded.set(record.contentId, record.id)
    return recorded
  }

  /** Summaries carry no receipt times: the chosen queries only are asked again, in full. */
  private async fullResults (chosen: ReadonlyArray<ContentQuery & { contentId: string }>): Promise<LookupResult[]> {
    const missing = chosen.flatMap((c, i) => 'matches' in c.result ? [] : [i])
    const answered = missing.length === 0 ? [] : await this.lookups.lookupMany(missing.map(i => chosen[i]!.query))
    return chosen.map((c, i) => 'matches' in c.result ? c.result : answered[missing.indexOf(i)]!)
  }
}

function chooseByContent (items: readonly ContentQuery[]): Array<ContentQuery & { contentId: string }> {
  const best = new Map<string, ContentQuery & { contentId: string }>()
  for (const item of items) {
    const { contentId } = item
    if (contentId === undefined || !item.result.match) continue
    const held = best.get(contentId)
    if (held === undefined || preference(item.result.type) < preference(held.result.type)) best.set(contentId, { ...item, contentId })
  }
  return [...best.values()]
}

/** When this node received the earliest current add of the matched hashes: where time-to-match starts. */
function earliestListing (result: LookupResult, values: ReadonlySet<string>): number | undefined {
  let earliest: number | undefined
  for (const m of result.matches) {
    if (m.action !== 'add' || !m.current || !values.has(m.value ?? result.value)) continue
    const ms = Date.parse(m.receivedAt)
    if (Number.isFinite(ms) && (earliest === undefined || ms < earliest)) earliest = ms
  }
  return earliest
}
