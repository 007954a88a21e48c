import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { AdvertisedHeads } from '../../../src/network/sync/advertisedHeads.js'
import { registerSyncLagGauge } from '../../../src/network/sync/metrics.js'
import type { SyncStore } from '../../../src/network/sync/interface.js'
import type { TrustPolicy } from '../../../src/ingest/trustPolicy.js'
import { toHex } from '../../../src/signals/hex.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { makeChain, randomEntries } from '../../helpers/batches.js'
import { ingestAll, type SyncNode, SyncNodePool } from './syncFixtures.js'

const LAG = 'hashmesh_sync_lag_batches'

function chainOf (key: Uint8Array, n: number): DecodedBatch[] {
  return makeChain(key, Array.from({ length: n }, () => randomEntries(2)))
}

/** Advertises the whole chain but serves only its first `served` batches, as a peer that lost the rest would. */
function storeServingFirst (chain: readonly DecodedBatch[], served: number): SyncStore {
  const top = chain.at(-1)!
  return {
    heads: async () => [{ publisher: top.body.publisher, seq: top.body.seq, headId: top.id }],
    head: async () => ({ seq: top.body.seq }),
    getSignedBatch: async (_publisher, seq) => seq <= served ? chain[seq - 1]?.signedBytes : undefined
  }
}

async function lagSeries (node: SyncNode): Promise<Record<string, number>> {
  const registry = new Registry()
  registerSyncLagGauge(registry, node.sync)
  const { values } = await registry.getSingleMetric(LAG)!.get()
  return Object.fromEntries(values.map(v => [String(v.labels.publisher), v.value]))
}

describe('sync lag per publisher', function () {
  this.timeout(30_000)
  const pool = new SyncNodePool()
  afterEach(async function () { await pool.closeAll() })

  it('is the best advertised head minus this node\'s head, while a peer cannot serve the rest', async function () {
    const publisher = generateSecretKey()
    const chain = chainOf(publisher, 10)
    const peer = await pool.node({ servedStore: storeServingFirst(chain, 4) })
    const behind = await pool.quietPair({ trusts: [publisher] }, peer)

    await behind.sync.syncWith(peer.peerId)
    assert.equal((await behind.store.head(publicKeyOf(publisher)))?.seq, 4)
    assert.deepEqual(await lagSeries(behind), { [toHex(publicKeyOf(publisher))]: 6 })

    await ingestAll(behind, chain.slice(4))
    assert.deepEqual(await lagSeries(behind), { [toHex(publicKeyOf(publisher))]: 0 }, 'caught up (here by other means): the series stays, at 0')
  })

  it('has series only for trusted publishers', async function () {
    const trusted = generateSecretKey()
    const untrusted = generateSecretKey()
    const relay = await pool.node({ trusts: [trusted, untrusted] })
    await ingestAll(relay, [...chainOf(trusted, 3), ...chainOf(untrusted, 5)])
    const fresh = await pool.quietPair({ trusts: [trusted] }, relay)

    await fresh.sync.syncWith(relay.peerId)
    assert.deepEqual(await lagSeries(fresh), { [toHex(publicKeyOf(trusted))]: 0 })
  })

  it('drops a publisher\'s series once it is no longer trusted', async function () {
    const [kept, dropped] = [generateSecretKey(), generateSecretKey()]
    const relay = await pool.node({ trusts: [kept, dropped] })
    await ingestAll(relay, [...chainOf(kept, 2), ...chainOf(dropped, 2)])
    const trusted = new Set([kept, dropped].map(k => toHex(publicKeyOf(k))))
    const trustPolicy: TrustPolicy = {
      isTrusted: publisher => trusted.has(toHex(publisher)),
      check: body => trusted.has(toHex(body.publisher)) ? undefined : { code: 'UNTRUSTED_PUBLISHER', message: 'not trusted' }
    }
    const fresh = await pool.quietPair({ trustPolicy }, relay)

    await fresh.sync.syncWith(relay.peerId)
    assert.deepEqual(Object.keys(await lagSeries(fresh)).sort(), [...trusted].sort())
    trusted.delete(toHex(publicKeyOf(dropped)))
    assert.deepEqual(await lagSeries(fresh), { [toHex(publicKeyOf(kept))]: 0 })
  })
})

describe('AdvertisedHeads', () => {
  const [a, b, c] = [1, 2, 3].map(() => publicKeyOf(generateSecretKey())) as [Uint8Array, Uint8Array, Uint8Array]

  it('keeps the highest seq any peer advertised', () => {
    const heads = new AdvertisedHeads()
    heads.note(a, 5)
    heads.note(a, 9)
    heads.note(a, 7)
    assert.deepEqual(heads.lags(new Map([[toHex(a), 2]])), [{ publisher: toHex(a), batches: 7 }])
    assert.deepEqual(heads.lags(new Map([[toHex(a), 12]])), [{ publisher: toHex(a), batches: 0 }], 'ahead of every peer is no lag')
  })

  it('notes no publisher past its bound, and forgets the ones pruned', () => {
    const heads = new AdvertisedHeads(2)
    heads.note(a, 1)
    heads.note(b, 1)
    heads.note(c, 1)
    assert.deepEqual(heads.lags(new Map()).map(l => l.publisher), [toHex(a), toHex(b)])
    heads.prune(p => toHex(p) !== toHex(a))
    heads.note(c, 3)
    assert.deepEqual(heads.lags(new Map()), [{ publisher: toHex(b), batches: 1 }, { publisher: toHex(c), batches: 3 }])
  })
})
