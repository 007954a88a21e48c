import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Bucket } from '../../../src/store/buckets.js'
import {
  ForumRecordStore, decodeStoredForumRecord, encodeStoredForumRecord, forumRecordKey
} from '../../../src/store/forumRecords.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { storeRecordType } from '../../../src/store/records.js'
import { MAX_FORUM_RECORD_BYTES } from '../../../src/wire/limits.js'
import { newMember, Root } from '../forum/forumFixtures.js'
import { TempStore, hex, interceptWrite, rawDbOf } from './storeFixtures.js'
import { LOCAL_SOURCE, MAX_PEER_CHARS, gossipSource } from '../../../src/wire/batchSource.js'
import { batchSourceArbitrary } from '../../helpers/batchSources.js'

const RECEIPT = { receivedAtMs: 1_700_000_000_000, source: gossipSource('peer') }
const CORRUPT = { name: 'StoreError', code: 'CORRUPT_RECORD' }
const AUDIT_KEY = Uint8Array.of(Bucket.auditLog, 0, 0, 0, 0, 0, 0, 0, 1)

function rawStored (fields: Record<string, unknown>): Uint8Array {
  const type = storeRecordType('StoredForumRecord')
  return type.encode(type.fromObject(fields)).finish()
}

describe('store: ForumRecordStore', () => {
  const temp = new TempStore()
  const root = new Root()
  let store: HashStore
  let records: ForumRecordStore

  beforeEach(async () => {
    store = await temp.setup()
    records = new ForumRecordStore(store)
  })
  afterEach(async () => { await temp.teardown() })

  it('stores a record once, with its receipt; a second put is a duplicate that writes nothing', async () => {
    const record = root.credential(newMember().publicKey)
    assert.equal(await records.put(record, RECEIPT), 'stored')
    let extraCalled = false
    assert.equal(await records.put(record, { receivedAtMs: 5, source: LOCAL_SOURCE }, async () => { extraCalled = true; return [] }), 'duplicate')
    assert.equal(extraCalled, false, 'no audit record for a record already held')
    const all = await records.all()
    assert.deepEqual(all.map(r => ({ ...r, id: hex(r.id), signed: hex(r.signed) })), [{ id: hex(record.id), signed: hex(record.signedBytes), ...RECEIPT }])
    assert.equal(await records.count(), 1)
  })

  it('lists records in id order, and survives a reopen', async () => {
    const list = [root.credential(newMember().publicKey), root.revocation(newMember().publicKey), root.credential(newMember().publicKey)]
    for (const r of list) await records.put(r, RECEIPT)
    records = new ForumRecordStore(await temp.reopen())
    assert.deepEqual((await records.all()).map(r => hex(r.id)), list.map(r => hex(r.id)).sort())
    assert.equal(await records.count(), 3)
  })

  it('writes the extra ops in the same atomic batch, and nothing at all when that batch fails', async () => {
    const record = root.credential(newMember().publicKey)
    const extra = async (): Promise<Array<{ type: 'put', key: Uint8Array, value: Uint8Array }>> => [{ type: 'put', key: AUDIT_KEY, value: Uint8Array.of(1) }]
    const batches: number[] = []
    interceptWrite(store, 'batch', async (args, original) => { batches.push((args[0] as unknown[]).length); await original(...args) })
    assert.equal(await records.put(record, RECEIPT, extra), 'stored')
    assert.deepEqual(batches, [2])
    assert.equal(hex(await rawDbOf(store).get(AUDIT_KEY)), '01')

    const second = root.credential(newMember().publicKey)
    interceptWrite(store, 'batch', async () => { throw new Error('injected: disk full') })
    await assert.rejects(records.put(second, RECEIPT, extra), /injected/)
    assert.equal(await records.count(), 1)
  })

  it('reports a damaged stored record as CORRUPT_RECORD', async () => {
    const db = rawDbOf(store)
    await db.put(forumRecordKey(new Uint8Array(32).fill(1)), Uint8Array.of(0xff, 0xff))
    await assert.rejects(records.all(), CORRUPT)
  })

  it('refuses a key id of the wrong length', () => {
    assert.throws(() => forumRecordKey(new Uint8Array(31)), CORRUPT)
  })

  it('round-trips every stored record and refuses every one that breaks a bound', () => {
    fc.assert(fc.property(
      fc.record({
        signed: fc.uint8Array({ minLength: 1, maxLength: MAX_FORUM_RECORD_BYTES }),
        receivedAtMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        source: batchSourceArbitrary()
      }),
      stored => {
        const back = decodeStoredForumRecord(encodeStoredForumRecord(stored))
        assert.deepEqual({ ...back, signed: hex(back.signed) }, { ...stored, signed: hex(stored.signed) })
      }
    ), { numRuns: 200 })
    assert.throws(() => decodeStoredForumRecord(rawStored({ signed: new Uint8Array(0), receivedAtMs: 1, source: gossipSource('x') })), CORRUPT)
    const oversized = rawStored({ signed: new Uint8Array(MAX_FORUM_RECORD_BYTES + 1), receivedAtMs: 1, source: gossipSource('x') })
    assert.throws(() => decodeStoredForumRecord(oversized), CORRUPT)
    assert.throws(() => decodeStoredForumRecord(rawStored({ signed: Uint8Array.of(1), receivedAtMs: '9007199254740992', source: gossipSource('x') })), CORRUPT)
    const longPeer = rawStored({ signed: Uint8Array.of(1), receivedAtMs: 1, source: gossipSource('x'.repeat(MAX_PEER_CHARS + 1)) })
    assert.throws(() => decodeStoredForumRecord(longPeer), CORRUPT)
    assert.throws(() => decodeStoredForumRecord(rawStored({ signed: Uint8Array.of(1), receivedAtMs: 1 })), CORRUPT)
    assert.throws(() => decodeStoredForumRecord(rawStored({ signed: Uint8Array.of(1), receivedAtMs: 1, source: { kind: 4 } })), CORRUPT)
    assert.throws(() => decodeStoredForumRecord(rawStored({ signed: Uint8Array.of(1), receivedAtMs: 1, source: { kind: 1, peer: 'p' } })), CORRUPT)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), bytes => {
      try {
        decodeStoredForumRecord(bytes)
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'CORRUPT_RECORD')
      }
    }), { numRuns: 300 })
  })
})
