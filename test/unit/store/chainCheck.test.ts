import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { batchAtKey, headKey } from '../../../src/store/keys.js'
import { makeChain, randomEntries } from '../../helpers/batches.js'
import { TempStore, rawDbOf } from './storeFixtures.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

describe('HashStore head check and repair', function () {
  const temp = new TempStore()
  let store: HashStore
  const key = generateSecretKey()
  const publisher = publicKeyOf(key)
  const chain = makeChain(key, [randomEntries(2), randomEntries(3), randomEntries(4)])

  beforeEach(async function () {
    store = await temp.setup()
    for (const b of chain) await store.applyBatch(b, { receivedAtMs: 1, source: gossipSource('test') })
  })
  afterEach(async function () { await temp.teardown() })

  it('finds nothing wrong with a store written normally', async function () {
    assert.deepEqual(await store.checkAndRepairHeads(), [])
  })

  it('rebuilds a lost or stale head from the stored batches, counters included', async function () {
    await rawDbOf(store).del(headKey(publisher))
    assert.deepEqual((await store.checkAndRepairHeads()).map(p => p.kind), ['HEAD_MISSING'])
    const head = await store.head(publisher)
    assert.deepEqual([head?.seq, toHex(head?.headId ?? new Uint8Array()), head?.batches, head?.entries], [3, toHex(chain[2]!.id), 3, 9])
    assert.deepEqual(await store.checkAndRepairHeads(), [])
  })

  it('checks and repairs in the write queue: a write in flight finishes first, nothing lands in between', async function () {
    await rawDbOf(store).del(headKey(publisher))
    let release = (): void => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const inFlight = store.writeAtomically(async () => { await gate; return [] })
    const scan = store.scanChains.bind(store)
    let scanned = false
    store.scanChains = async () => { scanned = true; return await scan() }
    const repair = store.checkAndRepairHeads()
    for (let i = 0; i < 10; i++) await new Promise(resolve => setImmediate(resolve))
    assert.equal(scanned, false, 'the check waits for the write ahead of it')
    release()
    await inFlight
    assert.deepEqual((await repair).map(p => p.kind), ['HEAD_MISSING'])
    assert.equal((await store.head(publisher))?.seq, 3)
  })

  it('reports a hole it cannot mend and leaves the rest alone', async function () {
    await rawDbOf(store).del(batchAtKey(publisher, 2))
    const problems = await store.checkAndRepairHeads()
    assert.deepEqual(problems.map(p => [p.kind, p.repairable]), [['HOLE', false], ['HEAD_MISMATCH', true]])
    assert.equal((await store.head(publisher))?.seq, 1, 'head rebuilt to the end of the unbroken run')
  })
})
