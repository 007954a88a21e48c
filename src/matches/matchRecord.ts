import { randomBytes } from 'node:crypto'
import type { HashRef } from '../events/hashmeshEvent.js'
import type { HashSummary } from '../lookup/lookupResult.js'
import type { StoreOp } from '../store/repository.js'

/** How a match came to be recorded. */
export type MatchSource = 'retroactive' | 'match' | 'lookup'

export const MATCH_ACTIONS = ['removed', 'restricted', 'kept', 'escalated', 'reported'] as const
export type MatchAction = typeof MATCH_ACTIONS[number]

export interface MatchActionRecord { action: MatchAction, actor: string, at: string }

export interface AppealOutcome { outcome: 'upheld' | 'rejected', reason: string, note?: string, actor: string, at: string, opinionBatchId?: string }

/** What a part that finds a match hands the match log. */
export interface MatchRecordInput {
  contentId: string
  source: MatchSource
  /** The platform's hash that was checked (for PDQ, possibly near the stored one). */
  hash: HashRef
  /** The stored hashes it matched, each with its verdict and who listed it, as a lookup reports them. */
  matched: HashSummary[]
  /** When the earliest current listing of the matched hash reached this node (ms): the start of time-to-match. */
  listedAtMs?: number
  atMs: number
}

/** One match as the log holds it, JSON-shaped. */
export interface MatchRecord {
  id: string
  contentId: string
  source: MatchSource
  hash: HashRef
  matched: HashSummary[]
  /** Labels of every current add of the matched hashes, sorted, distinct. */
  labels: string[]
  listedAt?: string
  at: string
  /** listed while the hash still is; unlisted once the watched item's last listing went away. */
  listing: 'listed' | 'unlisted'
  actions: MatchActionRecord[]
  appeal?: AppealOutcome
}

/**
 * What the parts that find matches need of the match log. Both are called inside the store's write
 * queue and return writes for the caller's atomic batch (with the state change and its event).
 */
export interface MatchRecorder {
  recordOps: (input: MatchRecordInput) => Promise<{ record: MatchRecord, ops: StoreOp[] }>
  /** Marks the record unlisted; nothing when there is no such record. */
  unlistedOps: (matchId: string, atMs: number) => Promise<StoreOp[]>
}

/** What the evidence bundle reads of the match log. */
export interface MatchLogView {
  get: (id: string) => Promise<MatchRecord | undefined>
  /** The newest record of this content id. */
  latestFor: (contentId: string) => Promise<MatchRecord | undefined>
}

/** Match ids sort by time: the first 12 hex digits are the millisecond, the rest random. */
export function newMatchId (atMs: number): string {
  return `m_${atMs.toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`
}
