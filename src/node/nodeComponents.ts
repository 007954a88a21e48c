import { gossipSource } from '../wire/batchSource.js'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Registry } from 'prom-client'
import { AuditService } from '../audit/auditService.js'
import { EventOutbox } from '../events/eventOutbox.js'
import { HookRegistry } from '../events/hookRegistry.js'
import { createEventMetrics } from '../events/metrics.js'
import { EvidenceBuilder } from '../evidence/evidenceBuilder.js'
import { ForumRecordIngester } from '../forum/forumRecordIngester.js'
import { Membership } from '../forum/membership.js'
import { createForumMetrics } from '../forum/metrics.js'
import { registerPdqIndexGauges } from '../index/metrics.js'
import { BatchIngester } from '../ingest/batchIngester.js'
import { EquivocationTracker } from '../ingest/equivocationTracker.js'
import { createIngestMetrics } from '../ingest/metrics.js'
import { ownMembership } from '../forum/ownMembership.js'
import type { Logger } from '../logger.js'
import { AppealService } from '../matches/appeals.js'
import { ContentMatches } from '../matches/contentMatches.js'
import { MatchLog } from '../matches/matchLog.js'
import { LookupIndexes } from '../lookup/lookupIndexes.js'
import { LookupService } from '../lookup/lookupService.js'
import { LookupMetrics } from '../lookup/metrics.js'
import { GossipTopic } from '../network/gossipTopic.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../network/libp2pNode.js'
import { registerPeerGauges } from '../network/metrics.js'
import { PeerKeeper } from '../network/peerKeeper.js'
import { PeerPolicer } from '../network/peerPolicer.js'
import { SyncService, createSyncMetrics, registerSyncLagGauge } from '../network/sync/index.js'
import { TopicPublisher } from '../network/topicPublisher.js'
import { batchTopic, equivocationTopic, forumTopic } from '../network/topics.js'
import { UntrustedByteBudget } from '../network/untrustedByteBudget.js'
import { toHex } from '../signals/hex.js'
import { AllowlistStore } from '../store/allowlist.js'
import { AuditLog } from '../store/auditLog.js'
import type { HashStore } from '../store/hashStore.js'
import type { DecodedBatch } from '../wire/types.js'
import { HookDeliverer } from '../webhooks/hookDeliverer.js'
import { httpTransport } from '../webhooks/httpTransport.js'
import { HashJudge } from '../lookup/hashJudge.js'
import { createWatchMetrics } from '../watch/metrics.js'
import { defaultWatchOptions } from '../watch/options.js'
import { type WatchParts, loadWatchParts } from '../watch/watchParts.js'
import { BatchPublisher } from './batchPublisher.js'
import { CredentialResync } from './credentialResync.js'
import type { DataDir } from './dataDir.js'
import { ForumFace } from './forumFace.js'
import type { NodeOptions } from './options.js'
import { type PeerSinks, peerSinks } from './peerSinks.js'
import { announceTrustSettings } from './trustAudit.js'
import { UploadHasher } from './uploadHasher.js'

export interface NodeDeps {
  logger: Logger
  /** prom-client registry the node's metrics register in; the HTTP face serves it at /metrics. */
  registry: Registry
}

/** What a node is made of, each part built after the parts it uses (see buildComponents). */
export interface NodeComponents {
  dataDir: DataDir
  store: HashStore
  auditLog: AuditLog
  /** Webhook receivers, the outbox every event is written to (the parts' EventRecorder), and its delivery. */
  hooks: HookRegistry
  outbox: EventOutbox
  deliverer: HookDeliverer
  membership: Membership
  forumIngester: ForumRecordIngester
  indexes: LookupIndexes
  allowlist: AllowlistStore
  policer: PeerPolicer
  libp2p: HashmeshLibp2p
  equivocations: EquivocationTracker
  ingester: BatchIngester
  sync: SyncService
  credentialResync: CredentialResync
  gossip: GossipTopic
  proofGossip: GossipTopic
  forumGossip: GossipTopic
  keeper: PeerKeeper
  publisher: BatchPublisher
  lookups: LookupService
  lookupMetrics: LookupMetrics
  audit: AuditService
  forum: ForumFace
  uploads: UploadHasher
  matchLog: MatchLog
  contentMatches: ContentMatches
  appeals: AppealService
  evidence: EvidenceBuilder
  /** The platform's watch list and retroactive matching (its observer is in the ingester). */
  watch: WatchParts
}

type Stored = Pick<NodeComponents, 'auditLog' | 'membership' | 'forumIngester' | 'indexes' | 'allowlist' | 'matchLog'> & Events
type Events = Pick<NodeComponents, 'hooks' | 'outbox' | 'deliverer'>
type Ingest = Pick<NodeComponents, 'equivocations' | 'ingester' | 'watch'>
type Network = Pick<NodeComponents, 'sync' | 'credentialResync' | 'gossip' | 'proofGossip' | 'forumGossip' | 'keeper'>
type Answering = Pick<NodeComponents, 'publisher' | 'lookups' | 'lookupMetrics' | 'audit' | 'forum' | 'uploads' | 'contentMatches' | 'appeals' | 'evidence'>

/**
 * A credential arriving can make acceptable what this node refused a moment ago: one sync round
 * with every peer this long after a burst of them (see CredentialResync).
 */
const RESYNC_AFTER_CREDENTIAL_MS = 1_000

/**
 * Builds every part over an open store, in dependency order: what the store holds, then libp2p,
 * ingest, sync and gossip, then what answers the faces. Nothing runs until the node starts.
 */
export async function buildComponents (options: NodeOptions, deps: NodeDeps, dataDir: DataDir, store: HashStore): Promise<NodeComponents> {
  const stored = await loadStored(options, deps, dataDir, store)
  const policer = new PeerPolicer({ logger: deps.logger })
  const libp2p = await createLibp2pNode({
    privateKey: dataDir.peerKey,
    listen: options.listen,
    announce: options.announce,
    topics: [batchTopic(options.network), equivocationTopic(options.network), forumTopic(options.network)],
    connectionGater: policer.gater
  })
  policer.attach(libp2p)
  const ingest = await buildIngest(options, deps, { store, libp2p, ...stored })
  // Before anything can arrive: a policy change between runs, or a crash before a membership change was re-judged.
  await ingest.watch.list.reconcile()
  const arrivals = new EventTarget()
  const forumChanged = watchFollowsForum(ingest.watch, deps.logger)
  const sinks = peerSinks({ policer, forumIngester: stored.forumIngester, ...ingest, arrivals, forumChanged })
  const network = buildNetwork(options, deps, { store, libp2p, sinks, arrivals, membership: stored.membership })
  const answering = buildAnswering(options, deps, { dataDir, store, forumChanged, ...stored, ...ingest, ...network })
  registerScrapedGauges(deps.registry, { ...stored, ...network, libp2p })
  return { dataDir, store, policer, libp2p, ...stored, ...ingest, ...network, ...answering }
}

/** Heads checked, then the forum, the index and the allowlist rebuilt from the store, before anything can arrive. */
async function loadStored (options: NodeOptions, deps: NodeDeps, dataDir: DataDir, store: HashStore): Promise<Stored> {
  await checkStore(store, deps.logger)
  const auditLog = new AuditLog(store)
  await announceTrustSettings(auditLog, options, deps.logger)
  const events = await loadEvents(options, deps, dataDir, store, auditLog)
  const { membership, forumIngester } = await loadForum(options, dataDir, store, deps, events.outbox)
  const indexes = await LookupIndexes.load(store, deps.logger)
  const allowlist = await AllowlistStore.load(store, auditLog)
  // Built with what the store holds, so that ingest (retroactive matching) can record into it.
  const matchLog = new MatchLog({ store, audit: auditLog }, options.matches)
  return { auditLog, membership, forumIngester, indexes, allowlist, matchLog, ...events }
}

/** The hooks and the outbox before any part that emits events; delivery starts with the node. */
async function loadEvents (options: NodeOptions, deps: NodeDeps, dataDir: DataDir, store: HashStore, audit: AuditLog): Promise<Events> {
  const { logger } = deps
  const hooks = await HookRegistry.load({ store, audit, logger, secretsDir: dataDir.paths.hookSecrets })
  // Read only when /metrics is scraped, long after the outbox exists.
  const metrics = createEventMetrics(deps.registry, () => outbox.rowCounts())
  const outbox = await EventOutbox.load({ store, hooks, audit, logger, metrics }, options.hooks)
  const deliverer = new HookDeliverer({ outbox, hooks, transport: httpTransport, logger, metrics }, options.hooks)
  return { hooks, outbox, deliverer }
}

/** Heads against stored batches, every start: cheap (one small record per batch) and it says what it mended. */
async function checkStore (store: HashStore, logger: Logger): Promise<void> {
  for (const problem of await store.checkAndRepairHeads()) {
    if (problem.repairable) logger.warn(problem, 'store: head disagreed with the stored batches; rebuilt it from them')
    else {
      logger.error(problem,
        'store: damaged chain this node cannot repair by itself; sync will not fill it, restore the data dir or resync from peers into a fresh one')
    }
  }
}

/**
 * The keys the local trust list accepts. Without a forum the node also trusts its own key, as a
 * small private setup expects. In a forum the list accepts nothing (root-signed records decide, and
 * forum.overrides is the explicit exception), and the node's own key counts only once the forum
 * admits it (hashmesh join), so an unadmitted node learns that at its first publish instead of
 * gossiping batches every peer ignores.
 */
export function trustedKeys (options: NodeOptions, dataDir: DataDir): string[] {
  if (options.forum.roots.length > 0) return []
  return [...new Set([...options.trust, toHex(dataDir.publisherKey.publicKey)])]
}

/** Membership rebuilt from the stored forum records. */
async function loadForum (
  options: NodeOptions, dataDir: DataDir, store: HashStore, deps: NodeDeps, events: EventOutbox
): Promise<Pick<Stored, 'membership' | 'forumIngester'>> {
  const { roots, revokedEntries, overrides } = options.forum
  const membership = new Membership({ roots, trusted: trustedKeys(options, dataDir), overrides: overrides.map(o => o.key), revokedEntries })
  const forumIngester = new ForumRecordIngester(
    { store, membership, logger: deps.logger, metrics: createForumMetrics(deps.registry), events },
    { network: options.network, maxClockSkewMs: options.maxClockSkewMs }
  )
  const loaded = await forumIngester.load()
  if (roots.length > 0) deps.logger.info({ roots: roots.length, ...loaded }, 'forum membership loaded')
  return { membership, forumIngester }
}

/**
 * The equivocation tracker announces the proofs it finds on the proofs topic; a publisher that
 * needs no validator lets it exist before the GossipTopic that validates into it.
 */
async function buildIngest (options: NodeOptions, deps: NodeDeps, c: Stored & { store: HashStore, libp2p: HashmeshLibp2p }): Promise<Ingest> {
  const { store, membership } = c
  const { logger } = deps
  const proofs = new TopicPublisher({ libp2p: c.libp2p }, equivocationTopic(options.network))
  const onNewProof = (proof: Uint8Array): void => { spread(proofs, proof, logger) }
  const equivocations = await EquivocationTracker.load({ store, trust: membership, logger, onNewProof, events: c.outbox }, { network: options.network })
  const metrics = createIngestMetrics(deps.registry)
  const watch = await buildWatch(options, deps, c, async fn => await ingester.betweenBatches(fn))
  const ingester: BatchIngester = new BatchIngester(
    { store, indexes: c.indexes, trust: membership, logger, equivocations, metrics, untrustedBudget: new UntrustedByteBudget(), observers: [watch.observer] },
    { network: options.network, maxClockSkewMs: options.maxClockSkewMs }
  )
  return { equivocations, ingester, watch }
}

/**
 * The watch list over the lookups' own judgement (membership, allowlist, policy), observing every
 * batch stored and every allowlist edit; its matches go to the match log and its events to the
 * outbox, in the same writes.
 */
async function buildWatch (
  options: NodeOptions, deps: NodeDeps, c: Stored & { store: HashStore }, betweenBatches: <T>(fn: () => Promise<T>) => Promise<T>
): Promise<WatchParts> {
  const judge = new HashJudge({ standing: c.membership, allowlist: c.allowlist, policy: options.policy })
  const started = Date.now()
  const watch = await loadWatchParts({
    store: c.store,
    judge,
    lookupIndexes: c.indexes,
    events: c.outbox,
    matches: c.matchLog,
    metrics: indexes => createWatchMetrics(deps.registry, indexes),
    betweenBatches
  }, options.watch ?? defaultWatchOptions)
  c.allowlist.observe(watch.list.allowlistObserver())
  // Counts only: a watched hash or content id is never logged.
  deps.logger.info({ items: watch.indexes.size, matched: watch.indexes.matchedItems, ms: Date.now() - started }, 'watch list loaded from store')
  return watch
}

/**
 * Membership changed: the matched items are re-judged (a revocation under `hide`), and a member a
 * credential admits has its stored batches read again for watched hits, one publisher at a time.
 * Failures are logged; the next start's reconcile re-judges what is matched.
 */
function watchFollowsForum (watch: WatchParts, logger: Logger): (member?: Uint8Array) => void {
  let rescans = Promise.resolve()
  const failed = (err: unknown): void => { logger.warn({ err: (err as Error).message }, 'watch: re-judging after a forum record failed') }
  return member => {
    watch.list.reconcileSoon(failed)
    if (member !== undefined) rescans = rescans.then(async () => { await watch.list.rescanPublisher(member) }).catch(failed)
  }
}

/** Every node that learns of an equivocation tells its peers; one that already knows ignores it. */
function spread (proofs: TopicPublisher, proof: Uint8Array, logger: Logger): void {
  proofs.publish(proof).catch((err: unknown) => { logger.warn({ err: (err as Error).message }, 'could not gossip an equivocation proof') })
}

/** Sync and the three gossip topics feed the same policed sinks; gossip asks sync for a gap it reveals. */
function buildNetwork (
  options: NodeOptions, deps: NodeDeps, c: Pick<NodeComponents, 'store' | 'libp2p' | 'membership'> & { sinks: PeerSinks, arrivals: EventTarget }
): Network {
  const { libp2p, membership, sinks } = c
  const { logger } = deps
  const forumSync = { digest: () => membership.digest(), records: async () => membership.signedRecords(), sink: sinks.forum }
  const sync = new SyncService(
    { libp2p, store: c.store, sink: { ingest: sinks.batches }, trust: membership, logger, metrics: createSyncMetrics(deps.registry), forum: forumSync },
    { network: options.network, intervalMs: options.syncIntervalMs }
  )
  const credentialResync = new CredentialResync({ arrivals: c.arrivals, sync }, { afterMs: RESYNC_AFTER_CREDENTIAL_MS })
  const gossip = new GossipTopic({ libp2p }, {
    topic: batchTopic(options.network),
    sink: async (bytes, from) => {
      const outcome = await sinks.batches(bytes, gossipSource(from))
      if (outcome.code === 'PENDING' && outcome.batch !== undefined) fetchGap(sync, logger, from, outcome.batch, outcome.missingFrom ?? 1)
      return outcome
    }
  })
  const proofGossip = new GossipTopic({ libp2p }, {
    topic: equivocationTopic(options.network),
    sink: async (bytes, from) => await sinks.proofs(bytes, gossipSource(from))
  })
  const forumGossip = new GossipTopic({ libp2p }, {
    topic: forumTopic(options.network),
    sink: async (bytes, from) => await sinks.forum(bytes, gossipSource(from))
  })
  const keeper = new PeerKeeper({ libp2p, logger }, { peers: options.bootstrap })
  return { sync, credentialResync, gossip, proofGossip, forumGossip, keeper }
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

/** Publishing, lookups, the audit and forum faces, and upload hashing, over the same membership, allowlist and policy. */
function buildAnswering (
  options: NodeOptions, deps: NodeDeps, c: Stored & Ingest & Network & { dataDir: DataDir, store: HashStore, forumChanged: (member?: Uint8Array) => void }
): Answering {
  const { store, indexes, equivocations, membership, allowlist, auditLog } = c
  const { logger } = deps
  const publisher = new BatchPublisher(
    { store, ingester: c.ingester, gossip: c.gossip, key: c.dataDir.publisherKey, logger, audit: auditLog },
    { network: options.network }
  )
  const lookups = new LookupService({ store, indexes, equivocations, standing: membership, allowlist, policy: options.policy })
  const roots = options.forum.roots.map(hex => Uint8Array.from(Buffer.from(hex, 'hex')))
  const verdict = async (type: string, valueHex: string): Promise<{ match: boolean, reasons: string[], listed: boolean }> => {
    const result = await lookups.lookup(type, valueHex, type === 'pdq' ? { maxDistance: 0 } : {})
    const own = result.hashes.find(h => h.value === valueHex.toLowerCase())
    return own === undefined ? { match: false, reasons: ['not listed'], listed: false } : { match: own.match, reasons: own.reasons, listed: own.listed }
  }
  const audit = new AuditService({ store, auditLog, standing: membership, verdict, allowlist, equivocations, forumRoots: () => roots })
  const forum = new ForumFace({ membership, ingester: c.forumIngester, gossip: c.forumGossip, audit: auditLog, logger, onAccepted: c.forumChanged })
  const matches = buildMatches({ store, matchLog: c.matchLog, allowlist, membership, publisher, lookups, dataDir: c.dataDir, outbox: c.outbox })
  const evidence = new EvidenceBuilder({ store, forum: membership, auditLog, key: c.dataDir.publisherKey, network: options.network, matchLog: c.matchLog })
  return { publisher, lookups, lookupMetrics: new LookupMetrics(deps.registry), audit, forum, uploads: new UploadHasher(options.uploads), ...matches, evidence }
}

/**
 * The recording of lookups and uploads that name their content, and appeals. An
 * appeal publishes its false_positive opinion only when this node may opine: with no forum (as
 * `hashmesh opine` does then), or with a credential that grants the opine role. Appeal events go
 * to the outbox in the appeal's own write.
 */
function buildMatches (
  c: Pick<NodeComponents, 'store' | 'matchLog' | 'allowlist' | 'membership' | 'publisher' | 'lookups' | 'dataDir' | 'outbox'>
): Pick<NodeComponents, 'contentMatches' | 'appeals'> {
  const { store, matchLog, membership } = c
  const contentMatches = new ContentMatches({ log: matchLog, lookups: c.lookups })
  const own = toHex(c.dataDir.publisherKey.publicKey)
  const canOpine = (): boolean => {
    if (membership.rootKeys().length === 0) return true
    const nowMs = Date.now()
    const mine = ownMembership(membership.members(nowMs), own, nowMs)
    return mine.admitted && mine.roles?.includes('opine') === true
  }
  const appeals = new AppealService({ store, log: matchLog, allowlist: c.allowlist, publisher: c.publisher, canOpine, events: c.outbox })
  return { contentMatches, appeals }
}

/** Gauges read when /metrics is scraped: what the node holds and who it is connected to, nothing on the hot paths. */
function registerScrapedGauges (registry: Registry, c: Pick<NodeComponents, 'indexes' | 'libp2p' | 'sync' | 'gossip' | 'proofGossip' | 'forumGossip'>): void {
  registerPdqIndexGauges(registry, c.indexes.pdq)
  registerPeerGauges(registry, { connectedPeers: () => c.libp2p.getPeers().length, topics: [c.gossip, c.proofGossip, c.forumGossip] })
  registerSyncLagGauge(registry, c.sync)
}
