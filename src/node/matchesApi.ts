import type { AppealInput, AppealResult, AppealService } from '../matches/appeals.js'
import { MatchLogError } from '../matches/matchError.js'
import { type MatchExportFormat, formatMatchExport } from '../matches/matchExport.js'
import type { MatchActionInput, MatchLog } from '../matches/matchLog.js'
import { type MatchListQuery, parseMatchFilter, parseTimeRange } from '../matches/matchQuery.js'
import type { MatchRecord } from '../matches/matchRecord.js'
import type { MatchStats } from '../matches/matchStats.js'

export type { AppealInput, AppealResult } from '../matches/appeals.js'
export type { MatchActionInput } from '../matches/matchLog.js'
export type { MatchListQuery } from '../matches/matchQuery.js'
export type { MatchExportFormat } from '../matches/matchExport.js'
export type { MatchRecord } from '../matches/matchRecord.js'
export type { MatchStats } from '../matches/matchStats.js'

export interface MatchPage {
  matches: MatchRecord[]
  /** Pass as `after` for the next page; absent when the range is exhausted. */
  next?: string
}

/**
 * What the faces may ask of the match log and of appeals. Bad input throws MatchLogError (BAD_*,
 * NO_SUCH_MATCH, NO_MATCH_FOR_CONTENT, APPEAL_DECIDED …); `actor` is who the audit log records.
 */
export interface MatchesNodeApi {
  matches: (query: MatchListQuery) => Promise<MatchPage>
  /** Throws MatchLogError NO_SUCH_MATCH for an unknown id. */
  matchRecord: (id: string) => Promise<MatchRecord>
  matchAction: (id: string, input: MatchActionInput, actor: string) => Promise<MatchRecord>
  matchStats: (query: { since?: string, until?: string }) => Promise<MatchStats>
  /** Throws at once for a bad range; records are read as the text is iterated. */
  matchExport: (query: { since?: string, until?: string }, format: MatchExportFormat) => AsyncGenerator<string>
  appeal: (input: AppealInput, actor: string) => Promise<AppealResult>
}

/** The node's side of MatchesNodeApi over its match log and appeal service. */
export function matchesNodeApi (log: MatchLog, appeals: AppealService): MatchesNodeApi {
  return {
    matches: async query => await log.list(parseMatchFilter(query)),
    matchRecord: async id => {
      const record = await log.get(id)
      if (record === undefined) throw new MatchLogError('NO_SUCH_MATCH', `no match ${id.slice(0, 40)}`)
      return record
    },
    matchAction: async (id, input, actor) => await log.act(id, input, actor),
    matchStats: async query => await log.stats(parseTimeRange(query), query),
    matchExport: (query, format) => formatMatchExport(log.records(parseTimeRange(query)), format),
    appeal: async (input, actor) => await appeals.appeal(input, actor)
  }
}
