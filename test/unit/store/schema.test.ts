import assert from 'node:assert/strict'
import { Level } from 'level'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { MetaKey } from '../../../src/store/buckets.js'
import { HashStore, SCHEMA_VERSION } from '../../../src/store/hashStore.js'
import { entryKey, headKey, metaKey } from '../../../src/store/keys.js'
import { decodeStoreMeta, encodeStoreMeta } from '../../../src/store/records.js'
import { makeSignedBatch, randomEntries } from '../../helpers/batches.js'
import { TempStore, rawDbOf, type RawDb } from './storeFixtures.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'

function openRaw (path: string): RawDb {
  return new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
}

/** Closes the store and lets `edit` change the raw database underneath it. */
async function editClosed (temp: TempStore, edit: (db: RawDb) => Promise<void>): Promise<void> {
  await temp.store?.close()
  temp.store = undefined
  const db = openRaw(temp.path)
  await db.open()
  await edit(db)
  await db.close()
}

describe('HashStore schema version and corrupt records', () => {
  const temp = new TempStore()
  afterEach(async () => { await temp.teardown() })

  it('writes the current schema version into a new store', async () => {
    const store = await temp.setup()
    const stored = await rawDbOf(store).get(metaKey(MetaKey.schemaVersion))
    assert.ok(stored !== undefined)
    assert.equal(decodeStoreMeta(stored).schemaVersion, SCHEMA_VERSION)
  })

  it('refuses a store written with another schema version, and releases it', async () => {
    await temp.setup()
    await editClosed(temp, async db => { await db.put(metaKey(MetaKey.schemaVersion), encodeStoreMeta({ schemaVersion: SCHEMA_VERSION + 1 })) })
    await assert.rejects(HashStore.open(temp.path), { name: 'StoreError', code: 'SCHEMA_MISMATCH' })
    // A refused open must not keep LevelDB's lock, or nothing could open the directory again.
    const db = openRaw(temp.path)
    await db.open()
    await db.close()
  })

  it('refuses a database that holds records but no schema version', async () => {
    await temp.setup()
    await editClosed(temp, async db => { await db.del(metaKey(MetaKey.schemaVersion)); await db.put(Uint8Array.of(9), Uint8Array.of(1)) })
    await assert.rejects(HashStore.open(temp.path), { name: 'StoreError', code: 'SCHEMA_MISMATCH' })
  })

  it('reports a schema record that does not decode as corrupt', async () => {
    await temp.setup()
    await editClosed(temp, async db => { await db.put(metaKey(MetaKey.schemaVersion), Uint8Array.of(0xff, 0xff, 0xff)) })
    await assert.rejects(HashStore.open(temp.path), { name: 'StoreError', code: 'CORRUPT_RECORD' })
  })

  describe('corrupt records after open', () => {
    const secretKey = generateSecretKey()
    const publisher = publicKeyOf(secretKey)
    const batch = makeSignedBatch({ secretKey, seq: 1, entries: randomEntries(1, 'sha1') })
    const entry = batch.body.entries[0]!
    const code = requireSignalType('sha1').code
    let db: RawDb
    let store: HashStore

    beforeEach(async () => {
      store = await temp.setup()
      await store.applyBatch(batch, { receivedAtMs: 1, source: LOCAL_SOURCE })
      db = rawDbOf(store)
    })

    it('a head that does not decode', async () => {
      await db.put(headKey(publisher), Uint8Array.of(0x0a, 0xff))
      await assert.rejects(store.head(publisher), { name: 'StoreError', code: 'CORRUPT_RECORD' })
      await assert.rejects(store.heads(), { name: 'StoreError', code: 'CORRUPT_RECORD' })
    })

    it('an index row that breaks an invariant', async () => {
      const key = entryKey({ signalTypeCode: code, value: entry.value, publisher, seq: 1, position: 0 })
      await db.put(key, Uint8Array.of(0x08, 0x07)) // action = 7
      await assert.rejects(store.entriesFor(code, entry.value), { name: 'StoreError', code: 'CORRUPT_RECORD' })
    })

    it('an entry-index key of the wrong length', async () => {
      const key = entryKey({ signalTypeCode: code, value: entry.value, publisher, seq: 1, position: 0 })
      await db.put(key.subarray(0, key.length - 1), Uint8Array.of())
      await assert.rejects(store.forEachIndexedValue(() => {}), { name: 'StoreError', code: 'CORRUPT_RECORD' })
    })
  })
})
