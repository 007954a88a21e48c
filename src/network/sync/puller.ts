import type { PeerId } from '@libp2p/interface'
import type { IngestOutcome } from '../../ingest/batchIngester.js'
import type { Logger } from '../../logger.js'
import { toHex } from '../../signals/hex.js'
import type { BatchSink } from '../batchSink.js'
import type { SyncClient } from './client.js'
import type { SyncStore } from './interface.js'
import type { SyncMetrics } from './metrics.js'
import { PullProgress, type PullProgressView } from './progress.js'
import { syncSource } from '../../wire/batchSource.js'

/**
 * How a pull ended. COMPLETE: every seq up to the target arrived. REJECTED: the peer served a batch
 * the sink rejected (garbage). NO_PROGRESS: a chunk brought nothing new (the peer ran out, or only
 * sent what we had or could not use). UNEXPECTED_BATCH: a batch other than the seq asked for.
 * BUSY: this publisher was already being pulled from another peer.
 */
export type PullEnd = 'COMPLETE' | 'REJECTED' | 'NO_PROGRESS' | 'UNEXPECTED_BATCH' | 'BUSY'

export interface PullResult {
  /** Hex public key. */
  publisher: string
  peer: string
  fromSeq: number
  targetSeq: number
  /** Batches received. */
  fetched: number
  /** Batches the sink accepted (stored, or held until their predecessors arrive). */
  accepted: number
  end: PullEnd
}

export interface RangePullerComponents {
  client: SyncClient
  store: Pick<SyncStore, 'head'>
  sink: BatchSink
  logger: Logger
  metrics?: SyncMetrics
}

export interface RangePullerOptions {
  maxBatchesPerRange: number
  progressLogIntervalMs: number
}

function isBatchAt (outcome: IngestOutcome, publisher: string, seq: number): boolean {
  const body = outcome.batch?.body
  return body === undefined || (body.seq === seq && toHex(body.publisher) === publisher)
}

/**
 * Pulls a run of one publisher's batches from one peer, in chunks, into the sink. One pull per
 * publisher at a time: two peers serving the same history would only race to send it twice.
 */
export class RangePuller {
  private readonly components: RangePullerComponents
  private readonly options: RangePullerOptions
  private readonly active = new Map<string, PullProgress>()

  constructor (components: RangePullerComponents, options: RangePullerOptions) {
    this.components = components
    this.options = options
  }

  progress (): PullProgressView[] {
    return [...this.active.values()].map(p => p.view())
  }

  /** Pulls seq fromSeq..toSeq; resolves with how far it got, throws on transport and protocol errors. */
  async pull (peer: PeerId, publisher: Uint8Array, fromSeq: number, toSeq: number, signal: AbortSignal): Promise<PullResult> {
    const progress = new PullProgress({ publisher: toHex(publisher), peer: peer.toString(), fromSeq, targetSeq: toSeq })
    if (this.active.has(progress.publisher)) return this.finish(progress, 'BUSY')
    this.active.set(progress.publisher, progress)
    try {
      for (;;) {
        await this.skipStored(publisher, progress)
        if (progress.currentSeq >= progress.targetSeq) return this.finish(progress, 'COMPLETE')
        const end = await this.pullChunk(peer, publisher, progress, signal)
        if (end !== undefined) return this.finish(progress, end)
      }
    } finally {
      this.active.delete(progress.publisher)
    }
  }

  /**
   * Linking a batch can store held successors with it, and gossip or another pull may have moved
   * the head meanwhile: never ask for what is already stored.
   */
  private async skipStored (publisher: Uint8Array, progress: PullProgress): Promise<void> {
    progress.skipTo(await this.storedHead(publisher))
  }

  private async storedHead (publisher: Uint8Array): Promise<number> {
    return (await this.components.store.head(publisher))?.seq ?? 0
  }

  /**
   * One range request; undefined when it made progress and the pull should go on. Progress is a
   * batch accepted, or the stored chain reaching this chunk by another path (a race with gossip):
   * batches we already had do not count, or a peer could keep us asking for them.
   */
  private async pullChunk (peer: PeerId, publisher: Uint8Array, progress: PullProgress, signal: AbortSignal): Promise<PullEnd | undefined> {
    const fromSeq = progress.currentSeq + 1
    const count = Math.min(this.options.maxBatchesPerRange, progress.targetSeq - progress.currentSeq)
    const source = syncSource(progress.peer)
    const before = progress.accepted
    for await (const frame of this.components.client.range(peer, { publisher, fromSeq, count }, signal)) {
      progress.received()
      const outcome = await this.components.sink.ingest(frame, source)
      this.components.metrics?.batchesFetched.inc({ action: outcome.action })
      if (outcome.action === 'reject') {
        const at = { peer: progress.peer, publisher: progress.publisher, seq: progress.currentSeq + 1 }
        this.components.logger.debug({ ...at, code: outcome.code }, 'sync peer served a rejected batch')
        return 'REJECTED'
      }
      if (!isBatchAt(outcome, progress.publisher, progress.currentSeq + 1)) return 'UNEXPECTED_BATCH'
      progress.advance(outcome.action === 'accept', outcome.batch?.body.entries.length ?? 0)
      this.logProgress(progress)
    }
    if (progress.accepted > before || await this.storedHead(publisher) >= fromSeq) return undefined
    return 'NO_PROGRESS'
  }

  private logProgress (progress: PullProgress): void {
    if (!progress.logDue(this.options.progressLogIntervalMs)) return
    const { publisher, peer, fetched, entries, currentSeq, targetSeq } = progress
    const batchesPerSecond = progress.view().batchesPerSecond
    const etaSeconds = progress.etaSeconds()
    this.components.logger.info({ publisher, peer, fetched, entries, currentSeq, targetSeq, batchesPerSecond, etaSeconds }, 'sync catching up')
  }

  /** Info only when something was accepted: a peer sending nothing useful cannot fill the log. */
  private finish (progress: PullProgress, end: PullEnd): PullResult {
    this.components.metrics?.pulls.inc({ end })
    const { publisher, peer, fromSeq, targetSeq, fetched, accepted, entries } = progress
    const fields = { publisher, peer, fromSeq, targetSeq, currentSeq: progress.currentSeq, fetched, accepted, entries, end, seconds: progress.elapsedSeconds() }
    if (accepted > 0) this.components.logger.info(fields, 'sync pull finished')
    else if (end !== 'BUSY') this.components.logger.debug(fields, 'sync pull finished')
    return { publisher, peer, fromSeq, targetSeq, fetched, accepted, end }
  }
}
