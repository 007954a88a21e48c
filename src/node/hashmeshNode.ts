import { type OwnMembership, ownMembership } from '../forum/ownMembership.js'
import type { Logger } from '../logger.js'
import type { LookupQuery } from '../lookup/lookupService.js'
import { matchQueries, matchReport } from '../lookup/matchReport.js'
import type { Startable } from '../network/startable.js'
import { toHex } from '../signals/hex.js'
import { SIGNAL_TYPES } from '../signals/registry.js'
import type { AuditLog } from '../store/auditLog.js'
import { HashStore } from '../store/hashStore.js'
import { stateDigest } from '../store/stateDigest.js'
import { type AllowlistNodeApi, allowlistNodeApi } from './allowlistApi.js'
import type { AuditNodeApi } from './auditApi.js'
import { boundFace } from './boundFace.js'
import { initDataDir, type DataDir } from './dataDir.js'
import { DECISIONS, equivocationInfo } from './equivocationInfo.js'
import type { ForumNodeApi } from './forumApi.js'
import { type WatchNodeApi, watchNodeApi } from './watchApi.js'
import type {
  EntryInput, EquivocationDecision, EquivocationInfo, HashmeshNodeApi, LookupResult, LookupSummary, MatchResult, NodeMatchOptions, NodeStatus, PublishResult
} from './interface.js'
import { Lifecycle } from './lifecycle.js'
import { type NodeComponents, type NodeDeps, buildComponents, trustedKeys } from './nodeComponents.js'
import type { NodeOptions } from './options.js'
import { Periodic } from './periodic.js'
import { publisherStatuses } from './publisherStatus.js'

/**
 * How often, and for how long at most, the PDQ index catches up on merges that ingest left owed:
 * a few percent of one core while a burst is absorbed, nothing once it is.
 */
const INDEX_MAINTENANCE_EVERY_MS = 250
const INDEX_MAINTENANCE_SLICE_MS = 15

/** An expiring credential is logged at start and then once a day, where an operator's alerting looks. */
const OWN_CREDENTIAL_CHECK_EVERY_MS = 24 * 60 * 60 * 1000

/** What was opened while the node was built: nothing to start, closed when the node stops. */
function opened (part: { close: () => Promise<void> }): Startable {
  return { start: () => undefined, stop: async () => { await part.close() } }
}

/**
 * The node's own work over its components: lookups metered, publishing logged, status gathered,
 * and the components started in dependency order and stopped in reverse.
 */
export class NodeCore implements HashmeshNodeApi {
  readonly dataDir: DataDir
  private readonly c: NodeComponents
  private readonly options: NodeOptions
  private readonly logger: Logger
  private readonly lifecycle: Lifecycle
  private readonly startedAt = Date.now()
  private stopping: Promise<void> | undefined

  constructor (components: NodeComponents, options: NodeOptions, logger: Logger) {
    this.c = components
    this.dataDir = components.dataDir
    this.options = options
    this.logger = logger
    const c = components
    this.lifecycle = new Lifecycle({
      running: [opened(c.store), opened(c.uploads)],
      toStart: [
        c.libp2p, c.gossip, c.proofGossip, c.forumGossip, c.sync, c.credentialResync, c.keeper,
        new Periodic({ everyMs: INDEX_MAINTENANCE_EVERY_MS }, () => { c.indexes.maintain(INDEX_MAINTENANCE_SLICE_MS) }),
        new Periodic({ everyMs: OWN_CREDENTIAL_CHECK_EVERY_MS, atStart: true }, () => { this.warnIfCredentialExpiring() })
      ]
    })
  }

  get peerId (): string { return this.dataDir.peerId }
  get publisherKey (): string { return toHex(this.dataDir.publisherKey.publicKey) }

  /** Listen addresses with /p2p/<peerId>, available after start(). */
  multiaddrs (): string[] {
    return this.c.libp2p.getMultiaddrs().map(a => a.toString())
  }

  async start (): Promise<void> {
    await this.lifecycle.start()
  }

  /** Stops the network first so nothing arrives while the store closes. Safe to call twice. */
  async stop (): Promise<void> {
    this.stopping ??= this.lifecycle.stop()
    await this.stopping
  }

  /** This node's own credential, as the forum's records held here say. */
  ownMembership (nowMs = Date.now()): OwnMembership {
    return ownMembership(this.c.membership.members(nowMs), this.publisherKey, nowMs)
  }

  private warnIfCredentialExpiring (): void {
    if (this.c.membership.rootKeys().length === 0) return
    const own = this.ownMembership()
    if (own.expiresSoon) {
      this.logger.warn({ organisation: own.organisation, validUntil: own.validUntil },
        'this node\'s forum credential expires within 14 days: ask the forum\'s operator for a new one (hashmesh forum admit), then hashmesh join it')
    } else if (!own.admitted) {
      this.logger.warn({ status: own.status },
        'this node\'s publisher key has no active forum credential: peers refuse what it publishes until it joins (hashmesh join FILE)')
    }
  }

  // Metered here rather than in LookupService: what clients ask is counted, not the lookups the audit face makes.
  async lookup (type: string, value: string, options: Omit<LookupQuery, 'type' | 'value'> = {}): Promise<LookupResult> {
    const started = process.hrtime.bigint()
    const result = await this.c.lookups.lookup(type, value, options)
    this.c.lookupMetrics.record(result.type === 'pdq' ? 'pdq' : 'exact', started, result)
    return result
  }

  async lookupMany (queries: readonly LookupQuery[]): Promise<LookupResult[]> {
    return await this.c.lookupMetrics.timed('batch', async () => await this.c.lookups.lookupMany(queries))
  }

  async summarise (queries: readonly LookupQuery[]): Promise<LookupSummary[]> {
    return await this.c.lookupMetrics.timed('batch', async () => await this.c.lookups.summarise(queries))
  }

  async match (file: Uint8Array, options: NodeMatchOptions = {}): Promise<MatchResult> {
    return await this.c.lookupMetrics.timed('match', async () => {
      const hashes = await this.c.uploads.hash(file, options)
      return matchReport(hashes, await this.c.lookups.lookupMany(matchQueries(hashes, options)), options)
    })
  }

  async publish (entries: readonly EntryInput[], actor?: string): Promise<PublishResult> {
    const result = await this.c.publisher.publish(entries, actor)
    if (result.recipients === 0) this.logger.warn({ ...result }, 'published batch is stored but reached no peer yet')
    else this.logger.info({ ...result }, 'published batch')
    return result
  }

  async equivocations (): Promise<EquivocationInfo[]> {
    return this.c.equivocations.list().map(equivocationInfo)
  }

  async decideEquivocation (publisher: string, decision: EquivocationDecision, actor = 'admin'): Promise<EquivocationInfo> {
    const details = { publisher: publisher.toLowerCase(), decision }
    const audited = async (): ReturnType<AuditLog['opsFor']> => await this.c.auditLog.opsFor({ actor, action: 'equivocation.decide', details })
    return equivocationInfo(await this.c.equivocations.decide(publisher, DECISIONS[decision], audited))
  }

  async status (): Promise<NodeStatus> {
    const { libp2p, store, indexes, ingester, gossip, equivocations } = this.c
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
      bannedPeers: this.c.policer.banned(),
      held: ingester.heldTotals(),
      catchUp: this.c.sync.progress(),
      trustedPublishers: trustedKeys(this.options, this.dataDir),
      forum: this.forumStatus(),
      publishers: publisherStatuses(heads, ingester, equivocations),
      hashes,
      pdqIndex,
      validation: ingester.outcomeCounts(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000)
    }
  }

  private forumStatus (): NodeStatus['forum'] {
    const { membership, forumIngester } = this.c
    return {
      roots: membership.rootKeys(),
      overrides: this.options.forum.overrides,
      ignoredTrust: membership.rootKeys().length > 0 ? this.options.trust : [],
      records: membership.size,
      digest: toHex(membership.digest()),
      validation: forumIngester.outcomeCounts(),
      own: this.ownMembership()
    }
  }
}

/** A running node: its own work beside the allowlist, forum and audit faces, served as they are. */
export type HashmeshNode = NodeCore & AllowlistNodeApi & ForumNodeApi & AuditNodeApi & WatchNodeApi

/** Inits the data dir (keys, token) if needed, opens the store and builds everything; call start() next. */
export async function createHashmeshNode (options: NodeOptions, deps: NodeDeps): Promise<HashmeshNode> {
  const dataDir = await initDataDir(options.dataDir)
  const store = await HashStore.open(dataDir.paths.db, { logger: deps.logger })
  try {
    const c = await buildComponents(options, deps, dataDir, store)
    return Object.assign(
      new NodeCore(c, options, deps.logger),
      // Both are plain objects of closures: one argument, as Object.assign is typed for at most four.
      { ...allowlistNodeApi(c.allowlist), ...watchNodeApi(c.watch.list) },
      boundFace<ForumNodeApi>(c.forum, { forum: true, submitForumRecord: true }),
      boundFace<AuditNodeApi>(c.audit, { provenance: true, auditVerify: true, auditLog: true, exportEntries: true, transparency: true })
    )
  } catch (err) {
    await store.close()
    throw err
  }
}
