import assert from 'node:assert/strict'
import { WireError, type WireErrorCode } from '../../../src/wire/errors.js'
import { BatchBodyType, SignedBatchType } from '../../../src/wire/schema.js'
import { Action, type BatchBody, type Entry } from '../../../src/wire/types.js'

export const PUBLISHER = new Uint8Array(32).fill(0xaa)
export const PREV = new Uint8Array(32).fill(0xbb)

export function entry (overrides: Partial<Entry> = {}): Entry {
  return { signalType: 'sha256', value: new Uint8Array(32).fill(7), labels: ['csam'], action: Action.ADD, ...overrides }
}

export function body (overrides: Partial<BatchBody> = {}): BatchBody {
  return {
    publisher: PUBLISHER,
    seq: 1,
    prev: new Uint8Array(0),
    createdAtMs: 1_700_000_000_000,
    network: 'forum',
    entries: [entry()],
    ...overrides
  }
}

/**
 * Encodes whatever it is given, bypassing every check in batchCodec: this is how a buggy or hostile
 * peer's bytes look, so the decoder's own checks can be hit one at a time.
 */
export function rawBody (fields: Record<string, unknown>): Uint8Array {
  return BatchBodyType.encode(BatchBodyType.fromObject(fields)).finish()
}

export function rawSigned (bodyBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  return SignedBatchType.encode({ body: bodyBytes, signature }).finish()
}

/** A raw body as plain fields, for decode-side tests that change one field at a time. */
export function rawFields (overrides: object = {}): Record<string, unknown> {
  const b = body()
  return { ...b, entries: b.entries.map(e => ({ ...e })), ...overrides }
}

export function throwsWire (fn: () => unknown, code: WireErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WireError, `expected a WireError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

/** Byte fields as hex so that Buffer (what protobufjs decodes to) and Uint8Array compare equal. */
export function comparable (b: BatchBody): unknown {
  const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex')
  return {
    ...b,
    publisher: hex(b.publisher),
    prev: hex(b.prev),
    entries: b.entries.map(e => ({ ...e, value: hex(e.value), labels: [...e.labels] }))
  }
}

/** One protobuf length-delimited field with a number the schema does not know (skipped on decode). */
export function unknownField (fieldNumber: number, payload: Uint8Array): Uint8Array {
  const tag = (fieldNumber << 3) | 2
  assert.ok(tag < 0x80 && payload.length < 0x80, 'single-byte tag and length only')
  return new Uint8Array([tag, payload.length, ...payload])
}

const FULL_LABEL = 'x'.repeat(64)

function fullEntry (i: number): Entry {
  const value = new Uint8Array(32)
  new DataView(value.buffer).setUint32(0, i)
  return entry({ value, labels: Array.from({ length: 16 }, () => FULL_LABEL) })
}

/**
 * A valid body whose encoding is exactly `target` bytes: entries padded with the largest labels
 * allowed (about 1 KiB each), then the last label grown or shrunk until the size matches.
 */
export function bodyOfSize (target: number): BatchBody {
  const sizeWith = (n: number): number => rawBody(rawFields(body({ entries: Array.from({ length: n }, (_, i) => fullEntry(i)) }))).length
  const perEntry = sizeWith(2) - sizeWith(1)
  const n = Math.max(1, Math.floor((target - sizeWith(1)) / perEntry))
  const b = body({ entries: Array.from({ length: n }, (_, i) => fullEntry(i)) })
  for (let round = 0; round < 200; round++) {
    const diff = target - rawBody(rawFields(b)).length
    if (diff === 0) return b
    const last = b.entries[b.entries.length - 1]!
    const labels = last.labels
    const tail = labels[labels.length - 1] ?? ''
    if (diff > 0) {
      if (tail.length < 64 && labels.length > 0) labels[labels.length - 1] = 'y'.repeat(Math.min(64, tail.length + diff))
      else if (labels.length < 16) labels.push('z'.repeat(Math.max(1, Math.min(64, diff - 2))))
      else b.entries.push(entry({ value: new Uint8Array(32).fill(0xee), labels: [] }))
    } else if (tail.length > 1) {
      labels[labels.length - 1] = 'y'.repeat(Math.max(1, tail.length + diff))
    } else if (labels.length > 0) {
      labels.pop()
    } else {
      b.entries.pop()
    }
  }
  throw new Error(`could not build a body of exactly ${target} bytes`)
}
