import type { TrustPolicy } from '../../ingest/trustPolicy.js'
import type { Logger } from '../../logger.js'
import type { BatchSink } from '../batchSink.js'
import type { HashmeshLibp2p } from '../libp2pNode.js'
import type { SyncMetrics } from './metrics.js'
import type { BatchSource } from '../../wire/batchSource.js'

/** What sync reads from the store; narrow so that the store's other changes do not reach here. */
export interface SyncStore {
  heads: () => Promise<ReadonlyArray<{ publisher: Uint8Array, seq: number, headId: Uint8Array }>>
  head: (publisher: Uint8Array) => Promise<{ seq: number } | undefined>
  /** The exact SignedBatch bytes stored at (publisher, seq). */
  getSignedBatch: (publisher: Uint8Array, seq: number) => Promise<Uint8Array | undefined>
}

/**
 * The forum's side of sync (the node wires it to its membership and forum ingester). Without it a
 * node neither serves nor asks for forum records.
 */
export interface ForumSyncComponent {
  /** SHA-256 over the sorted ids of the records held; a peer with the same one is sent nothing. */
  digest: () => Uint8Array
  /** The exact SignedForumRecord bytes of every record held. */
  records: () => Promise<Uint8Array[]>
  /** Where fetched records go: the same validation path as gossip; never throws. */
  sink: (bytes: Uint8Array, source: BatchSource) => Promise<{ action: string, code: string }>
}

export interface SyncComponents {
  libp2p: HashmeshLibp2p
  store: SyncStore
  /** Where fetched batches go: the same validation path as gossip. */
  sink: BatchSink
  trust: TrustPolicy
  logger: Logger
  metrics?: SyncMetrics
  forum?: ForumSyncComponent
}
