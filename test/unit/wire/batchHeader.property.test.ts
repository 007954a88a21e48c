import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeSignedBatch, encodeBatchBody } from '../../../src/wire/batchCodec.js'
import { type BatchHeader, peekBatchHeader } from '../../../src/wire/batchHeader.js'
import { WireError } from '../../../src/wire/errors.js'
import { BATCH_ID_BYTES, NETWORK_PATTERN, PUBLIC_KEY_BYTES } from '../../../src/wire/limits.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { entry, rawBody, rawFields, rawSigned, throwsWire } from './fixtures.js'

const RUNS = 300
const SIGNATURE = new Uint8Array(64).fill(9)

const validSigned = fc.record({
  publisher: fc.uint8Array({ minLength: PUBLIC_KEY_BYTES, maxLength: PUBLIC_KEY_BYTES }),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  prev: fc.uint8Array({ minLength: BATCH_ID_BYTES, maxLength: BATCH_ID_BYTES }),
  createdAtMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  network: fc.stringMatching(NETWORK_PATTERN),
  entryCount: fc.integer({ min: 1, max: 6 })
}).map(({ entryCount, ...b }) => rawSigned(encodeBatchBody({
  ...b,
  prev: b.seq === 1 ? new Uint8Array(0) : b.prev,
  entries: Array.from({ length: entryCount }, () => entry())
}), SIGNATURE))

function peekOrUndefined (bytes: Uint8Array): BatchHeader | undefined {
  try {
    return peekBatchHeader(bytes)
  } catch (err) {
    if (!(err instanceof WireError)) throw new Error(`peekBatchHeader threw a non-WireError: ${String(err)}`, { cause: err })
    return undefined
  }
}

function decodeOrUndefined (bytes: Uint8Array): DecodedBatch | undefined {
  try {
    return decodeSignedBatch(bytes)
  } catch {
    return undefined
  }
}

function headerOf ({ body }: DecodedBatch): BatchHeader {
  const { entries, ...header } = body
  return { ...header, entryCount: entries.length }
}

/** What the ingest pre-check relies on: where both read a batch, they read the same header. */
function agrees (bytes: Uint8Array): void {
  const peeked = peekOrUndefined(bytes)
  const decoded = decodeOrUndefined(bytes)
  if (peeked !== undefined && decoded !== undefined) assert.deepEqual(peeked, headerOf(decoded))
}

describe('wire: batch header peek', function () {
  this.timeout(60_000)

  it('reads the same header as the full decode from every valid batch', function () {
    fc.assert(fc.property(validSigned, bytes => {
      assert.deepEqual(peekBatchHeader(bytes), headerOf(decodeSignedBatch(bytes)))
    }), { numRuns: RUNS })
  })

  it('agrees with the full decode on every mutation of a valid batch it can read, and throws only WireError', function () {
    fc.assert(fc.property(validSigned, fc.nat(), fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 40 }), (bytes, at, remove, insert) => {
      const start = at % bytes.length
      agrees(Buffer.concat([bytes.subarray(0, start), insert, bytes.subarray(Math.min(bytes.length, start + remove))]))
    }), { numRuns: RUNS * 3 })
  })

  it('throws only WireError on random bytes', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), agrees), { numRuns: RUNS * 3 })
  })

  it('applies the header rules of the full decode', function () {
    throwsWire(() => peekBatchHeader(rawSigned(rawBody(rawFields({ publisher: new Uint8Array(31) })), SIGNATURE)), 'BAD_PUBLISHER')
    throwsWire(() => peekBatchHeader(rawSigned(rawBody(rawFields({ seq: 2 })), SIGNATURE)), 'BAD_PREV')
    throwsWire(() => peekBatchHeader(rawSigned(rawBody(rawFields({ network: 'Bad Name' })), SIGNATURE)), 'BAD_NETWORK')
    throwsWire(() => peekBatchHeader(rawSigned(rawBody(rawFields({ entries: [] })), SIGNATURE)), 'NO_ENTRIES')
    throwsWire(() => peekBatchHeader(rawSigned(rawBody(rawFields()), new Uint8Array(63))), 'BAD_SIGNATURE_LENGTH')
    throwsWire(() => peekBatchHeader(Uint8Array.from([0x0a, 0x05, 1])), 'MALFORMED')
  })

  it('counts entries without decoding them: a bad entry still reads', function () {
    const bytes = rawSigned(rawBody(rawFields({ entries: [{ ...entry(), signalType: 'nope' }, entry()] })), SIGNATURE)
    throwsWire(() => decodeSignedBatch(bytes), 'UNKNOWN_SIGNAL_TYPE')
    assert.equal(peekBatchHeader(bytes).entryCount, 2)
  })
})
