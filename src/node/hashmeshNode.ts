import { type OwnMembership, ownMembership } from '../forum/ownMembership.js'
import type { Logger } from '../logger.js'
import type { LookupQuery } from '../lookup/lookupService.js'
import { matchQueries, matchReport } from '../lookup/matchReport.js'
import type { ContentQuery } from '../matches/contentMatches.js'
import { MatchLogError } from '../matches/matchError.js'
import { checkContentId } from '../matches/matchInput.js'
import type { MatchSource } from '../matches/matchRecord.js'
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
import type { EvidenceNodeApi } from './evidenceApi.js'
import type { ForumNodeApi } from './forumApi.js'
import { type HooksNodeApi, hooksNodeApi } from './hooksApi.js'
import { type WatchNodeApi, watchNodeApi } from './watchApi.js'
import type {
  ContentLookupQuery, EntryInput, EquivocationDecision, EquivocationInfo, HashmeshNodeApi, LookupResult, LookupSummary, MatchResult, NodeMatchOptions,
  NodeStatus, PublishResult, Recorded
} from './interface.js'
import { type MatchesNodeApi, matchesNodeApi } from './matchesApi.js'
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

/** Match records past their retention go hourly: retention is counted in days, a pass is a few chunked writes. */
const MATCH_PRUNE_EVERY_MS = 60 * 60 * 1000

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
      // First to start and last to stop: deliveries run until the store closes, after the network stopped adding events.
      toStart: [
        c.deliverer,
        c.libp2p, c.gossip, c.proofGossip, c.forumGossip, c.sync, c.credentialResync, c.keeper,
        new Periodic({ everyMs: INDEX_MAINTENANCE_EVERY_MS }, () => { c.indexes.maintain(INDEX_MAINTENANCE_SLICE_MS) }),
        new Periodic({ everyMs: OWN_CREDENTIAL_CHECK_EVERY_MS, atStart: true }, () => { this.warnIfCredentialExpiring() }),
        new Periodic({ everyMs: MATCH_PRUNE_EVERY_MS, atStart: true }, () => { this.pruneMatches() })
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

  /** Prunes one pass at a time: a pass still running when the next is due is not doubled. */
  private pruning: Promise<void> | undefined

  private pruneMatches (): void {
    this.pruning ??= this.c.matchLog.prune()
      .then(pruned => { if (pruned > 0) this.logger.info({ pruned }, 'match records past their retention pruned') })
      .catch((err: unknown) => { this.logger.warn({ err: (err as Error).message }, 'could not prune match records; the next pass retries') })
      .finally(() => { this.pruning = undefined })
  }

  // Metered here rather than in LookupService: what clients ask is counted, not the lookups the audit face makes.
  async lookup (type: string, value: string, options: Omit<ContentLookupQuery, 'type' | 'value'> = {}): Promise<Recorded<LookupResult>> {
    const { contentId, ...rest } = options
    if (contentId !== undefined) checkContentId(contentId)
    const started = process.hrtime.bigint()
    const result = await this.c.lookups.lookup(type, value, rest)
    this.c.lookupMetrics.record(result.type === 'pdq' ? 'pdq' : 'exact', started, result)
    return (await this.recorded('lookup', [{ contentId, query: { type, value, ...rest }, result }]))[0]!
  }

  async lookupMany (queries: readonly ContentLookupQuery[]): Promise<Array<Recorded<LookupResult>>> {
    const plain = plainQueries(queries)
    const results = await this.c.lookupMetrics.timed('batch', async () => await this.c.lookups.lookupMany(plain))
    return await this.recorded('lookup', results.map((result, i) => ({ contentId: queries[i]!.contentId, query: plain[i]!, result })))
  }

  async summarise (queries: readonly ContentLookupQuery[]): Promise<Array<Recorded<LookupSummary>>> {
    const plain = plainQueries(queries)
    const results = await this.c.lookupMetrics.timed('batch', async () => await this.c.lookups.summarise(plain))
    return await this.recorded('lookup', results.map((result, i) => ({ contentId: queries[i]!.contentId, query: plain[i]!, result })))
  }

  async match (file: Uint8Array, options: NodeMatchOptions = {}): Promise<Recorded<MatchResult>> {
    if (options.contentId !== undefined) checkContentId(options.contentId)
    let queries: LookupQuery[] = []
    const result = await this.c.lookupMetrics.timed('match', async () => {
      const hashes = await this.c.uploads.hash(file, options)
      queries = matchQueries(hashes, options)
      return matchReport(hashes, await this.c.lookups.lookupMany(queries), options)
    })
    if (options.contentId === undefined || !result.match) return result
    const items = result.results.map((r, i) => ({ contentId: options.contentId, query: queries[i]!, result: r }))
    const matchId = (await this.c.contentMatches.record('match', items)).get(options.contentId)
    return matchId === undefined ? result : { ...result, matchId }
  }

  /**
   * Answers with the match id of each content id recorded. Only matched queries that name their
   * content reach the log: a request that matched nothing returns here without a read or a write.
   */
  private async recorded<T extends LookupSummary> (source: MatchSource, items: Array<ContentQuery & { result: T }>): Promise<Array<Recorded<T>>> {
    if (!items.some(i => i.contentId !== undefined && i.result.match)) return items.map(i => i.result)
    const ids = await this.c.contentMatches.record(source, items)
    return items.map(i => {
      const matchId = i.contentId === undefined ? undefined : ids.get(i.contentId)
      return matchId === undefined ? i.result : { ...i.result, matchId }
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

/** Lookup queries as the lookup service takes them; content ids are checked first, so a bad one fails before any answer. */
function plainQueries (queries: readonly ContentLookupQuery[]): LookupQuery[] {
  return queries.map(({ contentId, ...query }, i) => {
    if (contentId !== undefined) {
      try {
        checkContentId(contentId)
      } catch (err) {
        if (err instanceof MatchLogError) throw new MatchLogError(err.code, `queries[${i}]: ${err.message}`)
        throw err
      }
    }
    return query
  })
}

/** A running node: its own work beside the allowlist, forum, audit, evidence, webhook, match-log and watch-list faces, served as they are. */
export type HashmeshNode = NodeCore & AllowlistNodeApi & ForumNodeApi & AuditNodeApi & EvidenceNodeApi & HooksNodeApi & MatchesNodeApi & WatchNodeApi

/** Inits the data dir (keys, token) if needed, opens the store and builds everything; call start() next. */
export async function createHashmeshNode (options: NodeOptions, deps: NodeDeps): Promise<HashmeshNode> {
  const dataDir = await initDataDir(options.dataDir)
  const store = await HashStore.open(dataDir.paths.db, { logger: deps.logger })
  try {
    const c = await buildComponents(options, deps, dataDir, store)
    return Object.assign(
      new NodeCore(c, options, deps.logger),
      // Plain objects of closures: one source, as Object.assign is typed for four at most.
      { ...allowlistNodeApi(c.allowlist), ...hooksNodeApi(c), ...matchesNodeApi(c.matchLog, c.appeals), ...watchNodeApi(c.watch.list) },
      boundFace<ForumNodeApi>(c.forum, { forum: true, submitForumRecord: true }),
      {
        ...boundFace<AuditNodeApi>(c.audit, { provenance: true, auditVerify: true, auditLog: true, exportEntries: true, transparency: true }),
        ...{ evidence: async (query, actor): Promise<string> => await c.evidence.build(query, actor) } satisfies EvidenceNodeApi
      }
    )
  } catch (err) {
    await store.close()
    throw err
  }
}
