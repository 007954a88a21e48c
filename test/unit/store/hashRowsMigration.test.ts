import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { Level } from 'level'
import { generateSecretKey } from '../../../src/crypto/ed25519.js'
import { silentLogger } from '../../../src/logger.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import { toHex } from '../../../src/signals/hex.js'
import { Bucket, MetaKey } from '../../../src/store/buckets.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { buildHashRowsInChunksOf } from '../../../src/store/hashRowsMigration.js'
import { bucketRange, metaKey } from '../../../src/store/keys.js'
import { encodeStoreMeta } from '../../../src/store/records.js'
import type { LevelDb, StoreOp } from '../../../src/store/repository.js'
import { upgradeSchema } from '../../../src/store/schemaUpgrade.js'
import { StoreRepositories } from '../../../src/store/storeRepositories.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { Action, type DecodedBatch } from '../../../src/wire/types.js'
import { VALUES } from '../../fixtures/store-v1/build.js'
import { restoreStoreV1 } from '../../fixtures/store-v1/storeDump.js'
import { makeSignedBatch } from '../../helpers/batches.js'

const KEYS = [generateSecretKey(), generateSecretKey()]
const HASHES = [new Uint8Array(16).fill(1), new Uint8Array(16).fill(2), new Uint8Array(16).fill(3)]

async function bucketOf (db: LevelDb, bucket: Bucket): Promise<Array<[string, string]>> {
  return (await db.iterator(bucketRange(bucket)).all()).map(([k, v]) => [toHex(k), toHex(v)])
}

describe('store: schema 2 -> 3 writes every hash\'s HashRows record from the entry index', function () {
  this.timeout(120_000)
  let dir: string

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'hashmesh-hash-rows-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('the schema-1 fixture, upgraded, answers summaries exactly as its entries do', async () => {
    const path = join(dir, 'db')
    await restoreStoreV1(path)
    const store = await HashStore.open(path)
    try {
      const lookups = new LookupService({ store, indexes: await LookupIndexes.load(store, silentLogger()) })
      const typeOf = (name: string): string => name.startsWith('md5') ? 'md5' : name.startsWith('sha256') ? 'sha256' : 'pdq'
      const queries = Object.entries(VALUES).map(([name, value]) => ({ type: typeOf(name), value: toHex(value) }))
      const summaries = await lookups.summarise(queries)
      assert.deepEqual(summaries, (await lookups.lookupMany(queries)).map(({ matches: _, ...rest }) => rest))
      assert.ok(summaries.some(s => s.listed), 'the fixture lists something')
    } finally {
      await store.close()
    }
  })

  it('builds the records incremental writes built, in any chunking, also when cut short and resumed', async () => {
    const entryArb = fc.record({ key: fc.nat(1), hash: fc.nat(2), action: fc.constantFrom(Action.ADD, Action.RETRACT, Action.CONFIRM) })
    const batchArb = fc.array(entryArb, { minLength: 1, maxLength: 5 })
    const batchesArb = fc.array(batchArb, { minLength: 1, maxLength: 8 })
    await fc.assert(fc.asyncProperty(batchesArb, fc.integer({ min: 1, max: 7 }), fc.nat(6), async (batches, chunk, killAt) => {
      const path = join(dir, `db-${Math.random().toString(36).slice(2)}`)
      const store = await HashStore.open(path)
      const last = new Map<number, DecodedBatch>()
      for (const entries of batches) {
        const key = entries[0]!.key
        const prev = last.get(key)
        const batch = makeSignedBatch({
          secretKey: KEYS[key]!,
          seq: (prev?.body.seq ?? 0) + 1,
          prev: prev?.id,
          entries: entries.map(e => ({ signalType: 'md5', value: HASHES[e.hash]!, action: e.action, labels: [] }))
        })
        last.set(key, batch)
        await store.applyBatch(batch, { receivedAtMs: 1, source: LOCAL_SOURCE })
      }
      await store.close()

      const db: LevelDb = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
      await db.open()
      const written = await bucketOf(db, Bucket.hashRows)
      await db.batch([
        ...written.map(([k]): StoreOp => ({ type: 'del', key: Buffer.from(k, 'hex') })),
        { type: 'put', key: metaKey(MetaKey.schemaVersion), value: encodeStoreMeta({ schemaVersion: 2 }) }
      ])
      const step = [{ from: 2, to: 3, description: 'test', run: buildHashRowsInChunksOf(chunk) }]
      const schema = { repositories: new StoreRepositories(db), logger: silentLogger(), hasRecords: true, location: path }
      let commits = 0
      const killed = async (ops: StoreOp[]): Promise<void> => {
        if (commits++ === killAt) throw new Error('injected: killed')
        await db.batch(ops)
      }
      await upgradeSchema({ ...schema, commit: killed }, step).catch(() => undefined)
      await upgradeSchema({ ...schema, commit: async ops => { await db.batch(ops) } }, step)
      assert.deepEqual(await bucketOf(db, Bucket.hashRows), written)
      await db.close()
      await rm(path, { recursive: true, force: true })
    }), { numRuns: 40 })
  })
})
