import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import {
  batchId, decodeBatchBody, decodeSignedBatch, encodeBatchBody, encodeSignedBatch
} from '../../../src/wire/batchCodec.js'
import {
  BATCH_ID_BYTES, MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH, MAX_LABEL_BYTES, MAX_LABELS_PER_ENTRY,
  MAX_SIGNED_BATCH_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES
} from '../../../src/wire/limits.js'
import { SIGNAL_TYPES } from '../../../src/signals/registry.js'
import { Action, type BatchBody } from '../../../src/wire/types.js'
import {
  PREV, body, bodyOfSize, comparable, entry, rawBody, rawFields, rawSigned, throwsWire, unknownField
} from './fixtures.js'

const SIG = new Uint8Array(SIGNATURE_BYTES).fill(0x5a)
/** uint64 values past 2^53 given as decimal strings, which protobufjs turns into exact 64-bit Longs. */
const TWO_TO_53 = '9007199254740992'

function roundTrip (b: BatchBody): BatchBody {
  return decodeBatchBody(encodeBatchBody(b))
}

/** The decode side of a rule: bytes an honest encoder refuses to produce must be refused on arrival. */
function decodeRaw (overrides: Record<string, unknown>): BatchBody {
  return decodeBatchBody(rawBody(rawFields(overrides)))
}

describe('wire: batch codec', function () {
  describe('round trip', function () {
    it('keeps every field of a body with every signal type, both actions and labels', function () {
      const entries = SIGNAL_TYPES.flatMap((t, i) => [
        entry({ signalType: t.name, value: new Uint8Array(t.length).fill(i + 1), labels: [], action: Action.ADD }),
        entry({ signalType: t.name, value: new Uint8Array(t.length).fill(0xf0 + i), labels: ['spam', 'a-b_c.d:e', '!~'], action: Action.RETRACT })
      ])
      const b = body({ seq: 42, prev: PREV, createdAtMs: 1_712_345_678_901, network: 'trust.and-safety_1', entries })
      assert.deepEqual(comparable(roundTrip(b)), comparable(b))
    })

    it('keeps a first batch (seq 1, empty prev) and gives back prev as bytes', function () {
      const decoded = roundTrip(body())
      assert.deepEqual(comparable(decoded), comparable(body()))
      assert.ok(decoded.prev instanceof Uint8Array)
    })

    it('gives back an empty prev as bytes when the encoder omitted the field', function () {
      // Other protobuf encoders leave out an empty bytes field altogether.
      const fields = rawFields()
      delete fields.prev
      const decoded = decodeBatchBody(rawBody(fields))
      assert.ok(decoded.prev instanceof Uint8Array)
      assert.equal(decoded.prev.length, 0)
    })

    it('keeps a signed batch: body bytes, signature, id and the signed bytes themselves', function () {
      const bodyBytes = encodeBatchBody(body({ seq: 2, prev: PREV }))
      const signed = encodeSignedBatch(bodyBytes, SIG)
      const d = decodeSignedBatch(signed)
      assert.deepEqual(Uint8Array.from(d.bodyBytes), Uint8Array.from(bodyBytes))
      assert.deepEqual(Uint8Array.from(d.signature), SIG)
      assert.deepEqual(comparable(d.body), comparable(body({ seq: 2, prev: PREV })))
      assert.equal(d.signedBytes, signed)
    })

    it('accepts the largest seq and created_at that are exact in a JavaScript number (2^53 - 1)', function () {
      const max = Number.MAX_SAFE_INTEGER
      const b = body({ seq: max, prev: PREV, createdAtMs: max })
      assert.deepEqual(comparable(roundTrip(b)), comparable(b))
    })

    it('accepts created_at 0', function () {
      assert.equal(roundTrip(body({ createdAtMs: 0 })).createdAtMs, 0)
    })

    it('skips unknown fields, as proto3 requires, without changing the decoded body', function () {
      const bodyBytes = encodeBatchBody(body())
      const padded = new Uint8Array([...bodyBytes, ...unknownField(15, new Uint8Array([1, 2, 3]))])
      assert.deepEqual(comparable(decodeBatchBody(padded)), comparable(body()))
    })
  })

  describe('batch id', function () {
    it('is SHA-256 of the exact body bytes', function () {
      const bodyBytes = encodeBatchBody(body())
      const expected = createHash('sha256').update(bodyBytes).digest()
      assert.equal(batchId(bodyBytes).length, BATCH_ID_BYTES)
      assert.deepEqual(Buffer.from(batchId(bodyBytes)), expected)
      assert.deepEqual(Buffer.from(decodeSignedBatch(encodeSignedBatch(bodyBytes, SIG)).id), expected)
    })

    it('is taken over the bytes as received, not a re-encoding', function () {
      // Same body content, different bytes (an unknown field appended): a different id.
      const bodyBytes = encodeBatchBody(body())
      const other = new Uint8Array([...bodyBytes, ...unknownField(15, new Uint8Array([9]))])
      const d = decodeSignedBatch(encodeSignedBatch(other, SIG))
      assert.deepEqual(Buffer.from(d.id), createHash('sha256').update(other).digest())
      assert.notDeepEqual(Buffer.from(d.id), Buffer.from(batchId(bodyBytes)))
    })

    it('does not depend on the signature', function () {
      const bodyBytes = encodeBatchBody(body())
      const a = decodeSignedBatch(encodeSignedBatch(bodyBytes, SIG))
      const b = decodeSignedBatch(encodeSignedBatch(bodyBytes, new Uint8Array(SIGNATURE_BYTES)))
      assert.deepEqual(Buffer.from(a.id), Buffer.from(b.id))
    })
  })

  describe('entries per batch', function () {
    const many = (n: number): BatchBody => body({
      entries: Array.from({ length: n }, (_, i) => entry({ value: createHash('sha256').update(String(i)).digest(), labels: [] }))
    })

    it('rejects 0 entries on encode and decode (NO_ENTRIES)', function () {
      throwsWire(() => encodeBatchBody(body({ entries: [] })), 'NO_ENTRIES')
      throwsWire(() => decodeRaw({ entries: [] }), 'NO_ENTRIES')
    })

    it('accepts 1 entry', function () {
      assert.equal(roundTrip(body()).entries.length, 1)
    })

    it(`accepts exactly ${MAX_ENTRIES_PER_BATCH} entries`, function () {
      assert.equal(roundTrip(many(MAX_ENTRIES_PER_BATCH)).entries.length, MAX_ENTRIES_PER_BATCH)
    })

    it(`rejects ${MAX_ENTRIES_PER_BATCH + 1} entries on encode and decode (TOO_MANY_ENTRIES)`, function () {
      const b = many(MAX_ENTRIES_PER_BATCH + 1)
      throwsWire(() => encodeBatchBody(b), 'TOO_MANY_ENTRIES')
      throwsWire(() => decodeRaw({ entries: b.entries }), 'TOO_MANY_ENTRIES')
    })
  })

  describe('labels', function () {
    const labels = (n: number): string[] => Array.from({ length: n }, (_, i) => `l${i}`)

    it('accepts no labels', function () {
      assert.deepEqual(roundTrip(body({ entries: [entry({ labels: [] })] })).entries[0]!.labels, [])
    })

    it(`accepts exactly ${MAX_LABELS_PER_ENTRY} labels per entry`, function () {
      const b = body({ entries: [entry({ labels: labels(MAX_LABELS_PER_ENTRY) })] })
      assert.deepEqual(roundTrip(b).entries[0]!.labels, labels(MAX_LABELS_PER_ENTRY))
    })

    it(`rejects ${MAX_LABELS_PER_ENTRY + 1} labels on encode and decode (TOO_MANY_LABELS)`, function () {
      const e = entry({ labels: labels(MAX_LABELS_PER_ENTRY + 1) })
      throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'TOO_MANY_LABELS')
      throwsWire(() => decodeRaw({ entries: [e] }), 'TOO_MANY_LABELS')
    })

    it(`accepts a label of exactly ${MAX_LABEL_BYTES} bytes`, function () {
      const label = 'a'.repeat(MAX_LABEL_BYTES)
      assert.deepEqual(roundTrip(body({ entries: [entry({ labels: [label] })] })).entries[0]!.labels, [label])
    })

    it(`rejects a label of ${MAX_LABEL_BYTES + 1} bytes on encode and decode (BAD_LABEL)`, function () {
      const e = entry({ labels: ['a'.repeat(MAX_LABEL_BYTES + 1)] })
      throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'BAD_LABEL')
      throwsWire(() => decodeRaw({ entries: [e] }), 'BAD_LABEL')
    })

    it('accepts every printable ASCII character except ; and ,', function () {
      const allowed = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(c => c !== ';' && c !== ',')
      const chunks = [allowed.slice(0, 46).join(''), allowed.slice(46).join('')]
      assert.deepEqual(roundTrip(body({ entries: [entry({ labels: chunks })] })).entries[0]!.labels, chunks)
    })

    for (const [what, label] of [
      ['empty', ''], ['with ;', 'a;b'], ['with ,', 'a,b'], ['with a space', 'a b'], ['with a tab', 'a\tb'],
      ['with a newline', 'a\n'], ['with DEL (0x7f)', 'a\x7f'], ['with NUL', '\0'], ['with non-ASCII', 'café'],
      ['of 64 characters but more than 64 bytes', 'é'.repeat(32) + 'a'.repeat(32)]
    ] as const) {
      it(`rejects a label ${what} on encode and decode (BAD_LABEL)`, function () {
        const e = entry({ labels: ['ok', label] })
        throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'BAD_LABEL')
        throwsWire(() => decodeRaw({ entries: [e] }), 'BAD_LABEL')
      })
    }
  })

  describe('values and signal types', function () {
    for (const t of SIGNAL_TYPES) {
      it(`${t.name}: accepts ${t.length} bytes, rejects ${t.length - 1} and ${t.length + 1} (BAD_VALUE_LENGTH)`, function () {
        const ok = entry({ signalType: t.name, value: new Uint8Array(t.length).fill(3) })
        assert.equal(roundTrip(body({ entries: [ok] })).entries[0]!.value.length, t.length)
        for (const len of [t.length - 1, t.length + 1, 0]) {
          const e = entry({ signalType: t.name, value: new Uint8Array(len) })
          throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'BAD_VALUE_LENGTH')
          throwsWire(() => decodeRaw({ entries: [e] }), 'BAD_VALUE_LENGTH')
        }
      })
    }

    for (const name of ['sha512', 'MD5', 'SHA256', '', 'pdq ', 'tmk']) {
      it(`rejects unknown signal type ${JSON.stringify(name)} on encode and decode (UNKNOWN_SIGNAL_TYPE)`, function () {
        const e = entry({ signalType: name, value: new Uint8Array(32) })
        throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'UNKNOWN_SIGNAL_TYPE')
        throwsWire(() => decodeRaw({ entries: [e] }), 'UNKNOWN_SIGNAL_TYPE')
      })
    }

    it('reports an unknown signal type even in a batch whose other entries are fine', function () {
      const entries = [entry(), entry({ signalType: 'tmk', value: new Uint8Array(32) }), entry()]
      throwsWire(() => decodeRaw({ entries }), 'UNKNOWN_SIGNAL_TYPE')
    })
  })

  describe('actions', function () {
    it('accepts ADD (0) and RETRACT (1)', function () {
      const b = body({ entries: [entry({ action: Action.ADD }), entry({ action: Action.RETRACT })] })
      assert.deepEqual(roundTrip(b).entries.map(e => e.action), [0, 1])
    })

    it('accepts the opinions (2-5) without labels, with or without a reason code', function () {
      const opinions = [Action.CONFIRM, Action.FALSE_POSITIVE, Action.DISPUTE,
        Action.WITHDRAW].map((action, i) => ({ ...entry({ action }), labels: [], ...(i % 2 === 0 ? { reason: 'not_violating' } : {}) }))
      const back = roundTrip(body({ entries: opinions })).entries
      assert.deepEqual(back.map(e => [e.action, e.reason]), [[2, 'not_violating'], [3, undefined], [4, 'not_violating'], [5, undefined]])
    })

    it('refuses labels on an opinion (OPINION_WITH_LABELS) and a reason on a hash action or of a bad shape (BAD_REASON)', function () {
      throwsWire(() => encodeBatchBody(body({ entries: [{ ...entry({ action: Action.CONFIRM }), labels: ['terror'] }] })), 'OPINION_WITH_LABELS')
      throwsWire(() => encodeBatchBody(body({ entries: [{ ...entry({ action: Action.ADD }), reason: 'why' }] })), 'BAD_REASON')
      throwsWire(() => decodeRaw({ entries: [{ ...entry({ action: Action.DISPUTE }), labels: [], reason: 'Not Allowed!' }] }), 'BAD_REASON')
    })

    for (const action of [6, -1, 255]) {
      it(`rejects action ${action} on encode and decode (BAD_ACTION)`, function () {
        const e = { ...entry(), action: action as Action }
        throwsWire(() => encodeBatchBody(body({ entries: [e] })), 'BAD_ACTION')
        throwsWire(() => decodeRaw({ entries: [e] }), 'BAD_ACTION')
      })
    }
  })

  describe('seq, prev and created_at', function () {
    it('rejects seq 0 on encode and decode (BAD_SEQ)', function () {
      throwsWire(() => encodeBatchBody(body({ seq: 0 })), 'BAD_SEQ')
      throwsWire(() => decodeRaw({ seq: 0 }), 'BAD_SEQ')
    })

    it('rejects seq 2^53 on encode and decode (BAD_SEQ)', function () {
      throwsWire(() => encodeBatchBody(body({ seq: 2 ** 53, prev: PREV })), 'BAD_SEQ')
      throwsWire(() => decodeRaw({ seq: TWO_TO_53, prev: PREV }), 'BAD_SEQ')
    })

    it('rejects seq 2^64 - 1 on decode (BAD_SEQ)', function () {
      throwsWire(() => decodeRaw({ seq: '18446744073709551615', prev: PREV }), 'BAD_SEQ')
    })

    it('rejects a seq that is not a whole number on encode (BAD_SEQ)', function () {
      throwsWire(() => encodeBatchBody(body({ seq: 1.5 })), 'BAD_SEQ')
      throwsWire(() => encodeBatchBody(body({ seq: -1 })), 'BAD_SEQ')
    })

    it('decodes seq 2^53 - 1 from the wire', function () {
      assert.equal(decodeRaw({ seq: '9007199254740991', prev: PREV }).seq, Number.MAX_SAFE_INTEGER)
    })

    it('rejects created_at 2^53 on encode and decode (BAD_TIMESTAMP)', function () {
      throwsWire(() => encodeBatchBody(body({ createdAtMs: 2 ** 53 })), 'BAD_TIMESTAMP')
      throwsWire(() => decodeRaw({ createdAtMs: TWO_TO_53 }), 'BAD_TIMESTAMP')
      throwsWire(() => encodeBatchBody(body({ createdAtMs: -1 })), 'BAD_TIMESTAMP')
    })

    it('seq 1: accepts an empty prev, rejects a 32-byte one on encode and decode (BAD_PREV)', function () {
      assert.equal(roundTrip(body({ seq: 1, prev: new Uint8Array(0) })).prev.length, 0)
      throwsWire(() => encodeBatchBody(body({ seq: 1, prev: PREV })), 'BAD_PREV')
      throwsWire(() => decodeRaw({ seq: 1, prev: PREV }), 'BAD_PREV')
    })

    it(`seq > 1: accepts a ${BATCH_ID_BYTES}-byte prev, rejects 0, 31 and 33 bytes on encode and decode (BAD_PREV)`, function () {
      assert.deepEqual(Buffer.from(roundTrip(body({ seq: 2, prev: PREV })).prev), Buffer.from(PREV))
      for (const len of [0, BATCH_ID_BYTES - 1, BATCH_ID_BYTES + 1]) {
        const prev = new Uint8Array(len).fill(1)
        throwsWire(() => encodeBatchBody(body({ seq: 2, prev })), 'BAD_PREV')
        throwsWire(() => decodeRaw({ seq: 2, prev }), 'BAD_PREV')
      }
    })
  })

  describe('publisher', function () {
    it(`accepts ${PUBLIC_KEY_BYTES} bytes, rejects 0, 31 and 33 on encode and decode (BAD_PUBLISHER)`, function () {
      for (const len of [0, PUBLIC_KEY_BYTES - 1, PUBLIC_KEY_BYTES + 1]) {
        const publisher = new Uint8Array(len).fill(2)
        throwsWire(() => encodeBatchBody(body({ publisher })), 'BAD_PUBLISHER')
        throwsWire(() => decodeRaw({ publisher }), 'BAD_PUBLISHER')
      }
    })
  })

  describe('network name', function () {
    for (const network of ['a', '0', 'hashmesh', 'trust.and-safety_2', 'a'.repeat(64), 'a-', 'a.', 'a_']) {
      it(`accepts ${JSON.stringify(network)}`, function () {
        assert.equal(roundTrip(body({ network })).network, network)
      })
    }

    for (const network of ['', 'a'.repeat(65), 'Forum', '-a', '.a', '_a', 'a/b', 'a b', 'a:b', 'ä', 'a\n']) {
      it(`rejects ${JSON.stringify(network)} on encode and decode (BAD_NETWORK)`, function () {
        throwsWire(() => encodeBatchBody(body({ network })), 'BAD_NETWORK')
        throwsWire(() => decodeRaw({ network }), 'BAD_NETWORK')
      })
    }
  })

  describe('size bounds', function () {
    this.timeout(60_000)
    let atLimit: BatchBody

    before(function () {
      atLimit = bodyOfSize(MAX_BODY_BYTES)
    })

    it(`encodes and decodes a body of exactly ${MAX_BODY_BYTES} bytes`, function () {
      const bytes = encodeBatchBody(atLimit)
      assert.equal(bytes.length, MAX_BODY_BYTES)
      assert.equal(decodeBatchBody(bytes).entries.length, atLimit.entries.length)
    })

    it(`rejects a body of ${MAX_BODY_BYTES + 1} bytes on encode and decode (OVERSIZED)`, function () {
      const over = bodyOfSize(MAX_BODY_BYTES + 1)
      throwsWire(() => encodeBatchBody(over), 'OVERSIZED')
      throwsWire(() => decodeBatchBody(rawBody(rawFields(over))), 'OVERSIZED')
    })

    it('rejects an oversized body inside a signed batch that is itself within bounds (OVERSIZED)', function () {
      const bytes = rawBody(rawFields(bodyOfSize(MAX_BODY_BYTES + 1)))
      const signed = rawSigned(bytes, SIG)
      assert.ok(signed.length <= MAX_SIGNED_BATCH_BYTES)
      throwsWire(() => decodeSignedBatch(signed), 'OVERSIZED')
    })

    it(`decodes a signed batch of exactly ${MAX_SIGNED_BATCH_BYTES} bytes`, function () {
      const signed = encodeSignedBatch(encodeBatchBody(atLimit), SIG)
      // Pad with an unknown field (skipped by decoders) up to the bound.
      const pad = MAX_SIGNED_BATCH_BYTES - signed.length - 2
      const exact = Buffer.concat([signed, unknownField(15, new Uint8Array(pad))])
      assert.equal(exact.length, MAX_SIGNED_BATCH_BYTES)
      assert.equal(decodeSignedBatch(exact).body.entries.length, atLimit.entries.length)
    })

    it(`rejects a signed batch of ${MAX_SIGNED_BATCH_BYTES + 1} bytes before decoding it (OVERSIZED)`, function () {
      const signed = encodeSignedBatch(encodeBatchBody(atLimit), SIG)
      const pad = MAX_SIGNED_BATCH_BYTES + 1 - signed.length - 2
      const over = Buffer.concat([signed, unknownField(15, new Uint8Array(pad))])
      assert.equal(over.length, MAX_SIGNED_BATCH_BYTES + 1)
      throwsWire(() => decodeSignedBatch(over), 'OVERSIZED')
      // Not even parsed: garbage of that size is OVERSIZED too, not MALFORMED.
      throwsWire(() => decodeSignedBatch(new Uint8Array(MAX_SIGNED_BATCH_BYTES + 1).fill(0xff)), 'OVERSIZED')
    })
  })

  describe('signature length', function () {
    const bodyBytes = encodeBatchBody(body())

    it(`accepts ${SIGNATURE_BYTES} bytes`, function () {
      assert.equal(decodeSignedBatch(encodeSignedBatch(bodyBytes, SIG)).signature.length, SIGNATURE_BYTES)
    })

    for (const len of [0, SIGNATURE_BYTES - 1, SIGNATURE_BYTES + 1]) {
      it(`rejects ${len} bytes on encode and decode (BAD_SIGNATURE_LENGTH)`, function () {
        const sig = new Uint8Array(len).fill(1)
        throwsWire(() => encodeSignedBatch(bodyBytes, sig), 'BAD_SIGNATURE_LENGTH')
        throwsWire(() => decodeSignedBatch(rawSigned(bodyBytes, sig)), 'BAD_SIGNATURE_LENGTH')
      })
    }
  })

  describe('malformed protobuf', function () {
    const signed = encodeSignedBatch(encodeBatchBody(body()), SIG)

    for (const [what, bytes] of [
      ['a truncated signed batch', signed.subarray(0, signed.length - 1)],
      ['a length running past the end', new Uint8Array([0x0a, 0x7f, 1, 2, 3])],
      ['an unterminated varint', new Uint8Array([0x08, 0xff, 0xff])],
      ['an invalid wire type (7) on an unknown field', new Uint8Array([0x1f, 0x00])],
      ['a single 0xff byte', new Uint8Array([0xff])]
    ] as const) {
      it(`rejects ${what} (MALFORMED)`, function () {
        throwsWire(() => decodeSignedBatch(bytes), 'MALFORMED')
      })
    }

    it('rejects a signed batch whose body is not valid protobuf (MALFORMED)', function () {
      throwsWire(() => decodeSignedBatch(rawSigned(new Uint8Array([0x0a, 0x40, 0x01]), SIG)), 'MALFORMED')
    })

    it('rejects a body truncated inside an entry (MALFORMED)', function () {
      const bodyBytes = encodeBatchBody(body())
      throwsWire(() => decodeBatchBody(bodyBytes.subarray(0, bodyBytes.length - 3)), 'MALFORMED')
    })

    it('rejects a signed batch with an empty body: no publisher (BAD_PUBLISHER)', function () {
      throwsWire(() => decodeSignedBatch(rawSigned(new Uint8Array(0), SIG)), 'BAD_PUBLISHER')
    })
  })
})
