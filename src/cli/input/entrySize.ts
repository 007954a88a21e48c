import type { EntryInput } from '../../node/interface.js'
import { BATCH_ID_BYTES, PUBLIC_KEY_BYTES } from '../../wire/limits.js'

/**
 * Encoded sizes by the protobuf rules of proto/hashmesh.proto, so the CLI can cut batches under
 * MAX_BODY_BYTES before sending them. Exact for entries (action counted even when it is the
 * default and omitted), an upper bound for the body's other fields.
 */

/** Every field number in the proto is below 16: one tag byte. */
const TAG_BYTES = 1

/** A uint64 varint is at most 10 bytes. */
const MAX_VARINT64_BYTES = 10

/** NETWORK_PATTERN allows at most 64 characters. */
const MAX_NETWORK_BYTES = 64

/** The action enum: a tag and a one-byte varint. */
const ACTION_FIELD_BYTES = TAG_BYTES + 1

function varintBytes (n: number): number {
  let bytes = 1
  for (let rest = n; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}

function lengthDelimitedBytes (length: number): number {
  return TAG_BYTES + varintBytes(length) + length
}

/** Everything in a BatchBody except its entries, at its largest. */
export const BODY_HEADER_BYTES =
  lengthDelimitedBytes(PUBLIC_KEY_BYTES) + // publisher
  TAG_BYTES + MAX_VARINT64_BYTES + // seq
  lengthDelimitedBytes(BATCH_ID_BYTES) + // prev
  TAG_BYTES + MAX_VARINT64_BYTES + // created_at_ms
  lengthDelimitedBytes(MAX_NETWORK_BYTES) // network

/** What one checked entry adds to an encoded BatchBody. `value` is hex, as in EntryInput. */
export function entryWireBytes (entry: EntryInput): number {
  let inner = lengthDelimitedBytes(Buffer.byteLength(entry.type)) + lengthDelimitedBytes(entry.value.length / 2) + ACTION_FIELD_BYTES
  for (const label of entry.labels ?? []) inner += lengthDelimitedBytes(Buffer.byteLength(label))
  if (entry.reason !== undefined) inner += lengthDelimitedBytes(Buffer.byteLength(entry.reason))
  return lengthDelimitedBytes(inner)
}
