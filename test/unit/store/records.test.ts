import assert from 'node:assert/strict'
import fc from 'fast-check'
import protobuf from 'protobufjs'
import { fileURLToPath } from 'node:url'
import {
  decodeBatchLocation, decodeHead, decodeIndexRow, decodeStoreMeta, decodeStoredBatch, encodeBatchLocation,
  encodeHead, encodeIndexRow, encodeStoreMeta, encodeStoredBatch
} from '../../../src/store/records.js'
import { Action } from '../../../src/wire/types.js'
import { hex } from './storeFixtures.js'
import { batchSourceArbitrary } from '../../helpers/batchSources.js'

/** Encodes fields the store's own encoders would never produce, as a damaged disk might hold them. */
const root = protobuf.loadSync(fileURLToPath(new URL('../../../proto/store.proto', import.meta.url)))
function raw (type: string, fields: Record<string, unknown>): Uint8Array {
  const t = root.lookupType(`hashmesh.store.v1.${type}`)
  return t.encode(t.fromObject(fields)).finish()
}

const CORRUPT = { name: 'StoreError', code: 'CORRUPT_RECORD' }
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
const safe = (min = 0): fc.Arbitrary<number> => fc.integer({ min, max: Number.MAX_SAFE_INTEGER })
const TWO_POW_53 = '9007199254740992'

describe('store records', () => {
  it('round-trips every record', () => {
    fc.assert(fc.property(
      fc.record({
        action: fc.constantFrom(Action.ADD, Action.RETRACT),
        labels: fc.array(fc.string()),
        batchId: bytes(32),
        receivedAtMs: safe(),
        createdAtMs: safe()
      }),
      fc.record({ seq: safe(1), headId: bytes(32), batches: safe(1), entries: safe() }),
      fc.record({ publisher: bytes(32), seq: safe(1) }),
      fc.record({ signed: fc.uint8Array({ minLength: 1, maxLength: 200 }), receivedAtMs: safe(), source: batchSourceArbitrary() }),
      (row, head, location, stored) => {
        const r = decodeIndexRow(encodeIndexRow(row))
        assert.deepEqual({ ...r, batchId: hex(r.batchId) }, { ...row, batchId: hex(row.batchId) })
        const h = decodeHead(encodeHead(head))
        assert.deepEqual({ ...h, headId: hex(h.headId) }, { ...head, headId: hex(head.headId) })
        const l = decodeBatchLocation(encodeBatchLocation(location))
        assert.deepEqual({ ...l, publisher: hex(l.publisher) }, { ...location, publisher: hex(location.publisher) })
        const s = decodeStoredBatch(encodeStoredBatch(stored))
        assert.deepEqual({ ...s, signed: hex(s.signed) }, { ...stored, signed: hex(stored.signed) })
      }
    ))
    assert.equal(decodeStoreMeta(encodeStoreMeta({ schemaVersion: 3 })).schemaVersion, 3)
  })

  it('reports bytes that are not protobuf as corrupt', () => {
    const truncated = Uint8Array.of(0x08, 0xff) // field 1, then a varint that never ends
    for (const decode of [decodeIndexRow, decodeHead, decodeBatchLocation, decodeStoredBatch, decodeStoreMeta]) {
      assert.throws(() => decode(truncated), CORRUPT)
    }
  })

  it('reports decodable records that break an invariant as corrupt', () => {
    const batchId = new Uint8Array(32)
    assert.throws(() => decodeIndexRow(raw('IndexRow', { action: 6, batchId })), CORRUPT)
    assert.throws(() => decodeIndexRow(raw('IndexRow', { action: 0, batchId: new Uint8Array(31) })), CORRUPT)
    assert.throws(() => decodeIndexRow(raw('IndexRow', { action: 0, batchId, createdAtMs: TWO_POW_53 })), CORRUPT)
    assert.throws(() => decodeHead(raw('Head', { seq: 0, headId: batchId, batches: 1 })), CORRUPT)
    assert.throws(() => decodeHead(raw('Head', { seq: 1, headId: batchId, batches: 0 })), CORRUPT)
    assert.throws(() => decodeHead(raw('Head', { seq: TWO_POW_53, headId: batchId, batches: 1 })), CORRUPT)
    assert.throws(() => decodeBatchLocation(raw('BatchLocation', { publisher: new Uint8Array(33), seq: 1 })), CORRUPT)
    assert.throws(() => decodeStoredBatch(raw('StoredBatch', { source: { kind: 1 } })), CORRUPT)
  })
})
