import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { UntrustedByteBudget } from '../../../src/network/untrustedByteBudget.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { MAX_SIGNED_BATCH_BYTES } from '../../../src/wire/limits.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { gossipSource, syncSource } from '../../../src/wire/batchSource.js'

const KEY_A = new Uint8Array(32).fill(1)
const KEY_B = new Uint8Array(32).fill(2)

describe('UntrustedByteBudget', function () {
  let now = 0
  const budget = (): UntrustedByteBudget => new UntrustedByteBudget({ burstBytes: 1000, bytesPerSecond: 100, now: () => now })
  beforeEach(function () { now = 1_000_000 })

  it('lets a peer spend its burst, then refills at the rate', function () {
    const b = budget()
    assert.equal(b.spend(gossipSource('p1'), KEY_A, 600), true)
    assert.equal(b.spend(gossipSource('p1'), KEY_B, 600), false, 'the peer has 400 bytes left')
    now += 2_000
    assert.equal(b.spend(gossipSource('p1'), KEY_B, 600), true)
  })

  it('holds one publisher back across every peer relaying it', function () {
    const b = budget()
    assert.equal(b.spend(gossipSource('p1'), KEY_A, 600), true)
    assert.equal(b.spend(gossipSource('p2'), KEY_A, 600), false)
    assert.equal(b.spend(gossipSource('p2'), KEY_B, 600), true, 'another key through another peer is untouched')
  })

  it('counts gossip and sync from one peer together', function () {
    const b = budget()
    assert.equal(b.spend(gossipSource('p1'), KEY_A, 600), true)
    assert.equal(b.spend(syncSource('p1'), KEY_B, 600), false)
  })

  it('takes nothing from either budget when one of them says no', function () {
    const b = budget()
    assert.equal(b.spend(gossipSource('p1'), KEY_A, 900), true)
    assert.equal(b.spend(gossipSource('p2'), KEY_A, 900), false)
    assert.equal(b.spend(gossipSource('p2'), KEY_B, 1000), true, 'p2 was not charged for the refused batch')
  })

  it('by default holds at least one largest batch', function () {
    assert.equal(new UntrustedByteBudget().spend(gossipSource('p1'), KEY_A, MAX_SIGNED_BATCH_BYTES), true)
  })
})

describe('BatchIngester with an untrusted byte budget (real LevelDB store)', function () {
  let dir: string
  let store: HashStore
  let ingester: BatchIngester
  const trusted = generateSecretKey()
  const rogue = generateSecretKey()

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-budget-'))
    store = await HashStore.open(join(dir, 'db'))
    ingester = new BatchIngester(
      {
        store, indexes: new LookupIndexes(store), trust: new StaticTrustList([], publicKeyOf(trusted)), logger: silentLogger(),
        untrustedBudget: new UntrustedByteBudget({ burstBytes: 3 * MAX_SIGNED_BATCH_BYTES, bytesPerSecond: 1 })
      },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('drops a flooding peer\'s untrusted batches past its budget, counts them, and still stores its trusted ones', async function () {
    // ~340 KB each, as in the attack: 9 fit in three of the largest batches.
    const flood = Array.from({ length: 12 }, (_, i) =>
      makeSignedBatch({ secretKey: rogue, seq: 1, entries: randomEntries(6_500), createdAtMs: Date.now() - i }))
    const codes = []
    for (const b of flood) codes.push((await ingester.ingest(b.signedBytes, gossipSource('flooder'))).code)
    assert.deepEqual(codes, [...Array<string>(9).fill('UNTRUSTED_PUBLISHER'), ...Array<string>(3).fill('UNTRUSTED_BUDGET')])
    const honest = makeSignedBatch({ secretKey: trusted, seq: 1, entries: randomEntries(2) })
    assert.equal((await ingester.ingest(honest.signedBytes, gossipSource('flooder'))).code, 'ACCEPTED')
    assert.deepEqual(ingester.outcomeCounts().ignore, { UNTRUSTED_PUBLISHER: 9, UNTRUSTED_BUDGET: 3 })
  })
})
