import type { LookupResult } from '../lookup/lookupResult.js'

/**
 * What the faces (HTTP API, CLI) may ask of a running node. JSON-shaped: hex strings for bytes,
 * ISO-8601 strings for times. Input errors are thrown as typed errors (SignalError, WireError,
 * PublishError) whose `code` the faces map to 400/413 or an exit code.
 */

export type { LookupMatch, LookupResult } from '../lookup/lookupResult.js'

export interface EntryInput {
  type: string
  /** Hex, either case. */
  value: string
  labels?: string[]
  /** Default 'add'. */
  action?: 'add' | 'retract'
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
  /** Publishers whose batches this node accepts (always including itself). */
  trustedPublishers: string[]
  publishers: PublisherStatus[]
  /** Distinct hashes in the lookup index, by signal type. */
  hashes: Record<string, number>
  /** Validation outcomes: { accept: { ACCEPTED: n }, ignore: { DUPLICATE: n, ... }, reject: { ... } }. */
  validation: Record<'accept' | 'ignore' | 'reject', Record<string, number>>
  uptimeSeconds: number
}

export interface HashmeshNodeApi {
  readonly peerId: string
  readonly publisherKey: string
  lookup: (type: string, value: string) => Promise<LookupResult>
  lookupMany: (queries: ReadonlyArray<{ type: string, value: string }>) => Promise<LookupResult[]>
  publish: (entries: readonly EntryInput[]) => Promise<PublishResult>
  status: () => Promise<NodeStatus>
}
