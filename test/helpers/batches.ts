import { randomBytes } from 'node:crypto'
import { publicKeyOf, sign } from '../../src/crypto/ed25519.js'
import { requireSignalType } from '../../src/signals/registry.js'
import { decodeSignedBatch, encodeBatchBody, encodeSignedBatch } from '../../src/wire/batchCodec.js'
import { Action, type DecodedBatch, type Entry } from '../../src/wire/types.js'

export const TEST_NETWORK = 'test'

export interface BatchSpec {
  secretKey: Uint8Array
  seq: number
  /** Batch id of the publisher's batch seq-1; leave out for seq 1 (the codec refuses a wrong length). */
  prev?: Uint8Array
  entries: Entry[]
  network?: string
  createdAtMs?: number
}

/**
 * A signed batch built by the real codec and decoded back, exactly as a receiver would see it
 * (the signature is valid; `signedBytes` are the bytes that would travel).
 */
export function makeSignedBatch (spec: BatchSpec): DecodedBatch {
  const bodyBytes = encodeBatchBody({
    publisher: publicKeyOf(spec.secretKey),
    seq: spec.seq,
    prev: spec.prev ?? new Uint8Array(0),
    createdAtMs: spec.createdAtMs ?? Date.now(),
    network: spec.network ?? TEST_NETWORK,
    entries: spec.entries
  })
  return decodeSignedBatch(encodeSignedBatch(bodyBytes, sign(bodyBytes, spec.secretKey)))
}

/** Batches seq 1..n of one publisher, each linked to the previous by `prev`. */
export function makeChain (secretKey: Uint8Array, entriesPerBatch: Entry[][], network?: string): DecodedBatch[] {
  const chain: DecodedBatch[] = []
  for (const entries of entriesPerBatch) {
    const prev = chain.at(-1)?.id
    chain.push(makeSignedBatch({ secretKey, seq: chain.length + 1, prev, entries, network }))
  }
  return chain
}

export function randomValue (signalType: string): Uint8Array {
  return randomBytes(requireSignalType(signalType).length)
}

/** `count` entries of fresh random values; `fields` overrides labels and action for all of them. */
export function randomEntries (count: number, signalType = 'sha256', fields: Partial<Pick<Entry, 'labels' | 'action'>> = {}): Entry[] {
  return Array.from({ length: count }, () => ({
    signalType,
    value: randomValue(signalType),
    labels: fields.labels ?? ['test'],
    action: fields.action ?? Action.ADD
  }))
}
