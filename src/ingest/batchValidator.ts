import { verify } from '../crypto/ed25519.js'
import { toHex } from '../signals/hex.js'
import { decodeSignedBatch } from '../wire/batchCodec.js'
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
}

function decode (bytes: Uint8Array): DecodedBatch {
  try {
    return decodeSignedBatch(bytes)
  } catch (err) {
    if (err instanceof WireError) throw new BatchValidationError(actionForWireError(err.code), err.code, err.message)
    throw err
  }
}

/**
 * Every check a batch passes before it is stored or forwarded, cheapest first and the signature
 * last. Throws BatchValidationError carrying the gossip action; returns the decoded batch otherwise.
 */
export async function validateBatch (bytes: Uint8Array, ctx: ValidatorContext): Promise<DecodedBatch> {
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
