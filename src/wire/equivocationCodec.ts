import { decodeSignedBatch } from './batchCodec.js'
import { WireError } from './errors.js'
import { MAX_PROOF_BYTES } from './limits.js'
import { EquivocationProofType } from './schema.js'
import type { DecodedBatch } from './types.js'

export interface DecodedProof { a: DecodedBatch, b: DecodedBatch }

export function encodeEquivocationProof (a: Uint8Array, b: Uint8Array): Uint8Array {
  const bytes = EquivocationProofType.encode({ batchA: a, batchB: b }).finish()
  if (bytes.length > MAX_PROOF_BYTES) throw new WireError('OVERSIZED', `proof is ${bytes.length} bytes, at most ${MAX_PROOF_BYTES}`)
  return bytes
}

/** Decodes both batches with every bound checked; whether they really conflict is for the caller. */
export function decodeEquivocationProof (bytes: Uint8Array): DecodedProof {
  if (bytes.length > MAX_PROOF_BYTES) throw new WireError('OVERSIZED', `proof is ${bytes.length} bytes, at most ${MAX_PROOF_BYTES}`)
  let raw: { batchA: Uint8Array, batchB: Uint8Array }
  try {
    raw = EquivocationProofType.decode(bytes) as unknown as typeof raw
  } catch (err) {
    throw new WireError('MALFORMED', 'equivocation proof is not valid protobuf', { cause: err })
  }
  return { a: decodeSignedBatch(raw.batchA), b: decodeSignedBatch(raw.batchB) }
}
