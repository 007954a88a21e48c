import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { Bucket } from '../../../src/store/buckets.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { prefixRange } from '../../../src/store/keys.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { makeChain, randomEntries } from '../../helpers/batches.js'
import { TempStore, hex, interceptWrite } from './storeFixtures.js'

describe('store: typed repositories over the one LevelDB', () => {
  const temp = new TempStore()
  let store: HashStore
  const key = generateSecretKey()
  const publisher = publicKeyOf(key)
  const chain = makeChain(key, [randomEntries(2), randomEntries(1), randomEntries(3)])

  beforeEach(async () => {
    store = await temp.setup()
    for (const b of chain) await store.applyBatch(b, { receivedAtMs: 5, source: LOCAL_SOURCE })
  })
  afterEach(async () => { await temp.teardown() })

  it('reads typed keys and values, one or many, and counts', async () => {
    const { batchAt, signedBatch, head, entryIndex } = store.repositories
    assert.equal(hex(await batchAt.get({ publisher, seq: 2 })), hex(chain[1]!.id))
    assert.deepEqual((await batchAt.getMany([{ publisher, seq: 3 }, { publisher, seq: 4 }])).map(hex), [hex(chain[2]!.id), undefined])
    assert.deepEqual(await signedBatch.hasMany([{ publisher, seq: 1 }, { publisher, seq: 9 }]), [true, false])
    assert.deepEqual({ ...(await signedBatch.get({ publisher, seq: 1 }))!, signed: undefined }, { signed: undefined, receivedAtMs: 5, source: LOCAL_SOURCE })
    assert.equal((await head.get(publisher))?.entries, 6)
    assert.equal(await entryIndex.count(), 6)
    assert.equal(await store.repositories.forumRecord.isEmpty(), true)
    const seqs = (await batchAt.all()).map(([place]) => place.seq)
    assert.deepEqual(seqs, [1, 2, 3])
  })

  it('scans a range in key order, forwards, backwards and limited', async () => {
    const { batchAt } = store.repositories
    const range = prefixRange(Uint8Array.of(Bucket.batchAt, ...publisher))
    const seqsOf = async (options: Parameters<typeof batchAt.all>[0]): Promise<number[]> => (await batchAt.all(options)).map(([place]) => place.seq)
    assert.deepEqual(await seqsOf({ range }), [1, 2, 3])
    assert.deepEqual(await seqsOf({ range, reverse: true, limit: 2 }), [3, 2])
    assert.deepEqual((await batchAt.readRange({ range, chunk: 2 })).length, 3)
  })

  it('refuses a range outside its bucket before reading', async () => {
    const { batchAt } = store.repositories
    await assert.rejects(batchAt.all({ range: prefixRange(Uint8Array.of(Bucket.head)) }), { name: 'StoreError', code: 'BAD_RANGE' })
    const pastTheBucket = { gte: Uint8Array.of(Bucket.batchAt), lt: Uint8Array.of(Bucket.entryIndex) }
    await assert.rejects(batchAt.count({ range: pastTheBucket }), { name: 'StoreError', code: 'BAD_RANGE' })
    await assert.rejects(batchAt.getManyEncoded([Uint8Array.of(Bucket.head, 1)]), { name: 'StoreError', code: 'BAD_RANGE' })
  })

  it('writes nothing itself: its ops reach LevelDB only through the store, in one atomic batch', async () => {
    const { head, batchAt } = store.repositories
    const batches: number[] = []
    interceptWrite(store, 'batch', async (args, original) => { batches.push((args[0] as unknown[]).length); await original(...args) })
    const del = head.delOp(publisher)
    const put = batchAt.putOp({ publisher, seq: 9 }, chain[0]!.id)
    assert.equal(await head.has(publisher), true, 'an op alone changes nothing')
    await store.writeAtomically(async () => [del, put])
    assert.deepEqual(batches, [2])
    assert.deepEqual([await head.has(publisher), await batchAt.has({ publisher, seq: 9 })], [false, true])
  })
})
