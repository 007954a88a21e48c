import protobuf from 'protobufjs'
import { WireError } from './errors.js'
import { BATCH_ID_BYTES, MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH, MAX_SIGNED_BATCH_BYTES, NETWORK_PATTERN, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './limits.js'
import { type LongLike, toSafeInteger } from './uint64.js'
import type { BatchBody } from './types.js'

/** A batch body without its entries: what trust is judged on. */
export type BatchHeader = Omit<BatchBody, 'entries'> & { entryCount: number }

/** The header fields as they come off the wire, before the structural rules. */
export interface RawHeader {
  publisher: Uint8Array
  seq: number | LongLike
  prev: Uint8Array
  createdAtMs: number | LongLike
  network: string
  entryCount: number
}

const LENGTH_DELIMITED = 2
const VARINT = 0

/** The structural rules of a body's header fields; the codec applies the same ones to a full decode. */
export function checkHeader (raw: RawHeader): BatchHeader {
  if (raw.publisher.length !== PUBLIC_KEY_BYTES) throw new WireError('BAD_PUBLISHER', `publisher must be ${PUBLIC_KEY_BYTES} bytes`)
  const seq = toSafeInteger(raw.seq)
  if (seq === undefined || seq < 1) throw new WireError('BAD_SEQ', 'seq must be an integer from 1 to 2^53-1')
  const expectedPrev = seq === 1 ? 0 : BATCH_ID_BYTES
  if (raw.prev.length !== expectedPrev) throw new WireError('BAD_PREV', `prev must be ${expectedPrev} bytes when seq is ${seq}`)
  const createdAtMs = toSafeInteger(raw.createdAtMs)
  if (createdAtMs === undefined) throw new WireError('BAD_TIMESTAMP', 'created_at_ms out of range')
  if (!NETWORK_PATTERN.test(raw.network)) throw new WireError('BAD_NETWORK', 'network must match [a-z0-9][a-z0-9._-]{0,63}')
  if (raw.entryCount === 0) throw new WireError('NO_ENTRIES', 'a batch needs at least one entry')
  if (raw.entryCount > MAX_ENTRIES_PER_BATCH) throw new WireError('TOO_MANY_ENTRIES', `${raw.entryCount} entries, at most ${MAX_ENTRIES_PER_BATCH}`)
  // protobufjs yields a plain [] for an absent bytes field, and other encoders omit an empty prev.
  const prev = raw.prev.length === 0 ? new Uint8Array(0) : raw.prev
  return { publisher: raw.publisher, seq, prev, createdAtMs, network: raw.network, entryCount: raw.entryCount }
}

/** Fails on a field whose wire type the schema does not give it: protobufjs would misread it. */
function expect (wireType: number, wanted: number): void {
  if (wireType !== wanted) throw new WireError('MALFORMED', 'unexpected wire type')
}

/**
 * Reads the body's own fields and steps over each entry without decoding it; proto3 rules as
 * protobufjs applies them (absent = default, the last of a repeated scalar wins, unknown skipped).
 */
function readHeader (body: Uint8Array): RawHeader {
  const reader = protobuf.Reader.create(body)
  const raw: RawHeader = { publisher: new Uint8Array(0), seq: 0, prev: new Uint8Array(0), createdAtMs: 0, network: '', entryCount: 0 }
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    const field = tag >>> 3
    const wireType = tag & 7
    switch (field) {
      case 1: expect(wireType, LENGTH_DELIMITED); raw.publisher = reader.bytes(); break
      case 2: expect(wireType, VARINT); raw.seq = reader.uint64() as unknown as LongLike; break
      case 3: expect(wireType, LENGTH_DELIMITED); raw.prev = reader.bytes(); break
      case 4: expect(wireType, VARINT); raw.createdAtMs = reader.uint64() as unknown as LongLike; break
      case 5: expect(wireType, LENGTH_DELIMITED); raw.network = reader.string(); break
      case 6: expect(wireType, LENGTH_DELIMITED); reader.skipType(wireType); raw.entryCount++; break
      default: reader.skipType(wireType)
    }
  }
  return raw
}

/** The body and signature of a SignedBatch, located without copying either. */
function readSigned (signedBytes: Uint8Array): { body: Uint8Array, signature: Uint8Array } {
  const reader = protobuf.Reader.create(signedBytes)
  let body: Uint8Array = new Uint8Array(0)
  let signature: Uint8Array = new Uint8Array(0)
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    const field = tag >>> 3
    if (field === 1 || field === 2) expect(tag & 7, LENGTH_DELIMITED)
    if (field === 1) body = reader.bytes()
    else if (field === 2) signature = reader.bytes()
    else reader.skipType(tag & 7)
  }
  return { body, signature }
}

/**
 * The header of a SignedBatch, read without decoding a single entry, hashing or verifying: a few
 * microseconds for the largest batch where a full decode takes milliseconds. Entries are only
 * counted, not checked, so a header that passes here can still belong to a batch the full decode
 * refuses. Throws WireError on anything it cannot read; callers then fall back to the full decode,
 * which names the fault exactly.
 */
export function peekBatchHeader (signedBytes: Uint8Array): BatchHeader {
  if (signedBytes.length > MAX_SIGNED_BATCH_BYTES) throw new WireError('OVERSIZED', 'signed batch too large')
  try {
    const { body, signature } = readSigned(signedBytes)
    if (signature.length !== SIGNATURE_BYTES) throw new WireError('BAD_SIGNATURE_LENGTH', `signature must be ${SIGNATURE_BYTES} bytes`)
    if (body.length > MAX_BODY_BYTES) throw new WireError('OVERSIZED', 'batch body too large')
    return checkHeader(readHeader(body))
  } catch (err) {
    if (err instanceof WireError) throw err
    throw new WireError('MALFORMED', 'batch header is not valid protobuf', { cause: err })
  }
}
