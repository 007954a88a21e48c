import { sha256 } from '@noble/hashes/sha2.js'
import { findSignalType } from '../signals/registry.js'
import { WireError } from './errors.js'
import { checkHeader } from './batchHeader.js'
import { LABEL_PATTERN, MAX_BODY_BYTES, MAX_LABELS_PER_ENTRY, MAX_SIGNED_BATCH_BYTES, REASON_PATTERN, SIGNATURE_BYTES } from './limits.js'
import { BatchBodyType, SignedBatchType } from './schema.js'
import type { LongLike } from './uint64.js'
import { Action, type BatchBody, type DecodedBatch, type Entry, isOpinion } from './types.js'

interface RawEntry { signalType: string, value: Uint8Array, labels: string[], action: number, reason?: string }
interface RawBody {
  publisher: Uint8Array
  seq: number | LongLike
  prev: Uint8Array
  createdAtMs: number | LongLike
  network: string
  entries: RawEntry[]
}

export function batchId (bodyBytes: Uint8Array): Uint8Array {
  return sha256(bodyBytes)
}

function checkEntry (e: RawEntry, i: number): Entry {
  const type = findSignalType(e.signalType)
  if (type === undefined) throw new WireError('UNKNOWN_SIGNAL_TYPE', `entry ${i}: unknown signal type "${e.signalType.slice(0, 32)}"`)
  if (e.value.length !== type.length) {
    throw new WireError('BAD_VALUE_LENGTH', `entry ${i}: ${type.name} value must be ${type.length} bytes, got ${e.value.length}`)
  }
  if (!Number.isInteger(e.action) || e.action < Action.ADD || e.action > Action.WITHDRAW) {
    throw new WireError('BAD_ACTION', `entry ${i}: unknown action ${e.action}`)
  }
  const action = e.action as Action
  const reason = e.reason ?? ''
  if (isOpinion(action)) {
    if (e.labels.length > 0) throw new WireError('OPINION_WITH_LABELS', `entry ${i}: an opinion carries no labels`)
    if (reason !== '' && !REASON_PATTERN.test(reason)) {
      throw new WireError('BAD_REASON', `entry ${i}: reason must be 1-32 of a-z 0-9 _ . - starting with a letter or digit`)
    }
  } else if (reason !== '') {
    throw new WireError('BAD_REASON', `entry ${i}: only an opinion carries a reason`)
  }
  if (e.labels.length > MAX_LABELS_PER_ENTRY) throw new WireError('TOO_MANY_LABELS', `entry ${i}: ${e.labels.length} labels, at most ${MAX_LABELS_PER_ENTRY}`)
  for (const label of e.labels) {
    if (!LABEL_PATTERN.test(label)) throw new WireError('BAD_LABEL', `entry ${i}: label must be 1-64 printable ASCII characters without ';' or ','`)
  }
  return { signalType: type.name, value: e.value, labels: e.labels, action, ...(reason === '' ? {} : { reason }) }
}

/** Every structural rule of a body; shared by encode (never produce) and decode (never accept). */
function checkBody (raw: RawBody): BatchBody {
  // Field by field: protobufjs keeps absent fields' defaults on the prototype, where a spread misses them.
  const { publisher, seq, prev, createdAtMs, network, entries } = raw
  const { entryCount, ...header } = checkHeader({ publisher, seq, prev, createdAtMs, network, entryCount: entries.length })
  return { ...header, entries: entries.map(checkEntry) }
}

function decodeOrThrow (type: typeof SignedBatchType, bytes: Uint8Array, what: string): unknown {
  try {
    return type.decode(bytes)
  } catch (err) {
    throw new WireError('MALFORMED', `${what} is not valid protobuf`, { cause: err })
  }
}

/** Validates and encodes a body. Throws WireError for anything a receiver would reject. */
export function encodeBatchBody (body: BatchBody): Uint8Array {
  const checked = checkBody(body)
  const bytes = BatchBodyType.encode(BatchBodyType.fromObject(checked)).finish()
  if (bytes.length > MAX_BODY_BYTES) throw new WireError('OVERSIZED', `batch body is ${bytes.length} bytes, at most ${MAX_BODY_BYTES}`)
  return bytes
}

export function encodeSignedBatch (bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_BYTES) throw new WireError('BAD_SIGNATURE_LENGTH', `signature must be ${SIGNATURE_BYTES} bytes`)
  return SignedBatchType.encode({ body: bodyBytes, signature }).finish()
}

export function decodeBatchBody (bodyBytes: Uint8Array): BatchBody {
  if (bodyBytes.length > MAX_BODY_BYTES) throw new WireError('OVERSIZED', `batch body is ${bodyBytes.length} bytes, at most ${MAX_BODY_BYTES}`)
  return checkBody(decodeOrThrow(BatchBodyType, bodyBytes, 'batch body') as RawBody)
}

/**
 * Decodes a SignedBatch with every bound checked; the signature is NOT verified here (that is the
 * expensive step, done last by the ingest validator).
 */
export function decodeSignedBatch (signedBytes: Uint8Array): DecodedBatch {
  if (signedBytes.length > MAX_SIGNED_BATCH_BYTES) {
    throw new WireError('OVERSIZED', `signed batch is ${signedBytes.length} bytes, at most ${MAX_SIGNED_BATCH_BYTES}`)
  }
  const raw = decodeOrThrow(SignedBatchType, signedBytes, 'signed batch') as { body: Uint8Array, signature: Uint8Array }
  if (raw.signature.length !== SIGNATURE_BYTES) throw new WireError('BAD_SIGNATURE_LENGTH', `signature must be ${SIGNATURE_BYTES} bytes`)
  const body = decodeBatchBody(raw.body)
  return { id: batchId(raw.body), bodyBytes: raw.body, signature: raw.signature, body, signedBytes }
}
