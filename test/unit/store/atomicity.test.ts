import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { makeChain, randomEntries } from '../../helpers/batches.js'
import { TempStore, hex, interceptWrite, rawDbOf, type BatchOps } from './storeFixtures.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'

const RECEIPT = { receivedAtMs: 1_700_000_000_000, source: LOCAL_SOURCE }

describe('HashStore atomicity', () => {
  const temp = new TempStore()
  const secretKey = generateSecretKey()
  const publisher = publicKeyOf(secretKey)
  let store: HashStore
  let first: DecodedBatch
  let second: DecodedBatch

  beforeEach(async () => {
    store = await temp.setup()
    const chain = makeChain(secretKey, [randomEntries(3, 'md5'), [...randomEntries(4, 'sha256'), ...randomEntries(2, 'pdq')]])
    first = chain[0]!
    second = chain[1]!
    await store.applyBatch(first, RECEIPT)
  })
  afterEach(async () => { await temp.teardown() })

  /** Everything `second` would change, read back; must equal the state after `first` alone. */
  async function assertSecondInvisible (): Promise<void> {
    assert.equal(await store.hasBatch(second.id), false)
    assert.equal(await store.batchIdAt(publisher, 2), undefined)
    assert.equal(await store.getSignedBatch(publisher, 2), undefined)
    const head = await store.head(publisher)
    assert.deepEqual([head?.seq, hex(head?.headId), head?.batches, head?.entries], [1, hex(first.id), 1, 3])
    for (const e of second.body.entries) {
      assert.deepEqual(await store.entriesFor(requireSignalType(e.signalType).code, e.value), [])
      assert.deepEqual(await store.hashRowsFor([{ signalTypeCode: requireSignalType(e.signalType).code, value: e.value }]), [undefined])
    }
    assert.equal(await store.forEachIndexedValue(() => {}), 3)
  }

  it('writes everything of a batch through one LevelDB batch and no other write', async () => {
    const calls: string[] = []
    for (const method of ['batch', 'put', 'del'] as const) {
      interceptWrite(store, method, async (args, original) => {
        calls.push(method === 'batch' ? `batch:${(args[0] as BatchOps).length}` : method)
        await original(...args)
      })
    }

    await store.applyBatch(second, RECEIPT)
    // signed batch + seq → id + id → location + one row per entry + one HashRows per hash + head
    const hashes = new Set(second.body.entries.map(e => `${e.signalType}:${hex(e.value)}`)).size
    assert.deepEqual(calls, [`batch:${3 + second.body.entries.length + hashes + 1}`])
  })

  it('leaves nothing of a batch visible when its write fails, and is usable afterwards', async () => {
    interceptWrite(store, 'batch', async () => { throw new Error('injected: disk full') })

    await assert.rejects(store.applyBatch(second, RECEIPT), /injected: disk full/)
    await assertSecondInvisible()
    store = await temp.reopen()
    await assertSecondInvisible()

    await store.applyBatch(second, RECEIPT)
    assert.equal((await store.head(publisher))?.seq, 2)
  })

  it('leaves nothing visible when the database closes underneath the write', async () => {
    const db = rawDbOf(store)
    interceptWrite(store, 'batch', async (args, original) => {
      await db.close()
      await original(...args)
    })

    await assert.rejects(store.applyBatch(second, RECEIPT), { code: 'LEVEL_DATABASE_NOT_OPEN' })
    store = await temp.reopen()
    await assertSecondInvisible()
  })
})
