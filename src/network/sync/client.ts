import type { PeerId, Stream } from '@libp2p/interface'
import { setTimeout as sleep } from 'node:timers/promises'
import type { HashmeshLibp2p } from '../libp2pNode.js'
import { decodeHeadsResponse, encodeForumRequest, encodeHeadsRequest, encodeRangeRequest, type Head, type RangeRequest } from './codec.js'
import { SyncError, syncErrorCode } from './errors.js'
import { framed, readFrame, readFrameOrEnd } from './frames.js'
import {
  FORUM_READ_BUFFER_BYTES, MAX_FORUM_FRAME_BYTES, MAX_FORUM_FRAMES, MAX_HEADS_RESPONSE_BYTES, MAX_RANGE_FRAME_BYTES,
  MAX_RATE_LIMITED_PEERS, RANGE_READ_BUFFER_BYTES, REQUEST_BURST, REQUEST_RATE_PER_SECOND
} from './limits.js'
import type { SyncMetrics } from './metrics.js'
import { forumSyncProtocol, syncProtocols, type SyncProtocolName } from './protocols.js'
import { TokenBucket } from './tokenBucket.js'

export interface SyncClientOptions {
  network: string
  requestTimeoutMs: number
}

interface FrameBounds {
  maxFrameBytes: number
  /** What may pile up unread while the consumer works on one frame (see limits.ts). */
  bufferBytes: number
  maxFrames: number
  /** For the TOO_MANY_FRAMES message: "more than …". */
  what: string
}

function asError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/** The requesting side of the protocols: one stream per request, paced per peer, every wait bounded. */
export class SyncClient {
  private readonly libp2p: HashmeshLibp2p
  private readonly metrics: SyncMetrics | undefined
  private readonly protocols: Record<SyncProtocolName, string>
  private readonly forumProtocol: string
  private readonly requestTimeoutMs: number
  private readonly pacer = new TokenBucket({ ratePerSecond: REQUEST_RATE_PER_SECOND, burst: REQUEST_BURST, maxKeys: MAX_RATE_LIMITED_PEERS })

  constructor (components: { libp2p: HashmeshLibp2p, metrics?: SyncMetrics }, options: SyncClientOptions) {
    this.libp2p = components.libp2p
    this.metrics = components.metrics
    this.protocols = syncProtocols(options.network)
    this.forumProtocol = forumSyncProtocol(options.network)
    this.requestTimeoutMs = options.requestTimeoutMs
  }

  async heads (peer: PeerId, signal: AbortSignal): Promise<Head[]> {
    let outcome = 'ok'
    try {
      const stream = await this.open(peer, this.protocols.heads, signal)
      try {
        const lp = framed(stream, MAX_HEADS_RESPONSE_BYTES)
        await lp.write(encodeHeadsRequest(), { signal: this.deadline(signal) })
        await stream.close({ signal: this.deadline(signal) })
        return decodeHeadsResponse(await readFrame(lp, { signal: this.deadline(signal) }))
      } catch (err) {
        stream.abort(asError(err))
        throw err
      }
    } catch (err) {
      outcome = syncErrorCode(err)
      throw err
    } finally {
      this.metrics?.requests.inc({ protocol: 'heads', outcome })
    }
  }

  /**
   * Yields the batches of a range response as they arrive, so each is validated and stored before
   * the next is read. Leaving the loop early resets the stream: the responder stops sending.
   */
  async * range (peer: PeerId, request: RangeRequest, signal: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
    yield * this.frames(peer, 'range', encodeRangeRequest(request), signal, {
      maxFrameBytes: MAX_RANGE_FRAME_BYTES, bufferBytes: RANGE_READ_BUFFER_BYTES, maxFrames: request.count, what: `the ${request.count} batches asked for`
    })
  }

  /**
   * Yields the forum records a peer holds, unless its digest equals ours (then none), each to be
   * verified and stored before the next is read. Leaving the loop early resets the stream.
   */
  async * forum (peer: PeerId, digest: Uint8Array, signal: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
    yield * this.frames(peer, 'forum', encodeForumRequest(digest), signal, {
      maxFrameBytes: MAX_FORUM_FRAME_BYTES, bufferBytes: FORUM_READ_BUFFER_BYTES, maxFrames: MAX_FORUM_FRAMES, what: `${MAX_FORUM_FRAMES} forum records`
    })
  }

  /** One request frame out, then the response's frames as they arrive, at most `maxFrames` of them. */
  private async * frames (
    peer: PeerId, name: 'range' | 'forum', request: Uint8Array, signal: AbortSignal, bounds: FrameBounds
  ): AsyncGenerator<Uint8Array, void, undefined> {
    let outcome = 'ok'
    let stream: Stream | undefined
    let ended = false
    try {
      stream = await this.open(peer, name === 'range' ? this.protocols.range : this.forumProtocol, signal)
      const lp = framed(stream, bounds.maxFrameBytes, bounds.bufferBytes)
      await lp.write(request, { signal: this.deadline(signal) })
      await stream.close({ signal: this.deadline(signal) })
      for (let frames = 0; ; frames++) {
        const frame = await readFrameOrEnd(lp, { signal: this.deadline(signal) })
        if (frame === undefined) break
        if (frames === bounds.maxFrames) throw new SyncError('TOO_MANY_FRAMES', `more than ${bounds.what}`)
        yield frame
      }
      ended = true
    } catch (err) {
      outcome = syncErrorCode(err)
      stream?.abort(asError(err))
      throw err
    } finally {
      if (!ended && outcome === 'ok') stream?.abort(new Error(`${name} response no longer wanted`))
      this.metrics?.requests.inc({ protocol: name, outcome })
    }
  }

  private async open (peer: PeerId, protocol: string, signal: AbortSignal): Promise<Stream> {
    await this.pace(peer.toString(), signal)
    return await this.libp2p.dialProtocol(peer, protocol, { signal: this.deadline(signal) })
  }

  /** Waits for a request token: an honest requester never trips a responder's rate limit. */
  private async pace (peer: string, signal: AbortSignal): Promise<void> {
    for (let wait = this.pacer.tryTake(peer); wait > 0; wait = this.pacer.tryTake(peer)) {
      await sleep(wait, undefined, { signal, ref: false })
    }
  }

  private deadline (signal: AbortSignal): AbortSignal {
    return AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMs)])
  }
}
