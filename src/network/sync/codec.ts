import type protobuf from 'protobufjs'
import { toHex } from '../../signals/hex.js'
import { BATCH_ID_BYTES, PUBLIC_KEY_BYTES } from '../../wire/limits.js'
import { SyncError } from './errors.js'
import { FORUM_DIGEST_BYTES, MAX_BATCHES_PER_RANGE, MAX_HEADS, MAX_HEADS_RESPONSE_BYTES, MAX_REQUEST_BYTES } from './limits.js'
import { ForumRequestType, HeadsRequestType, HeadsResponseType, RangeRequestType } from './schema.js'

/** One publisher's head as a peer reports it. */
export interface Head {
  publisher: Uint8Array
  seq: number
  headId: Uint8Array
}

export interface RangeRequest {
  publisher: Uint8Array
  fromSeq: number
  count: number
}

interface LongLike { high: number, toNumber: () => number }
type Uint64 = number | LongLike

/** A head as protobufjs decodes it, before checkHeads. */
interface RawHead { publisher: Uint8Array, seq: Uint64, headId: Uint8Array }

/** uint64 arrives as a Long; anything past 2^53 cannot be a real seq, so it is malformed. */
function toSafeInteger (v: Uint64): number | undefined {
  const n = typeof v === 'number' ? v : (v.high >>> 0) > 0x1fffff ? undefined : v.toNumber()
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined
}

function checkPublisher (publisher: Uint8Array): Uint8Array {
  if (publisher.length !== PUBLIC_KEY_BYTES) throw new SyncError('BAD_PUBLISHER', `publisher must be ${PUBLIC_KEY_BYTES} bytes`)
  return publisher
}

function checkSeq (raw: Uint64, field: string): number {
  const seq = toSafeInteger(raw)
  if (seq === undefined || seq < 1) throw new SyncError('BAD_SEQ', `${field} must be an integer from 1 to 2^53-1`)
  return seq
}

function checkCount (count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCHES_PER_RANGE) {
    throw new SyncError('BAD_COUNT', `count must be 1 to ${MAX_BATCHES_PER_RANGE}`)
  }
  return count
}

function checkHeads (heads: readonly RawHead[]): Head[] {
  if (heads.length > MAX_HEADS) throw new SyncError('TOO_MANY_HEADS', `${heads.length} heads, at most ${MAX_HEADS}`)
  const seen = new Set<string>()
  return heads.map(h => {
    const publisher = checkPublisher(h.publisher)
    const seq = checkSeq(h.seq, 'head seq')
    if (h.headId.length !== BATCH_ID_BYTES) throw new SyncError('BAD_HEAD_ID', `head id must be ${BATCH_ID_BYTES} bytes`)
    const key = toHex(publisher)
    if (seen.has(key)) throw new SyncError('DUPLICATE_HEAD', `publisher ${key} appears twice`)
    seen.add(key)
    return { publisher, seq, headId: h.headId }
  })
}

/** Size first, then parse: every decoder below throws SyncError and nothing else; each casts to its message's shape. */
function decode (type: protobuf.Type, bytes: Uint8Array, maxBytes: number): unknown {
  if (bytes.length > maxBytes) throw new SyncError('OVERSIZED', `${type.name} is ${bytes.length} bytes, at most ${maxBytes}`)
  try {
    return type.decode(bytes)
  } catch (err) {
    throw new SyncError('MALFORMED', `${type.name} is not valid protobuf`, { cause: err })
  }
}

export function encodeHeadsRequest (): Uint8Array {
  return HeadsRequestType.encode({}).finish()
}

/** The request has no fields; unknown ones are skipped, as proto3 intends, so a later version may add some. */
export function decodeHeadsRequest (bytes: Uint8Array): void {
  decode(HeadsRequestType, bytes, MAX_REQUEST_BYTES)
}

export function encodeHeadsResponse (heads: readonly Head[]): Uint8Array {
  return HeadsResponseType.encode({ heads: checkHeads(heads) }).finish()
}

export function decodeHeadsResponse (bytes: Uint8Array): Head[] {
  const raw = decode(HeadsResponseType, bytes, MAX_HEADS_RESPONSE_BYTES) as { heads: RawHead[] }
  return checkHeads(raw.heads)
}

/** Never produces what a responder would refuse. */
export function encodeRangeRequest (req: RangeRequest): Uint8Array {
  const checked = { publisher: checkPublisher(req.publisher), fromSeq: checkSeq(req.fromSeq, 'from_seq'), count: checkCount(req.count) }
  return RangeRequestType.encode(checked).finish()
}

export function decodeRangeRequest (bytes: Uint8Array): RangeRequest {
  const raw = decode(RangeRequestType, bytes, MAX_REQUEST_BYTES) as { publisher: Uint8Array, fromSeq: Uint64, count: number }
  return { publisher: checkPublisher(raw.publisher), fromSeq: checkSeq(raw.fromSeq, 'from_seq'), count: checkCount(raw.count) }
}

function checkDigest (digest: Uint8Array): Uint8Array {
  if (digest.length !== 0 && digest.length !== FORUM_DIGEST_BYTES) throw new SyncError('BAD_DIGEST', `digest must be empty or ${FORUM_DIGEST_BYTES} bytes`)
  return digest
}

/** `digest`: of the records the requester holds, or empty to ask for everything. */
export function encodeForumRequest (digest: Uint8Array): Uint8Array {
  return ForumRequestType.encode({ digest: checkDigest(digest) }).finish()
}

export function decodeForumRequest (bytes: Uint8Array): Uint8Array {
  const raw = decode(ForumRequestType, bytes, MAX_REQUEST_BYTES) as { digest: Uint8Array }
  return checkDigest(raw.digest)
}
