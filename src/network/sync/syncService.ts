import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { PeerQueue, QueueFullError } from '@libp2p/utils'
import { toHex } from '../../signals/hex.js'
import { PUBLIC_KEY_BYTES } from '../../wire/limits.js'
import { AdvertisedHeads, type PublisherLag } from './advertisedHeads.js'
import { SyncClient } from './client.js'
import { SyncError, syncErrorCode } from './errors.js'
import { InFlight } from './inFlight.js'
import type { SyncComponents } from './interface.js'
import { MAX_QUEUED_PEER_SYNCS } from './limits.js'
import { resolveSyncOptions, type ResolvedSyncOptions, type SyncOptions } from './options.js'
import type { PullProgressView } from './progress.js'
import { forumSyncProtocol, syncProtocols } from './protocols.js'
import { RangePuller, type PullResult } from './puller.js'
import { SyncServer } from './server.js'
import type { Startable } from '../startable.js'
import { syncSource } from '../../wire/batchSource.js'

/**
 * Catch-up sync: gossip is lossy, so a node that was offline, just joined or was partitioned asks
 * peers for their heads and pulls the trusted history it lacks, feeding every batch to the same
 * sink as gossip. It also serves its own store to any peer.
 */
export class SyncService implements Startable {
  private readonly components: SyncComponents
  private readonly options: ResolvedSyncOptions
  private readonly protocols: string[]
  private readonly forumProtocol: string
  private readonly server: SyncServer
  private readonly puller: RangePuller
  private readonly client: SyncClient
  private readonly rounds: PeerQueue<PullResult[]>
  private readonly inFlight = new InFlight()
  private readonly advertised = new AdvertisedHeads()
  private lifetime: AbortController | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => { this.onPeerIdentified(evt.detail) }

  constructor (components: SyncComponents, options: SyncOptions) {
    this.components = components
    this.options = resolveSyncOptions(options)
    this.protocols = Object.values(syncProtocols(this.options.network))
    this.forumProtocol = forumSyncProtocol(this.options.network)
    const { libp2p, store, sink, logger, metrics, forum } = components
    this.server = new SyncServer({ libp2p, store, logger, metrics, forum }, this.options)
    this.client = new SyncClient({ libp2p, metrics }, this.options)
    this.puller = new RangePuller({ client: this.client, store, sink, logger, metrics }, this.options)
    this.rounds = new PeerQueue({ concurrency: this.options.maxConcurrentPeers, maxSize: MAX_QUEUED_PEER_SYNCS })
  }

  async start (): Promise<void> {
    if (this.lifetime !== undefined) return
    this.lifetime = new AbortController()
    await this.server.start()
    this.components.libp2p.addEventListener('peer:identify', this.onIdentify)
    this.timer = setInterval(() => { this.syncAllConnected() }, this.options.intervalMs)
    this.timer.unref()
  }

  /**
   * Aborts every round and request in flight and stops serving; resolves once none of them can
   * touch the store any more. Safe to call twice.
   */
  async stop (): Promise<void> {
    if (this.lifetime === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
    this.components.libp2p.removeEventListener('peer:identify', this.onIdentify)
    this.lifetime.abort(new SyncError('STOPPED', 'sync stopped'))
    this.lifetime = undefined
    this.rounds.abort()
    await this.server.stop()
    await this.inFlight.settled()
  }

  /**
   * One round with a peer: its forum records (with a forum), then its heads, then every trusted
   * publisher it is ahead on, pulled from our head + 1. A round already running for the peer is joined rather than started twice.
   */
  async syncWith (peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<PullResult[]> {
    this.requireStarted()
    const running = this.rounds.find(peer)
    if (running !== undefined) return await running.join(options)
    return await this.rounds.add(async ({ signal }) => await this.inFlight.track(this.round(peer, signal)), { peerId: peer, signal: options.signal })
  }

  /**
   * Fetches exactly seq fromSeq..toSeq of one publisher from one peer: for a gap gossip revealed
   * (a batch arrived before its predecessors), from the peer that sent the batch.
   */
  async requestRange (peer: PeerId, publisher: Uint8Array, fromSeq: number, toSeq: number, options: { signal?: AbortSignal } = {}): Promise<PullResult> {
    this.requireStarted()
    if (publisher.length !== PUBLIC_KEY_BYTES) throw new SyncError('INVALID_ARGUMENT', `publisher must be ${PUBLIC_KEY_BYTES} bytes`)
    if (!Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(toSeq) || fromSeq < 1 || toSeq < fromSeq) {
      throw new SyncError('INVALID_ARGUMENT', 'need integers 1 <= fromSeq <= toSeq')
    }
    return await this.inFlight.track(this.puller.pull(peer, publisher, fromSeq, toSeq, this.withLifetime(options.signal)))
  }

  /** Catch-ups under way, one per publisher, for the status output. */
  progress (): PullProgressView[] {
    return this.puller.progress()
  }

  /**
   * How far behind this node is, per trusted publisher a peer has advertised a head for, against
   * the best head advertised so far. Publishers no longer trusted are forgotten here.
   */
  async lag (): Promise<PublisherLag[]> {
    const { store, trust } = this.components
    this.advertised.prune(publisher => trust.isTrusted(publisher))
    const ours = new Map((await store.heads()).map(h => [toHex(h.publisher), h.seq]))
    return this.advertised.lags(ours)
  }

  private requireStarted (): AbortController {
    if (this.lifetime === undefined) throw new SyncError('NOT_STARTED', 'sync is not started')
    return this.lifetime
  }

  /** Everything in flight ends when the service stops, whatever the caller's own signal says. */
  private withLifetime (signal: AbortSignal | undefined): AbortSignal {
    const { signal: lifetime } = this.requireStarted()
    return signal === undefined ? lifetime : AbortSignal.any([lifetime, signal])
  }

  private async round (peer: PeerId, jobSignal: AbortSignal | undefined): Promise<PullResult[]> {
    const { store, trust, metrics } = this.components
    const signal = this.withLifetime(jobSignal)
    try {
      // Forum records first: a node back from offline learns a revocation before it pulls the
      // revoked member's batches, so the ones past the cut are refused rather than stored.
      await this.pullForum(peer, signal)
      const results: PullResult[] = []
      for (const head of await this.client.heads(peer, signal)) {
        if (!trust.isTrusted(head.publisher)) continue
        this.advertised.note(head.publisher, head.seq)
        const ours = (await store.head(head.publisher))?.seq ?? 0
        if (head.seq > ours) results.push(await this.puller.pull(peer, head.publisher, ours + 1, head.seq, signal))
      }
      metrics?.rounds.inc({ outcome: 'ok' })
      return results
    } catch (err) {
      metrics?.rounds.inc({ outcome: syncErrorCode(err) })
      throw err
    }
  }

  /** Stops reading at the first record the sink rejects: the peer serves garbage, the rest is not worth verifying. */
  private async pullForum (peer: PeerId, signal: AbortSignal): Promise<void> {
    const { forum, metrics, logger } = this.components
    if (forum === undefined || !await this.speaksForum(peer)) return
    const source = syncSource(peer.toString())
    for await (const frame of this.client.forum(peer, forum.digest(), signal)) {
      const outcome = await forum.sink(frame, source)
      metrics?.forumRecordsFetched.inc({ action: outcome.action })
      if (outcome.action === 'reject') {
        logger.debug({ peer: peer.toString(), code: outcome.code }, 'sync peer served a rejected forum record')
        return
      }
    }
  }

  /** A peer without a forum (or of an older version) is still synced for batches. */
  private async speaksForum (peer: PeerId): Promise<boolean> {
    try {
      return (await this.components.libp2p.peerStore.get(peer)).protocols.includes(this.forumProtocol)
    } catch {
      return false
    }
  }

  /** Background rounds: failures are the peer's or the network's, so debug only. */
  private schedule (peer: PeerId): void {
    this.syncWith(peer).catch((err: unknown) => {
      if (err instanceof QueueFullError) this.components.metrics?.rounds.inc({ outcome: 'QUEUE_FULL' })
      this.components.logger.debug({ peer: peer.toString(), code: syncErrorCode(err), err: (err as Error).message }, 'sync round failed')
    })
  }

  /** Peers without sync, or running it for another network, are never asked. */
  private speaksSync (protocols: readonly string[]): boolean {
    return this.protocols.every(p => protocols.includes(p))
  }

  /** After identify rather than on connection:open, so the peer's protocols are known. */
  private onPeerIdentified (result: IdentifyResult): void {
    if (this.speaksSync(result.protocols)) this.schedule(result.peerId)
  }

  /**
   * A round with every connected peer that speaks sync, now rather than at the next interval: for
   * when what this node accepts has just changed (a new credential), so history it refused comes in.
   */
  syncAllConnected (): void {
    if (this.lifetime === undefined) return
    const { libp2p } = this.components
    for (const peer of libp2p.getPeers()) {
      libp2p.peerStore.get(peer)
        .then(({ protocols }) => { if (this.speaksSync(protocols)) this.schedule(peer) })
        .catch((err: unknown) => {
          this.components.logger.debug({ peer: peer.toString(), err: (err as Error).message }, 'sync skipped a peer not in the peer store')
        })
    }
  }
}
