import { peerIdFromString } from '@libp2p/peer-id'
import type { Registry } from 'prom-client'
import { AuditService } from '../audit/auditService.js'
import { ForumRecordIngester } from '../forum/forumRecordIngester.js'
import { Membership } from '../forum/membership.js'
import { createForumMetrics } from '../forum/metrics.js'
import { BatchIngester } from '../ingest/batchIngester.js'
import { registerPdqIndexGauges } from '../index/metrics.js'
import { EquivocationTracker } from '../ingest/equivocationTracker.js'
import { createIngestMetrics } from '../ingest/metrics.js'
import type { Logger } from '../logger.js'
import { LookupIndexes } from '../lookup/lookupIndexes.js'
import { type LookupQuery, LookupService } from '../lookup/lookupService.js'
import { LookupMetrics } from '../lookup/metrics.js'
import { matchQueries, matchReport } from '../lookup/matchReport.js'
import { type GossipAction, GossipTopic } from '../network/gossipTopic.js'
import { SyncService, createSyncMetrics, registerSyncLagGauge } from '../network/sync/index.js'
import { registerPeerGauges } from '../network/metrics.js'
import { PeerPolicer } from '../network/peerPolicer.js'
import { UntrustedByteBudget } from '../network/untrustedByteBudget.js'
import { batchTopic, equivocationTopic, forumTopic } from '../network/topics.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../network/libp2pNode.js'
import { PeerKeeper } from '../network/peerKeeper.js'
import { type OwnMembership, ownMembership } from '../forum/ownMembership.js'
import { toHex } from '../signals/hex.js'
import { SIGNAL_TYPES } from '../signals/registry.js'
import { AllowlistStore } from '../store/allowlist.js'
import { AuditLog } from '../store/auditLog.js'
import { HashStore } from '../store/hashStore.js'
import { stateDigest } from '../store/stateDigest.js'
import type { DecodedBatch } from '../wire/types.js'
import { BatchPublisher } from './batchPublisher.js'
import { initDataDir, type DataDir } from './dataDir.js'
import { type AllowlistNodeApi, allowlistNodeApi } from './allowlistApi.js'
import type { AuditNodeApi } from './auditApi.js'
import { DECISIONS, equivocationInfo } from './equivocationInfo.js'
import type { ForumNodeApi } from './forumApi.js'
import { ForumFace } from './forumFace.js'
import type { EntryInput, EquivocationDecision, EquivocationInfo, LookupResult, LookupSummary, MatchResult, NodeApi, NodeMatchOptions, NodeStatus, PublishResult } from './interface.js'
import { publisherStatuses } from './publisherStatus.js'
import type { NodeOptions } from './options.js'
import { announceTrustSettings } from './trustAudit.js'
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
  membership: Membership
  forumIngester: ForumRecordIngester
  auditLog: AuditLog
  ingester: BatchIngester
  equivocations: EquivocationTracker
  libp2p: HashmeshLibp2p
  gossip: GossipTopic
  proofGossip: GossipTopic
  forumGossip: GossipTopic
  policer: PeerPolicer
  sync: SyncService
  keeper: PeerKeeper
  publisher: BatchPublisher
  lookups: LookupService
  lookupMetrics: LookupMetrics
  uploads: UploadHasher
  allowlist: AllowlistNodeApi
  forum: ForumNodeApi
  audit: AuditNodeApi
}

/**
 * How often, and for how long at most, the PDQ index catches up on merges that ingest left owed:
 * a few percent of one core while a burst is absorbed, nothing once it is.
 */
const INDEX_MAINTENANCE_EVERY_MS = 250
const INDEX_MAINTENANCE_SLICE_MS = 15

/** An expiring credential is logged at start and then once a day, where an operator's alerting looks. */
const OWN_CREDENTIAL_CHECK_EVERY_MS = 24 * 60 * 60 * 1000

/** One hashmesh node: everything wired, started in dependency order and stopped in reverse. */
export class HashmeshNode implements NodeApi {
  readonly dataDir: DataDir
  private readonly parts: Parts
  private readonly options: NodeOptions
  private readonly logger: Logger
  private readonly startedAt = Date.now()
  private stopping: Promise<void> | undefined
  private maintenance: NodeJS.Timeout | undefined
  private credentialCheck: NodeJS.Timeout | undefined

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
    this.parts.forumGossip.start()
    await this.parts.sync.start()
    this.parts.keeper.start()
    this.maintenance = setInterval(() => { this.parts.indexes.maintain(INDEX_MAINTENANCE_SLICE_MS) }, INDEX_MAINTENANCE_EVERY_MS).unref()
    this.warnIfCredentialExpiring()
    this.credentialCheck = setInterval(() => { this.warnIfCredentialExpiring() }, OWN_CREDENTIAL_CHECK_EVERY_MS).unref()
  }

  /** This node's own credential, as the forum's records held here say. */
  ownMembership (nowMs = Date.now()): OwnMembership {
    return ownMembership(this.parts.membership.members(nowMs), this.publisherKey, nowMs)
  }

  private warnIfCredentialExpiring (): void {
    if (this.parts.membership.rootKeys().length === 0) return
    const own = this.ownMembership()
    if (own.expiresSoon) {
      this.logger.warn({ organisation: own.organisation, validUntil: own.validUntil }, 'this node\'s forum credential expires within 14 days: ask the forum\'s operator for a new one (hashmesh forum admit), then hashmesh join it')
    } else if (!own.admitted) {
      this.logger.warn({ status: own.status }, 'this node\'s publisher key has no active forum credential: peers refuse what it publishes until it joins (hashmesh join FILE)')
    }
  }

  /** Stops the network first so nothing arrives while the store closes. Safe to call twice. */
  async stop (): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.maintenance)
      clearInterval(this.credentialCheck)
      this.parts.keeper.stop()
      await this.parts.sync.stop()
      if (this.parts.libp2p.status === 'started') {
        this.parts.gossip.stop()
        this.parts.proofGossip.stop()
        this.parts.forumGossip.stop()
      }
      await this.parts.libp2p.stop()
      await this.parts.uploads.close()
      await this.parts.store.close()
    })()
    await this.stopping
  }

  // Metered here rather than in LookupService: what clients ask is counted, not the lookups the audit face makes.
  async lookup (type: string, value: string, options: Omit<LookupQuery, 'type' | 'value'> = {}): Promise<LookupResult> {
    const started = process.hrtime.bigint()
    const result = await this.parts.lookups.lookup(type, value, options)
    this.parts.lookupMetrics.record(result.type === 'pdq' ? 'pdq' : 'exact', started, result)
    return result
  }

  async lookupMany (queries: readonly LookupQuery[]): Promise<LookupResult[]> {
    const started = process.hrtime.bigint()
    const results = await this.parts.lookups.lookupMany(queries)
    this.parts.lookupMetrics.record('batch', started, results)
    return results
  }

  async summarise (queries: readonly LookupQuery[]): Promise<LookupSummary[]> {
    const started = process.hrtime.bigint()
    const results = await this.parts.lookups.summarise(queries)
    this.parts.lookupMetrics.record('batch', started, results)
    return results
  }

  async match (file: Uint8Array, options: NodeMatchOptions = {}): Promise<MatchResult> {
    const started = process.hrtime.bigint()
    const hashes = await this.parts.uploads.hash(file, options)
    const results = await this.parts.lookups.lookupMany(matchQueries(hashes, options))
    const report = matchReport(hashes, results, options)
    this.parts.lookupMetrics.record('match', started, report)
    return report
  }

  async publish (entries: readonly EntryInput[], actor?: string): Promise<PublishResult> {
    const result = await this.parts.publisher.publish(entries, actor)
    if (result.recipients === 0) this.logger.warn({ ...result }, 'published batch is stored but reached no peer yet')
    else this.logger.info({ ...result }, 'published batch')
    return result
  }

  async equivocations (): Promise<EquivocationInfo[]> {
    return this.parts.equivocations.list().map(equivocationInfo)
  }

  async decideEquivocation (publisher: string, decision: EquivocationDecision, actor = 'admin'): Promise<EquivocationInfo> {
    const audited = async (): ReturnType<AuditLog['opsFor']> => await this.parts.auditLog.opsFor({ actor, action: 'equivocation.decide', details: { publisher: publisher.toLowerCase(), decision } })
    return equivocationInfo(await this.parts.equivocations.decide(publisher, DECISIONS[decision], audited))
  }

  readonly allowlist: NodeApi['allowlist'] = async () => await this.parts.allowlist.allowlist()
  readonly allowlistAdd: NodeApi['allowlistAdd'] = async (input, actor) => await this.parts.allowlist.allowlistAdd(input, actor)
  readonly allowlistRemove: NodeApi['allowlistRemove'] = async (type, value, actor) => await this.parts.allowlist.allowlistRemove(type, value, actor)
  readonly forum: NodeApi['forum'] = async () => await this.parts.forum.forum()
  readonly submitForumRecord: NodeApi['submitForumRecord'] = async (signed, actor) => await this.parts.forum.submitForumRecord(signed, actor)
  readonly provenance: NodeApi['provenance'] = async (type, value) => await this.parts.audit.provenance(type, value)
  readonly auditVerify: NodeApi['auditVerify'] = async query => await this.parts.audit.auditVerify(query)
  readonly auditLog: NodeApi['auditLog'] = async query => await this.parts.audit.auditLog(query)
  readonly exportEntries: NodeApi['exportEntries'] = query => this.parts.audit.exportEntries(query)
  readonly transparency: NodeApi['transparency'] = async query => await this.parts.audit.transparency(query)

  async status (): Promise<NodeStatus> {
    const { libp2p, store, indexes, membership, forumIngester, ingester, gossip, equivocations } = this.parts
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
      trustedPublishers: trustedKeys(this.options, this.dataDir),
      forum: {
        roots: membership.rootKeys(),
        overrides: this.options.forum.overrides,
        ignoredTrust: membership.rootKeys().length > 0 ? this.options.trust : [],
        records: membership.size,
        digest: toHex(membership.digest()),
        validation: forumIngester.outcomeCounts(),
        own: this.ownMembership()
      },
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

/**
 * A credential arriving can make acceptable what this node refused a moment ago (batches gossiped
 * before the credential reached it): one sync round with every peer soon after, once per burst of
 * records (a forum sync brings them all at once).
 */
const RESYNC_AFTER_CREDENTIAL_MS = 1_000

function coalesced (ms: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined
  return () => {
    if (timer !== undefined) return
    timer = setTimeout(() => { timer = undefined; fn() }, ms)
    timer.unref()
  }
}

/** Heads against stored batches, every start: cheap (one small record per batch) and it says what it mended. */
async function checkStore (store: HashStore, logger: Logger): Promise<void> {
  for (const problem of await store.checkAndRepairHeads()) {
    if (problem.repairable) logger.warn(problem, 'store: head disagreed with the stored batches; rebuilt it from them')
    else logger.error(problem, 'store: damaged chain this node cannot repair by itself; sync will not fill it, restore the data dir or resync from peers into a fresh one')
  }
}

/**
 * The keys the local trust list accepts. Without a forum the node also trusts its own key, as a
 * small private setup expects. In a forum the list accepts nothing (root-signed records decide, and
 * forum.overrides is the explicit exception), and the node's own key counts only once the forum
 * admits it (hashmesh join), so an unadmitted node learns that at its first publish instead of
 * gossiping batches every peer ignores.
 */
function trustedKeys (options: NodeOptions, dataDir: DataDir): string[] {
  if (options.forum.roots.length > 0) return []
  return [...new Set([...options.trust, toHex(dataDir.publisherKey.publicKey)])]
}

interface Forum { membership: Membership, forumIngester: ForumRecordIngester }

/** Membership rebuilt from the stored forum records, before anything can arrive. */
async function loadForum (options: NodeOptions, dataDir: DataDir, store: HashStore, deps: NodeDeps): Promise<Forum> {
  const { roots, revokedEntries, overrides } = options.forum
  const membership = new Membership({ roots, trusted: trustedKeys(options, dataDir), overrides: overrides.map(o => o.key), revokedEntries })
  const forumIngester = new ForumRecordIngester(
    { store, membership, logger: deps.logger, metrics: createForumMetrics(deps.registry) },
    { network: options.network, maxClockSkewMs: options.maxClockSkewMs }
  )
  const loaded = await forumIngester.load()
  if (options.forum.roots.length > 0) deps.logger.info({ roots: options.forum.roots.length, ...loaded }, 'forum membership loaded')
  return { membership, forumIngester }
}

/** Lookups and the audit face over the same membership, allowlist and policy. */
function buildAnswering (parts: { store: HashStore, indexes: LookupIndexes, equivocations: EquivocationTracker, membership: Membership, allowlist: AllowlistStore, auditLog: AuditLog }, options: NodeOptions): { lookups: LookupService, audit: AuditService } {
  const { store, indexes, equivocations, membership, allowlist, auditLog } = parts
  const lookups = new LookupService({ store, indexes, equivocations, standing: membership, allowlist, policy: options.policy })
  const roots = options.forum.roots.map(hex => Uint8Array.from(Buffer.from(hex, 'hex')))
  const verdict = async (type: string, valueHex: string): Promise<{ match: boolean, reasons: string[], listed: boolean }> => {
    const result = await lookups.lookup(type, valueHex, type === 'pdq' ? { maxDistance: 0 } : {})
    const own = result.hashes.find(h => h.value === valueHex.toLowerCase())
    return own === undefined ? { match: false, reasons: ['not listed'], listed: false } : { match: own.match, reasons: own.reasons, listed: own.listed }
  }
  const audit = new AuditService({ store, auditLog, standing: membership, verdict, allowlist, equivocations, forumRoots: () => roots })
  return { lookups, audit }
}

/** Gauges read when /metrics is scraped: what the node holds and who it is connected to, nothing on the hot paths. */
function registerScrapedGauges (registry: Registry, parts: { indexes: LookupIndexes, libp2p: HashmeshLibp2p, topics: GossipTopic[], sync: SyncService }): void {
  registerPdqIndexGauges(registry, parts.indexes.pdq)
  registerPeerGauges(registry, { connectedPeers: () => parts.libp2p.getPeers().length, topics: parts.topics })
  registerSyncLagGauge(registry, parts.sync)
}

/** Inits the data dir (keys, token) if needed, opens the store and builds everything; call start() next. */
export async function createHashmeshNode (options: NodeOptions, deps: NodeDeps): Promise<HashmeshNode> {
  const { logger } = deps
  const dataDir = await initDataDir(options.dataDir)
  const store = await HashStore.open(dataDir.paths.db)
  try {
    await checkStore(store, logger)
    const auditLog = new AuditLog(store)
    await announceTrustSettings(auditLog, options, logger)
    const { membership, forumIngester } = await loadForum(options, dataDir, store, deps)
    const indexes = await LookupIndexes.load(store, logger)
    const allowlist = await AllowlistStore.load(store, auditLog)
    const equivocations = await EquivocationTracker.load({ store, trust: membership, logger }, { network: options.network })
    const ingester = new BatchIngester(
      { store, indexes, trust: membership, logger, equivocations, metrics: createIngestMetrics(deps.registry), untrustedBudget: new UntrustedByteBudget() },
      { network: options.network, maxClockSkewMs: options.maxClockSkewMs }
    )
    const topics = { batches: batchTopic(options.network), proofs: equivocationTopic(options.network), forum: forumTopic(options.network) }
    const policer = new PeerPolicer({ logger })
    const libp2p = await createLibp2pNode({
      privateKey: dataDir.peerKey, listen: options.listen, announce: options.announce, topics: Object.values(topics), connectionGater: policer.gater
    })
    policer.attach(libp2p)
    const reportingIngester = { ingest: policed(policer, async (bytes, source) => await ingester.ingest(bytes, source)) }
    const resync = coalesced(RESYNC_AFTER_CREDENTIAL_MS, () => { sync.syncAllConnected() })
    const reportingForum = policed(policer, async (bytes, source) => {
      const outcome = await forumIngester.ingest(bytes, source)
      if (outcome.code === 'ACCEPTED' && outcome.record?.body.credential !== undefined) resync()
      return outcome
    })
    const sync = new SyncService(
      {
        libp2p,
        store,
        sink: reportingIngester,
        trust: membership,
        logger,
        metrics: createSyncMetrics(deps.registry),
        forum: { digest: () => membership.digest(), records: async () => membership.signedRecords(), sink: reportingForum }
      },
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
    const forumGossip = new GossipTopic({ libp2p }, { topic: topics.forum, sink: async (bytes, from) => await reportingForum(bytes, `gossip:${from}`) })
    equivocations.onNewProof = proof => { spread(proofGossip, proof, logger) }
    const keeper = new PeerKeeper({ libp2p, logger }, { peers: options.bootstrap })
    const publisher = new BatchPublisher({ store, ingester, gossip, key: dataDir.publisherKey, logger, audit: auditLog }, { network: options.network })
    const { lookups, audit } = buildAnswering({ store, indexes, equivocations, membership, allowlist, auditLog }, options)
    const forum = new ForumFace({ membership, ingester: forumIngester, gossip: forumGossip, audit: auditLog, logger })
    const uploads = new UploadHasher(options.uploads)
    registerScrapedGauges(deps.registry, { indexes, libp2p, topics: [gossip, proofGossip, forumGossip], sync })
    return new HashmeshNode({
      dataDir, store, indexes, membership, forumIngester, auditLog, ingester, equivocations, libp2p, gossip, proofGossip, forumGossip, policer, sync, keeper, publisher, lookups, uploads,
      lookupMetrics: new LookupMetrics(deps.registry),
      allowlist: allowlistNodeApi(allowlist), forum, audit
    }, options, logger)
  } catch (err) {
    await store.close()
    throw err
  }
}
