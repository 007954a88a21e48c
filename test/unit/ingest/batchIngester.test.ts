import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { ExactIndex } from '../../../src/index/exactIndex.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { verifyStore } from '../../../src/store/storeVerifier.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

describe('BatchIngester over a real LevelDB store', function () {
  let dir: string
  let store: HashStore
  let index: ExactIndex
  let ingester: BatchIngester
  const key = generateSecretKey()

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-ingest-'))
    store = await HashStore.open(join(dir, 'db'))
    index = new ExactIndex()
    ingester = new BatchIngester(
      { store, indexes: new LookupIndexes(store, { exact: index }), trust: new StaticTrustList([], publicKeyOf(key)), logger: silentLogger() },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores and indexes an accepted batch; a replay is ignored and counted', async function () {
    const batch = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(5, 'md5') })
    assert.equal((await ingester.ingest(batch.signedBytes, gossipSource('test'))).action, 'accept')
    const md5 = requireSignalType('md5').code
    for (const e of batch.body.entries) {
      assert.ok(index.has(md5, e.value))
      assert.equal((await store.entriesFor(md5, e.value)).length, 1)
    }
    assert.deepEqual(await ingester.ingest(batch.signedBytes, gossipSource('test')), { action: 'ignore', code: 'DUPLICATE' })
    assert.deepEqual(ingester.outcomeCounts(), { accept: { ACCEPTED: 1 }, ignore: { DUPLICATE: 1 }, reject: {} })
  })

  it('ignores a second, different batch at a seq already taken and leaves the first intact', async function () {
    const first = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(2) })
    const rival = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(2) })
    await ingester.ingest(first.signedBytes, gossipSource('test'))
    assert.deepEqual(await ingester.ingest(rival.signedBytes, gossipSource('test')), { action: 'ignore', code: 'SEQ_CONFLICT' })
    assert.equal(Buffer.from((await store.batchIdAt(first.body.publisher, 1))!).toString('hex'), Buffer.from(first.id).toString('hex'))
    assert.equal(index.has(requireSignalType('sha256').code, rival.body.entries[0]!.value), false)
  })

  it('accepts a batch exactly once when the same bytes race in from several peers', async function () {
    const batch = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(50) })
    const outcomes = await Promise.all(Array.from({ length: 8 }, async (_, i) => await ingester.ingest(batch.signedBytes, gossipSource(`peer${i}`))))
    assert.equal(outcomes.filter(o => o.action === 'accept').length, 1)
    assert.equal(outcomes.filter(o => o.code === 'DUPLICATE').length, 7)
    assert.equal((await store.head(batch.body.publisher))?.entries, 50)
  })

  it('reports a store failure as INTERNAL instead of throwing', async function () {
    const batch = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1) })
    await store.close()
    assert.deepEqual(await ingester.ingest(batch.signedBytes, gossipSource('test')), { action: 'ignore', code: 'INTERNAL' })
    store = await HashStore.open(join(dir, 'db'))
  })

  it('reads the HashRows of only the hashes it already holds, and every record stays what its rows imply', async function () {
    const repeated = randomEntries(3, 'md5')
    const hashRows = store.repositories.hashRows
    const read: number[] = []
    const getManyEncoded = hashRows.getManyEncoded.bind(hashRows)
    hashRows.getManyEncoded = async (keys, options) => { read.push(keys.length); return await getManyEncoded(keys, options) }
    let prev: Uint8Array | undefined
    for (let seq = 1; seq <= 4; seq++) {
      const batch = makeSignedBatch({ secretKey: key, seq, prev, entries: [...repeated, ...randomEntries(5, 'md5')] })
      prev = batch.id
      assert.equal((await ingester.ingest(batch.signedBytes, gossipSource('test'))).action, 'accept')
    }
    assert.deepEqual(read, [0, 3, 3, 3])
    const result = await verifyStore(store)
    assert.deepEqual(result.problems, [])
    const md5 = requireSignalType('md5').code
    const [record] = await store.hashRowsFor([{ signalTypeCode: md5, value: repeated[0]!.value }])
    assert.deepEqual(record?.overflow === false ? record.rows.map(r => r.seq) : [], [1, 2, 3, 4])
  })

  describe('properties', function () {
    it('random bytes are never accepted and never throw', async function () {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async bytes => {
        const o = await ingester.ingest(bytes, gossipSource('fuzz'))
        assert.notEqual(o.action, 'accept')
      }), { numRuns: 300 })
    })

    it('a stored batch with any bytes mutated is never accepted again', async function () {
      const batch = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(3, 'pdq', { labels: ['a', 'b'] }) })
      assert.equal((await ingester.ingest(batch.signedBytes, gossipSource('test'))).action, 'accept')
      const original = batch.signedBytes
      const mutation = fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(original.length - 1), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(original.length - 1), bit: fc.constant(0) }),
        fc.record({ kind: fc.constant('append' as const), at: fc.nat(255), bit: fc.constant(0) })
      )
      await fc.assert(fc.asyncProperty(mutation, async m => {
        const bytes = Uint8Array.from(original)
        const mutated = m.kind === 'flip'
          ? (bytes[m.at]! ^= 1 << m.bit, bytes)
          : m.kind === 'truncate' ? bytes.subarray(0, m.at) : Uint8Array.from([...bytes, m.at])
        const o = await ingester.ingest(mutated, gossipSource('fuzz'))
        assert.notEqual(o.action, 'accept', `mutation ${JSON.stringify(m)} was accepted`)
      }), { numRuns: 400 })
    })
  })
})
