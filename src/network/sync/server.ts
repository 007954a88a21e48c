import type { Connection, Stream } from '@libp2p/interface'
import {
  decodeForumRequest, decodeHeadsRequest, decodeRangeRequest, encodeHeadsResponse
} from './codec.js'
import { SyncError, syncErrorCode } from './errors.js'
import { framed, readFrame } from './frames.js'
import { InFlight } from './inFlight.js'
import type { ForumSyncComponent, SyncComponents, SyncStore } from './interface.js'
import {
  MAX_CONCURRENT_SERVES, MAX_FORUM_FRAMES, MAX_HEADS, MAX_RANGE_RESPONSE_BYTES, MAX_RATE_LIMITED_PEERS, MAX_REQUEST_BYTES,
  MAX_STREAMS_PER_CONNECTION, SERVE_BURST, SERVE_RATE_PER_SECOND, SERVE_TIMEOUT_MS
} from './limits.js'
import { forumSyncProtocol, syncProtocols, type SyncProtocolName } from './protocols.js'
import { TokenBucket } from './tokenBucket.js'

async function serveHeads (stream: Stream, store: SyncStore, signal: AbortSignal): Promise<void> {
  const lp = framed(stream, MAX_REQUEST_BYTES)
  decodeHeadsRequest(await readFrame(lp, { signal }))
  // A store with more publishers than the bound answers with the first ones rather than not at all.
  const heads = (await store.heads()).slice(0, MAX_HEADS)
  await lp.write(encodeHeadsResponse(heads), { signal })
  await stream.close({ signal })
}

/** Sends stored batches in seq order until the count, the byte budget or the first missing seq. */
async function serveRange (stream: Stream, store: SyncStore, signal: AbortSignal): Promise<number> {
  const lp = framed(stream, MAX_REQUEST_BYTES)
  const { publisher, fromSeq, count } = decodeRangeRequest(await readFrame(lp, { signal }))
  let sent = 0
  let bytes = 0
  for (let seq = fromSeq; sent < count && seq <= Number.MAX_SAFE_INTEGER; seq++) {
    const batch = await store.getSignedBatch(publisher, seq)
    if (batch === undefined || (sent > 0 && bytes + batch.length > MAX_RANGE_RESPONSE_BYTES)) break
    await lp.write(batch, { signal })
    sent++
    bytes += batch.length
  }
  await stream.close({ signal })
  return sent
}

/** Every record held, unless the requester's digest says it holds the same ones already. */
async function serveForum (stream: Stream, forum: Pick<ForumSyncComponent, 'digest' | 'records'>, signal: AbortSignal): Promise<number> {
  const lp = framed(stream, MAX_REQUEST_BYTES)
  const theirs = decodeForumRequest(await readFrame(lp, { signal }))
  let sent = 0
  if (Buffer.compare(theirs, forum.digest()) !== 0) {
    for (const record of (await forum.records()).slice(0, MAX_FORUM_FRAMES)) {
      await lp.write(record, { signal })
      sent++
    }
  }
  await stream.close({ signal })
  return sent
}

type ServedProtocol = SyncProtocolName | 'forum'
type ServerComponents = Pick<SyncComponents, 'libp2p' | 'store' | 'logger' | 'metrics' | 'forum'>

/**
 * Answers heads, range and (with a forum) forum requests from any peer: signatures make the history self-authenticating,
 * so serving it needs no trust, only bounds (rate per peer, concurrency, size, time).
 */
export class SyncServer {
  private readonly components: ServerComponents
  private readonly protocols: Record<SyncProtocolName, string>
  private readonly forumProtocol: string
  private readonly limiter = new TokenBucket({ ratePerSecond: SERVE_RATE_PER_SECOND, burst: SERVE_BURST, maxKeys: MAX_RATE_LIMITED_PEERS })
  private readonly inFlight = new InFlight()
  private lifetime = new AbortController()
  private serving = 0

  constructor (components: ServerComponents, options: { network: string }) {
    this.components = components
    this.protocols = syncProtocols(options.network)
    this.forumProtocol = forumSyncProtocol(options.network)
  }

  async start (): Promise<void> {
    this.lifetime = new AbortController()
    const limits = { maxInboundStreams: MAX_STREAMS_PER_CONNECTION, maxOutboundStreams: MAX_STREAMS_PER_CONNECTION }
    for (const name of ['heads', 'range'] as const) {
      await this.components.libp2p.handle(this.protocols[name], async (stream, connection) => {
        await this.inFlight.track(this.accept(name, stream, connection))
      }, limits)
    }
    if (this.components.forum !== undefined) {
      await this.components.libp2p.handle(this.forumProtocol, async (stream, connection) => {
        await this.inFlight.track(this.accept('forum', stream, connection))
      }, limits)
    }
  }

  /** In-flight responses are aborted and awaited: the store may close right after. */
  async stop (): Promise<void> {
    this.lifetime.abort(new SyncError('STOPPED', 'sync stopped'))
    await this.components.libp2p.unhandle([...Object.values(this.protocols), ...(this.components.forum === undefined ? [] : [this.forumProtocol])])
    await this.inFlight.settled()
  }

  private async accept (name: ServedProtocol, stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const refusal = this.refusal(peer)
    if (refusal !== undefined) {
      this.fail(name, stream, peer, refusal)
      return
    }
    this.serving++
    const signal = AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(SERVE_TIMEOUT_MS)])
    try {
      const { store, metrics, forum } = this.components
      if (name === 'heads') await serveHeads(stream, store, signal)
      else if (name === 'range') metrics?.batchesServed.inc(await serveRange(stream, store, signal))
      else if (forum !== undefined) metrics?.forumRecordsServed.inc(await serveForum(stream, forum, signal))
      metrics?.served.inc({ protocol: name, outcome: 'ok' })
    } catch (err) {
      this.fail(name, stream, peer, err)
    } finally {
      this.serving--
    }
  }

  /** Rate first, so a peer over its limit spends tokens and not a serving slot. */
  private refusal (peer: string): SyncError | undefined {
    if (this.limiter.tryTake(peer) > 0) return new SyncError('RATE_LIMITED', `peer exceeded ${SERVE_RATE_PER_SECOND} sync requests per second`)
    if (this.serving >= MAX_CONCURRENT_SERVES) return new SyncError('BUSY', `already serving ${MAX_CONCURRENT_SERVES} sync requests`)
    return undefined
  }

  /** Debug only: a peer sending garbage or hammering must not be able to flood the log. */
  private fail (name: ServedProtocol, stream: Stream, peer: string, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    stream.abort(error)
    const code = syncErrorCode(err)
    this.components.metrics?.served.inc({ protocol: name, outcome: code })
    this.components.logger.debug({ peer, protocol: name, code, err: error.message }, 'sync request not served')
  }
}
