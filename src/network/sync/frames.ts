import type { AbortOptions, Stream } from '@libp2p/interface'
import {
  InvalidDataLengthError, InvalidDataLengthLengthError, InvalidMessageLengthError, UnexpectedEOFError,
  lpStream, type LengthPrefixedStream
} from '@libp2p/utils'
import { SyncError } from './errors.js'

export type FramedStream = LengthPrefixedStream<Stream>

/**
 * lpStream has no frame limit of its own: every use names the largest frame it will read, and may
 * raise how much may wait unread (lpStream's default is 4 MiB).
 */
export function framed (stream: Stream, maxFrameBytes: number, maxUnreadBytes?: number): FramedStream {
  return lpStream(stream, { maxDataLength: maxFrameBytes, maxBufferSize: maxUnreadBytes })
}

/** Length-prefix faults become SyncErrors, so they are counted and answered like any malformed input. */
function asSyncError (err: unknown): unknown {
  if (err instanceof InvalidDataLengthError || err instanceof InvalidDataLengthLengthError) {
    return new SyncError('OVERSIZED', 'frame longer than this protocol allows', { cause: err })
  }
  if (err instanceof InvalidMessageLengthError) return new SyncError('MALFORMED', 'invalid frame length', { cause: err })
  return err
}

/** Exactly one frame; a stream that ends first is malformed. */
export async function readFrame (lp: FramedStream, options: AbortOptions): Promise<Uint8Array> {
  try {
    return (await lp.read(options)).subarray()
  } catch (err) {
    if (err instanceof UnexpectedEOFError) throw new SyncError('MALFORMED', 'stream ended before a complete frame', { cause: err })
    throw asSyncError(err)
  }
}

/**
 * The next frame, or undefined once the remote has closed its side. lpStream reports a clean end and
 * a frame cut short alike; both end the response, and a cut frame is never used, so nothing is lost.
 */
export async function readFrameOrEnd (lp: FramedStream, options: AbortOptions): Promise<Uint8Array | undefined> {
  try {
    return (await lp.read(options)).subarray()
  } catch (err) {
    if (err instanceof UnexpectedEOFError) return undefined
    throw asSyncError(err)
  }
}
