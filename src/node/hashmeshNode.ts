import { peerIdFromString } from '@libp2p/peer-id'
import type { Registry } from 'prom-client'
import { BatchIngester } from '../ingest/batchIngester.js'
import { EquivocationTracker } from '../ingest/equivocationTracker.js'
import { createIngestMetrics } from '../ingest/metrics.js'
import { StaticTrustList } from '../ingest/trustPolicy.js'
import type { Logger } from '../logger.js'
import { LookupIndexes } from '../lookup/lookupIndexes.js'
import { type LookupQuery, LookupService } from '../lookup/lookupService.js'
import { matchQueries, matchReport } from '../lookup/matchReport.js'
import { type GossipAction, GossipTopic } from '../network/gossipTopic.js'
import { SyncService, createSyncMetrics } from '../network/sync/index.js'
import { PeerPolicer } from '../network/peerPolicer.js'
import { batchTopic, equivocationTopic } from '../network/topics.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../network/libp2pNode.js'
import { PeerKeeper } from '../network/peerKeeper.js'
import { toHex } from '../signals/hex.js'
import { SIGNAL_TYPES } from '../signals/registry.js'
import { HashStore } from '../store/hashStore.js'
import { stateDigest } from '../store/stateDigest.js'
import type { DecodedBatch } from '../wire/types.js'
import { BatchPublisher } from './batchPublisher.js'
import { initDataDir, type DataDir } from './dataDir.js'
import { DECISIONS, equivocationInfo } from './equivocationInfo.js'
import type { EntryInput, EquivocationDecision, EquivocationInfo, HashmeshNodeApi, LookupResult, MatchResult, NodeMatchOptions, NodeStatus, PublishResult } from './interface.js'
import { publisherStatuses } from './publisherStatus.js'
import type { NodeOptions } from './options.js'
import { UploadHasher } from './uploadHasher.js'

export interface NodeDeps {
  logger: Logger
  /** prom-client registry the node's metrics register in; the HTTP face serves it at /metrics. */
  registry: Registry
}

interface Parts {
  dataDir: DataDir
  store: HashStore
  indexes: LookupIndexes
  trust: StaticTrustList
  ingester: BatchIngester
  equivocations: EquivocationTracker
  libp2p: HashmeshLibp2p
  gossip: GossipTopic
  proofGossip: GossipTopic
  policer: PeerPolicer
  sync: SyncService
  keeper: PeerKeeper
  publisher: BatchPublisher
  lookups: LookupService
  uploads: UploadHasher
}

/**
 * How often, and for how long at most, the PDQ index catches up on merges that ingest left owed:
 * a few percent of one core while a burst is absorbed, nothing once it is.
 */
const INDEX_MAINTENANCE_EVERY_MS = 250
const INDEX_MAINTENANCE_SLICE_MS = 15

/** One hashmesh node: everything wired, started in dependency order and stopped in reverse. */
export class HashmeshNode implements HashmeshNodeApi {
  readonly dataDir: DataDir
  private readonly parts: Parts
  private readonly options: NodeOptions
  private readonly logger: Logger
  private readonly startedAt = Date.now()
  private stopping: Promise<void> | undefined
  private maintenance: NodeJS.Timeout | undefined

  constructor (parts: Parts, options: NodeOptions, logger: Logger) {
    this.parts = parts
    this.dataDir = parts.dataDir
    this.options = options
    this.logger = logger
  }

  get peerId (): string { return this.dataDir.peerId }
  get publisherKey (): string { return toHex(this.dataDir.publisherKey.publicKey) }

  /** Listen addresses with /p2p/<peerId>, available after start(). */
  multiaddrs (): string[] {
    return this.parts.libp2p.getMultiaddrs().map(a => a.toString())
  }

  async start (): Promise<void> {
    await this.parts.libp2p.start()
    this.parts.gossip.start()
    this.parts.proofGossip.start()
    await this.parts.sync.start()
    this.parts.keeper.start()
    this.maintenance = setInterval(() => { this.parts.indexes.maintain(INDEX_MAINTENANCE_SLICE_MS) }, INDEX_MAINTENANCE_EVERY_MS).unref()
  }

  /** Stops the network first so nothing arrives while the store closes. Safe to call twice. */
  async stop (): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.maintenance)
      this.parts.keeper.stop()
      await this.parts.sync.stop()
      if (this.parts.libp2p.status === 'started') {
        this.parts.gossip.stop()
        this.parts.proofGossip.stop()
      }
      await this.parts.libp2p.stop()
      await this.parts.uploads.close()
      await this.parts.store.close()
    })()
    await this.stopping
  }

  async lookup (type: string, value: string, options: Omit<LookupQuery, 'type' | 'value'> = {}): Promise<LookupResult> {
    return await this.parts.lookups.lookup(type, value, options)
  }

  async lookupMany (queries: readonly LookupQuery[]): Promise<LookupResult[]> {
    return await this.parts.lookups.lookupMany(queries)
  }

  async match (file: Uint8Array, options: NodeMatchOptions = {}): Promise<MatchResult> {
    const hashes = await this.parts.uploads.hash(file, options)
    const results = await this.parts.lookups.lookupMany(matchQueries(hashes, options))
    return matchReport(hashes, results, options)
  }

  async publish (entries: readonly EntryInput[]): Promise<PublishResult> {
    const result = await this.parts.publisher.publish(entries)
    if (result.recipients === 0) this.logger.warn({ ...result }, 'published batch is stored but reached no peer yet')
    else this.logger.info({ ...result }, 'published batch')
    return result
  }

  async equivocations (): Promise<EquivocationInfo[]> {
    return this.parts.equivocations.list().map(equivocationInfo)
  }

  async decideEquivocation (publisher: string, decision: EquivocationDecision): Promise<EquivocationInfo> {
    return equivocationInfo(await this.parts.equivocations.decide(publisher, DECISIONS[decision]))
  }

  async status (): Promise<NodeStatus> {
    const { libp2p, store, indexes, trust, ingester, gossip, equivocations } = this.parts
    const { heads, hashes, pdqIndex } = await ingester.betweenBatches(async () => ({
      heads: await store.heads(),
      hashes: Object.fromEntries(SIGNAL_TYPES.map(t => [t.name, indexes.exact.sizeOf(t.code)])),
      pdqIndex: { hashes: indexes.pdq.size, memoryBytes: indexes.pdq.memoryBytes() }
    }))
    return {
      peerId: this.peerId,
      stateDigest: toHex(stateDigest(heads)),
      publisherKey: this.publisherKey,
      network: this.options.network,
      multiaddrs: this.multiaddrs(),
      connectedPeers: [...new Set(libp2p.getConnections().map(c => c.remotePeer.toString()))],
      topic: gossip.topic,
      meshPeers: gossip.meshPeers(),
      bannedPeers: this.parts.policer.banned(),
      held: ingester.heldTotals(),
      catchUp: this.parts.sync.progress(),
      trustedPublishers: trust.list(),
      publishers: publisherStatuses(heads, ingester, equivocations),
      hashes,
      pdqIndex,
      validation: ingester.outcomeCounts(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000)
    }
  }
}

/**
 * Wraps an ingest so every REJECT is reported to the policer, which cuts off repeat offenders. The
 * source names the peer: 'gossip:<peer id>' or 'sync:<peer id>'.
 */
function policed<O extends { action: GossipAction, code: string }> (policer: PeerPolicer, handle: (bytes: Uint8Array, source: string) => Promise<O>): (bytes: Uint8Array, source: string) => Promise<O> {
  return async (bytes, source) => {
    const outcome = await handle(bytes, source)
    const peer = source.slice(source.indexOf(':') + 1)
    if (outcome.action === 'reject' && peer !== '') policer.recordReject(peer, outcome.code)
    return outcome
  }
}

/**
 * Gossip delivered a batch whose predecessors are missing: ask the peer that sent it for exactly
 * the gap. A burst of early batches asks repeatedly, but sync runs one pull per publisher and
 * answers the rest BUSY at once.
 */
function fetchGap (sync: SyncService, logger: Logger, fromPeer: string, batch: DecodedBatch, missingFrom: number): void {
  sync.requestRange(peerIdFromString(fromPeer), batch.body.publisher, missingFrom, batch.body.seq - 1)
    .catch((err: unknown) => { logger.debug({ peer: fromPeer, err: (err as Error).message }, 'could not fetch a gap; periodic sync will') })
}

/** Every node that learns of an equivocation tells its peers; one that already knows ignores it. */
function spread (proofGossip: GossipTopic, proof: Uint8Array, logger: Logger): void {
  proofGossip.publish(proof).catch((err: unknown) => { logger.warn({ err: (err as Error).message }, 'could not gossip an equivocation proof') })
}

/** Heads against stored batches, every start: cheap (one small record per batch) and it says what it mended. */
async function checkStore (store: HashStore, logger: Logger): Promise<void> {
  for (const problem of await store.checkAndRepairHeads()) {
    if (problem.repairable) logger.warn(problem, 'store: head disagreed with the stored batches; rebuilt it from them')
    else logger.error(problem, 'store: damaged chain this node cannot repair by itself; sync will not fill it, restore the data dir or resync from peers into a fresh one')
  }
}

/** Inits the data dir (keys, token) if needed, opens the store and builds everything; call start() next. */
export async function createHashmeshNode (options: NodeOptions, deps: NodeDeps): Promise<HashmeshNode> {
  const { logger } = deps
  const dataDir = await initDataDir(options.dataDir)
  const store = await HashStore.open(dataDir.paths.db)
  try {
    await checkStore(store, logger)
    const indexes = await LookupIndexes.load(store, logger)
    const trust = new StaticTrustList(options.trust, dataDir.publisherKey.publicKey)
    const equivocations = await EquivocationTracker.load({ store, trust, logger }, { network: options.network })
    const ingester = new BatchIngester(
      { store, indexes, trust, logger, equivocations, metrics: createIngestMetrics(deps.registry) },
      { network: options.network, maxClockSkewMs: options.maxClockSkewMs }
    )
    const topics = { batches: batchTopic(options.network), proofs: equivocationTopic(options.network) }
    const policer = new PeerPolicer({ logger })
    const libp2p = await createLibp2pNode({
      privateKey: dataDir.peerKey, listen: options.listen, announce: options.announce, scoredTopics: Object.values(topics), connectionGater: policer.gater
    })
    policer.attach(libp2p)
    const reportingIngester = { ingest: policed(policer, async (bytes, source) => await ingester.ingest(bytes, source)) }
    const sync = new SyncService(
      { libp2p, store, sink: reportingIngester, trust, logger, metrics: createSyncMetrics(deps.registry) },
      { network: options.network, intervalMs: options.syncIntervalMs }
    )
    const gossip = new GossipTopic({ libp2p }, {
      topic: topics.batches,
      sink: async (bytes, from) => {
        const outcome = await reportingIngester.ingest(bytes, `gossip:${from}`)
        if (outcome.code === 'PENDING' && outcome.batch !== undefined) fetchGap(sync, logger, from, outcome.batch, outcome.missingFrom ?? 1)
        return outcome
      }
    })
    const reportingProofs = policed(policer, async (bytes, source) => await equivocations.ingestProof(bytes, source))
    const proofGossip = new GossipTopic({ libp2p }, { topic: topics.proofs, sink: async (bytes, from) => await reportingProofs(bytes, `gossip:${from}`) })
    equivocations.onNewProof = proof => { spread(proofGossip, proof, logger) }
    const keeper = new PeerKeeper({ libp2p, logger }, { peers: options.bootstrap })
    const publisher = new BatchPublisher({ store, ingester, gossip, key: dataDir.publisherKey, logger }, { network: options.network })
    const lookups = new LookupService({ store, indexes, equivocations })
    const uploads = new UploadHasher(options.uploads)
    return new HashmeshNode({ dataDir, store, indexes, trust, ingester, equivocations, libp2p, gossip, proofGossip, policer, sync, keeper, publisher, lookups, uploads }, options, logger)
  } catch (err) {
    await store.close()
    throw err
  }
}
