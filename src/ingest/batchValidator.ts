import { verify } from '../crypto/ed25519.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
import { type BatchHeader, peekBatchHeader } from '../wire/batchHeader.js'
import { WireError } from '../wire/errors.js'
import type { DecodedBatch } from '../wire/types.js'
import type { TrustPolicy } from './trustPolicy.js'
import { BatchValidationError, actionForWireError } from './validationError.js'

/** The store reads validation needs; narrow so tests can pass a fake. */
export interface ValidatorStore {
  hasBatch: (id: Uint8Array) => Promise<boolean>
}

export interface ValidatorContext {
  network: string
  trust: TrustPolicy
  store: ValidatorStore
  /** How far in the future created_at_ms may be before the batch is ignored. */
  maxClockSkewMs: number
  now: () => number
  /**
   * Takes an untrusted batch's bytes from the budgets of the peer that sent it and of its publisher;
   * false once either is spent. Without it, untrusted batches are only refused.
   */
  spendUntrusted?: (publisher: Uint8Array, bytes: number) => boolean
}

function decode (bytes: Uint8Array): DecodedBatch {
  try {
    return decodeSignedBatch(bytes)
  } catch (err) {
    if (err instanceof WireError) throw new BatchValidationError(actionForWireError(err.code), err.code, err.message)
    throw err
  }
}

function peek (bytes: Uint8Array): BatchHeader | undefined {
  try {
    return peekBatchHeader(bytes)
  } catch (err) {
    if (err instanceof WireError) return undefined
    throw err
  }
}

/**
 * The cheap pre-check: an untrusted publisher's batch is refused from its header alone, before the
 * entries are decoded, the body hashed or the signature verified (a rogue key's flood used to cost
 * all three). An unknown publisher is refused whatever its entries say, so the policy judges the
 * header with no entries and gives the code the full path would. Anything the header does not settle
 * (unreadable, another network, a publisher with a standing) goes the full path, which names the
 * fault exactly: malformed input is still rejected, and trusted publishers see no change.
 */
function refuseUntrusted (bytes: Uint8Array, ctx: ValidatorContext): void {
  const header = peek(bytes)
  if (header === undefined || header.network !== ctx.network || ctx.trust.isTrusted(header.publisher)) return
  const refusal = ctx.trust.check({ ...header, entries: [] })
  if (refusal === undefined) return
  if (ctx.spendUntrusted?.(header.publisher, bytes.length) === false) {
    throw new BatchValidationError('ignore', 'UNTRUSTED_BUDGET', `untrusted publisher ${toHex(header.publisher)} or the peer relaying it is past its budget`)
  }
  throw new BatchValidationError('ignore', refusal.code, refusal.message)
}

/**
 * Every check a batch passes before it is stored or forwarded, cheapest first and the signature
 * last. Throws BatchValidationError carrying the gossip action; returns the decoded batch otherwise.
 */
export async function validateBatch (bytes: Uint8Array, ctx: ValidatorContext): Promise<DecodedBatch> {
  refuseUntrusted(bytes, ctx)
  const batch = decode(bytes)
  const { body } = batch
  if (body.network !== ctx.network) {
    throw new BatchValidationError('reject', 'WRONG_NETWORK', `batch is for network "${body.network}", this node is on "${ctx.network}"`)
  }
  // Before the signature: membership is a few map lookups, and a refusal here blames nobody.
  const refusal = ctx.trust.check(body)
  if (refusal !== undefined) throw new BatchValidationError('ignore', refusal.code, refusal.message)
  if (body.createdAtMs > ctx.now() + ctx.maxClockSkewMs) {
    throw new BatchValidationError('ignore', 'FUTURE_TIMESTAMP', `batch created_at ${body.createdAtMs} is more than ${ctx.maxClockSkewMs} ms in the future`)
  }
  if (await ctx.store.hasBatch(batch.id)) {
    throw new BatchValidationError('ignore', 'DUPLICATE', `batch ${toHex(batch.id)} is already stored`)
  }
  if (!verify(batch.signature, batch.bodyBytes, body.publisher)) {
    throw new BatchValidationError('reject', 'BAD_SIGNATURE', `signature of batch ${toHex(batch.id)} does not verify`)
  }
  return batch
}
