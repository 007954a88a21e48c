import { randomBytes } from 'node:crypto'

/**
 * What the node tells a platform's receivers (webhooks) of its own accord. Append-only: a type
 * keeps its name and meaning, new ones are added at the end.
 */
export const EVENT_TYPES = ['match', 'unlisted', 'equivocation', 'revocation', 'appeal'] as const
export type EventType = typeof EVENT_TYPES[number]

/** A stored hash, JSON-shaped. */
export interface HashRef { type: string, value: string }

/** A watched item now matches a listed stored hash (retroactive matching). */
export interface MatchEventData {
  /** The match-log record this match was recorded as. */
  matchId: string
  contentId: string
  /** The stored (listed) hash that matched; never the watched one when they differ. */
  hash: HashRef
  /** 0 for an exact hash; Hamming distance for PDQ. */
  distance: number
  publisher: string
  organisation?: string
  labels: string[]
  batchId: string
  /** When this node received the batch that listed it (ISO-8601). */
  receivedAt: string
  /** listed: first listing; relisted: listed again after it went away; policy: a policy rule stopped refusing it. */
  cause: 'listed' | 'relisted' | 'policy'
}

/** A watched item's last matching listing went away: the platform may reinstate the content. */
export interface UnlistedEventData {
  matchId?: string
  contentId: string
  hash: HashRef
  cause: 'retracted' | 'false_positive' | 'revoked' | 'allowlisted' | 'policy'
}

export interface EquivocationEventData {
  publisher: string
  forkSeq: number
  batchA: { batchId: string, seq: number }
  batchB: { batchId: string, seq: number }
  detectedAt: string
}

export interface RevocationEventData {
  /** The member key the revocation names. */
  member: string
  organisation?: string
  recordId: string
  /** When the revocation takes effect (ISO-8601). */
  effectiveAt: string
}

export interface AppealEventData {
  matchId?: string
  contentId: string
  hash: HashRef
  outcome: 'upheld' | 'rejected'
  reason: string
  note?: string
  /** Upheld, with the opine role: the batch carrying this node's false_positive opinion. */
  opinionBatchId?: string
}

export interface EventDataOf {
  match: MatchEventData
  unlisted: UnlistedEventData
  equivocation: EquivocationEventData
  revocation: RevocationEventData
  appeal: AppealEventData
}

/** One event as delivered: the id is what a receiver deduplicates by, the same on every retry. */
export interface HashmeshEvent<T extends EventType = EventType> {
  id: string
  type: T
  /** When the node emitted it (ISO-8601). */
  createdAt: string
  data: EventDataOf[T]
}

/** 128 random bits: unique without coordination, and says nothing about the node or the content. */
export function newEventId (): string {
  return `evt_${randomBytes(16).toString('hex')}`
}

export function newEvent<T extends EventType> (type: T, data: EventDataOf[T], nowMs: number = Date.now()): HashmeshEvent<T> {
  return { id: newEventId(), type, createdAt: new Date(nowMs).toISOString(), data }
}
