import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  decodeHeadsRequest, decodeHeadsResponse, decodeRangeRequest, encodeHeadsRequest, encodeHeadsResponse, encodeRangeRequest,
  type Head, type RangeRequest
} from '../../../src/network/sync/codec.js'
import { SyncError } from '../../../src/network/sync/errors.js'
import { MAX_BATCHES_PER_RANGE, MAX_HEADS, MAX_REQUEST_BYTES } from '../../../src/network/sync/limits.js'
import { HeadsResponseType, RangeRequestType } from '../../../src/network/sync/schema.js'
import { BATCH_ID_BYTES, PUBLIC_KEY_BYTES } from '../../../src/wire/limits.js'

const RUNS = 500

const bytesOf = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const seqArb = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }))

const rangeRequestArb: fc.Arbitrary<RangeRequest> = fc.record({
  publisher: bytesOf(PUBLIC_KEY_BYTES),
  fromSeq: seqArb,
  count: fc.integer({ min: 1, max: MAX_BATCHES_PER_RANGE })
})

const headsArb: fc.Arbitrary<Head[]> = fc.uniqueArray(
  fc.record({ publisher: bytesOf(PUBLIC_KEY_BYTES), seq: seqArb, headId: bytesOf(BATCH_ID_BYTES) }),
  { maxLength: 20, selector: h => Buffer.from(h.publisher).toString('hex') }
)

const plain = (heads: Head[]): unknown => heads.map(h => ({
  publisher: Buffer.from(h.publisher).toString('hex'), seq: h.seq, headId: Buffer.from(h.headId).toString('hex')
}))

function codeOf (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    if (!(err instanceof SyncError)) throw new Error(`threw a non-SyncError: ${String(err)}`, { cause: err })
    return err.code
  }
}

describe('sync codec (property)', function () {
  it('round-trips every valid range request', function () {
    fc.assert(fc.property(rangeRequestArb, req => {
      const back = decodeRangeRequest(encodeRangeRequest(req))
      assert.deepEqual({ ...back, publisher: Buffer.from(back.publisher) }, { ...req, publisher: Buffer.from(req.publisher) })
      assert.ok(encodeRangeRequest(req).length <= MAX_REQUEST_BYTES)
    }), { numRuns: RUNS })
  })

  it('round-trips every valid heads response, and the empty heads request', function () {
    fc.assert(fc.property(headsArb, heads => {
      assert.deepEqual(plain(decodeHeadsResponse(encodeHeadsResponse(heads))), plain(heads))
    }), { numRuns: RUNS })
    decodeHeadsRequest(encodeHeadsRequest())
  })

  it('random bytes never make a decoder throw anything but a SyncError', function () {
    const decoders = [decodeHeadsRequest, decodeHeadsResponse, decodeRangeRequest]
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), bytes => {
      for (const decode of decoders) codeOf(() => { decode(bytes) })
    }), { numRuns: RUNS * 4 })
  })

  it('a valid message with one byte changed decodes or throws a SyncError', function () {
    const mutated = <T>(arb: fc.Arbitrary<T>, encode: (v: T) => Uint8Array): fc.Arbitrary<Uint8Array> =>
      fc.tuple(arb.map(encode).filter(b => b.length > 0), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([b, i, x]) => {
        const copy = Uint8Array.from(b)
        copy[i % copy.length]! ^= x
        return copy
      })
    fc.assert(fc.property(mutated(rangeRequestArb, encodeRangeRequest), bytes => { codeOf(() => decodeRangeRequest(bytes)) }), { numRuns: RUNS })
    fc.assert(fc.property(mutated(headsArb, encodeHeadsResponse), bytes => { codeOf(() => decodeHeadsResponse(bytes)) }), { numRuns: RUNS })
  })

  it('names the field at fault', function () {
    const publisher = new Uint8Array(PUBLIC_KEY_BYTES)
    const headId = new Uint8Array(BATCH_ID_BYTES)
    const range = (fields: object): string | undefined => codeOf(() => decodeRangeRequest(RangeRequestType.encode(fields).finish()))
    assert.equal(range({ publisher, fromSeq: 1, count: 1 }), undefined)
    assert.equal(range({ publisher: publisher.slice(1), fromSeq: 1, count: 1 }), 'BAD_PUBLISHER')
    assert.equal(range({ publisher, fromSeq: 0, count: 1 }), 'BAD_SEQ')
    assert.equal(range({ publisher, fromSeq: 2 ** 53, count: 1 }), 'BAD_SEQ')
    assert.equal(range({ publisher, fromSeq: 1, count: 0 }), 'BAD_COUNT')
    assert.equal(range({ publisher, fromSeq: 1, count: MAX_BATCHES_PER_RANGE + 1 }), 'BAD_COUNT')
    assert.equal(codeOf(() => decodeRangeRequest(new Uint8Array(MAX_REQUEST_BYTES + 1))), 'OVERSIZED')
    assert.equal(codeOf(() => decodeRangeRequest(Uint8Array.of(0xff, 0xff))), 'MALFORMED')

    const heads = (list: object[]): string | undefined => codeOf(() => decodeHeadsResponse(HeadsResponseType.encode({ heads: list }).finish()))
    assert.equal(heads([{ publisher, seq: 1, headId }]), undefined)
    assert.equal(heads([{ publisher, seq: 1, headId: headId.slice(1) }]), 'BAD_HEAD_ID')
    assert.equal(heads([{ publisher, seq: 0, headId }]), 'BAD_SEQ')
    assert.equal(heads([{ publisher, seq: 1, headId }, { publisher, seq: 2, headId }]), 'DUPLICATE_HEAD')
    const distinctKey = (i: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, j) => j < 4 ? (i >> (8 * j)) & 0xff : 0)
    const many = Array.from({ length: MAX_HEADS + 1 }, (_, i) => ({ publisher: distinctKey(i), seq: 1, headId }))
    assert.equal(heads(many), 'TOO_MANY_HEADS')
  })

  it('never encodes what a responder would refuse', function () {
    const publisher = new Uint8Array(PUBLIC_KEY_BYTES)
    assert.equal(codeOf(() => encodeRangeRequest({ publisher, fromSeq: 1, count: MAX_BATCHES_PER_RANGE + 1 })), 'BAD_COUNT')
    assert.equal(codeOf(() => encodeRangeRequest({ publisher, fromSeq: 0.5, count: 1 })), 'BAD_SEQ')
    assert.equal(codeOf(() => encodeHeadsResponse([{ publisher: publisher.slice(2), seq: 1, headId: new Uint8Array(BATCH_ID_BYTES) }])), 'BAD_PUBLISHER')
  })
})
