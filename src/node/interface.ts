import type { ForumOverride } from '../forum/override.js'
import type { PdqMode } from '../hashing/fileHasher.js'
import type { AllowlistNodeApi } from './allowlistApi.js'
import type { AuditNodeApi } from './auditApi.js'
import type { EvidenceNodeApi } from './evidenceApi.js'
import type { OwnMembership } from '../forum/ownMembership.js'
import type { ForumNodeApi } from './forumApi.js'
import type { HooksNodeApi } from './hooksApi.js'
import type { MatchesNodeApi } from './matchesApi.js'
import type { WatchNodeApi } from './watchApi.js'
import type { LookupResult, LookupSummary } from '../lookup/lookupResult.js'
import type { LookupQuery } from '../lookup/lookupService.js'
import type { MatchOptions, MatchResult } from '../lookup/matchReport.js'
import type { ActionName } from '../wire/types.js'

/**
 * What the faces (HTTP API, CLI) may ask of a running node. JSON-shaped: hex strings for bytes,
 * ISO-8601 strings for times. Input errors are thrown as typed errors (SignalError, WireError,
 * PublishError) whose `code` the faces map to 400/413 or an exit code.
 */

export type { HashSummary, LookupMatch, LookupResult, LookupSummary, OpinionTally } from '../lookup/lookupResult.js'
export type { LookupQuery } from '../lookup/lookupService.js'
export type { MatchOptions, MatchResult } from '../lookup/matchReport.js'
export type { FileHashes, PdqMode } from '../hashing/fileHasher.js'

export type { ActionName } from '../wire/types.js'
export type { ForumOverride } from '../forum/override.js'

export interface EntryInput {
  type: string
  /** Hex, either case. */
  value: string
  /** add and retract only: an opinion carries none. */
  labels?: string[]
  /**
   * Default 'add'. add and retract are the publisher's own word on the hash; confirm,
   * false_positive and dispute are its opinion of others' entries, withdraw clears that opinion.
   */
  action?: ActionName
  /** Opinions only: a short reason code (wire REASON_PATTERN), e.g. "not_violating". */
  reason?: string
}

export interface PublishResult {
  batchId: string
  seq: number
  entries: number
  /** Peers the gossip message went to directly; 0 is not an error (peers catch up later). */
  recipients: number
}

export interface PublisherStatus {
  publisher: string
  /** Highest linked seq stored (0 when only held batches are known). */
  seq: number
  /** Id of that batch; it commits to the whole chain below it. Empty when seq is 0. */
  headId: string
  /** Batches held because a predecessor is missing. */
  pending: number
  /** True when this publisher was caught signing two different batches for one seq. */
  equivocating: boolean
  batches: number
  entries: number
}

export interface NodeStatus {
  peerId: string
  /** Digest over every publisher's head (hex): two nodes with the same one hold the same accepted history. */
  stateDigest: string
  publisherKey: string
  network: string
  multiaddrs: string[]
  connectedPeers: string[]
  /** The gossipsub topic of this network. */
  topic: string
  /** Peers in this node's gossipsub mesh for the topic: the ones it forwards batches to. */
  meshPeers: string[]
  /** Peers cut off for sending too many invalid messages, refused until their ban ends. */
  bannedPeers: string[]
  /** Batches held until their predecessors arrive (bounded; the oldest are evicted and refetched by sync). */
  held: { batches: number, bytes: number, evicted: number }
  /** Catch-ups under way: one per publisher being pulled from a peer. */
  catchUp: Array<{ publisher: string, peer: string, currentSeq: number, targetSeq: number, batchesPerSecond: number }>
  /** The local trust list when no forum roots are configured (with this node's own key); empty in a forum. */
  trustedPublishers: string[]
  /**
   * Forum membership: roots configured; keys accepted whatever the forum says, each with its reason
   * (forum.overrides); trust-list keys that count for nothing because roots are configured; records
   * held, their digest, how incoming records fared, and this node's own credential.
   */
  forum: {
    roots: string[]
    overrides: ForumOverride[]
    ignoredTrust: string[]
    records: number
    digest: string
    validation: Record<'accept' | 'ignore' | 'reject', Record<string, number>>
    own: OwnMembership
  }
  publishers: PublisherStatus[]
  /** Distinct hashes in the lookup index, by signal type. */
  hashes: Record<string, number>
  /** The PDQ near-match index: listed PDQ hashes it holds, and the memory its arrays take. */
  pdqIndex: { hashes: number, memoryBytes: number }
  /** Validation outcomes: { accept: { ACCEPTED: n }, ignore: { DUPLICATE: n, ... }, reject: { ... } }. */
  validation: Record<'accept' | 'ignore' | 'reject', Record<string, number>>
  uptimeSeconds: number
}

/** What an administrator decides about a publisher caught equivocating. */
export type EquivocationDecision = 'follow-stored' | 'block'

export interface EquivocationInfo {
  publisher: string
  /** The lowest seq the two batches disagree about; nothing at or past it is accepted while undecided or blocked. */
  forkSeq: number
  /** The two signed batches that prove the fork (hex ids and their seqs). */
  batchA: { batchId: string, seq: number }
  batchB: { batchId: string, seq: number }
  detectedAt: string
  /** 'undecided' until an administrator chooses; 'follow-stored' resumes accepting the chain this node holds. */
  decision: 'undecided' | EquivocationDecision
}

/**
 * A lookup that names the platform's content it checks: when the verdict is a match, the node
 * records it in the match log and answers with the record's `matchId`.
 */
export interface ContentLookupQuery extends LookupQuery {
  contentId?: string
}

/** An answer, with the match-log record it was recorded as (only for a match that named its content). */
export type Recorded<T> = T & { matchId?: string }

export interface NodeMatchOptions extends MatchOptions {
  /** The platform's id of the uploaded content: a match is recorded in the match log under it. */
  contentId?: string
  /** PDQ hashing mode: 'core' (full resolution, default) or 'tool' (the C++ CLI's 512×512 pre-resize). */
  mode?: PdqMode
  /** The caller says the file is an image: bytes that do not decode are an error, not just "no PDQ". */
  image?: boolean
}

export interface HashmeshNodeApi {
  readonly peerId: string
  readonly publisherKey: string
  /**
   * PDQ is matched by distance (options.maxDistance, default 31); other types exactly. Only rows
   * that stand under forum membership now are reported; `match` is local policy's verdict.
   */
  lookup: (type: string, value: string, options?: Omit<ContentLookupQuery, 'type' | 'value'>) => Promise<Recorded<LookupResult>>
  lookupMany: (queries: readonly ContentLookupQuery[]) => Promise<Array<Recorded<LookupResult>>>
  /** lookupMany without `matches`: one stored record per hash found, the fast path for checking uploads. */
  summarise: (queries: readonly ContentLookupQuery[]) => Promise<Array<Recorded<LookupSummary>>>
  /**
   * Hashes a file in memory (never stored) and looks up its exact hashes and, for an image of
   * sufficient quality, its PDQ. Throws MatchError (BUSY, IMAGE_TOO_LARGE, UNSUPPORTED_IMAGE when
   * `image` is set and the bytes are not a decodable image).
   */
  match: (file: Uint8Array, options?: NodeMatchOptions) => Promise<Recorded<MatchResult>>
  /** `actor` is who the audit log records for the publish (default "admin"). */
  publish: (entries: readonly EntryInput[], actor?: string) => Promise<PublishResult>
  status: () => Promise<NodeStatus>
  equivocations: () => Promise<EquivocationInfo[]>
  /** Throws EquivocationError('NO_SUCH_EQUIVOCATION') for a publisher with no proof stored. */
  decideEquivocation: (publisher: string, decision: EquivocationDecision, actor?: string) => Promise<EquivocationInfo>
}

/** Everything the HTTP face serves: the core above, and the allowlist, forum, audit, evidence, webhook, match-log and watch-list faces. */
export type NodeApi = HashmeshNodeApi & AllowlistNodeApi & ForumNodeApi & AuditNodeApi & EvidenceNodeApi & HooksNodeApi & MatchesNodeApi & WatchNodeApi
