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
import { stateDigest } from '../../../src/store/stateDigest.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { makeChain, makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

const keys = [generateSecretKey(), generateSecretKey(), generateSecretKey()]

interface Node { dir: string, store: HashStore, index: ExactIndex, ingester: BatchIngester }

async function freshNode (): Promise<Node> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-chain-'))
  const store = await HashStore.open(join(dir, 'db'))
  const index = new ExactIndex()
  const trust = new StaticTrustList(keys.map(k => toHex(publicKeyOf(k))), new Uint8Array(32))
  const ingester = new BatchIngester(
    { store, indexes: new LookupIndexes(store, { exact: index }), trust, logger: silentLogger() },
    { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
  )
  return { dir, store, index, ingester }
}

async function dispose (node: Node): Promise<void> {
  await node.store.close()
  await rm(node.dir, { recursive: true, force: true })
}

describe('hash chains: linking, holding, ordering', function () {
  let node: Node
  beforeEach(async function () { node = await freshNode() })
  afterEach(async function () { await dispose(node) })

  it('holds a batch that arrives before its predecessor, invisible to lookups, and links it when the gap fills', async function () {
    const chain = makeChain(keys[0]!, [randomEntries(2), randomEntries(2), randomEntries(2)])
    const sha = requireSignalType('sha256').code
    const early = await node.ingester.ingest(chain[2]!.signedBytes, gossipSource('peer'))
    assert.deepEqual([early.action, early.code, early.missingFrom], ['accept', 'PENDING', 1])
    assert.equal(node.index.has(sha, chain[2]!.body.entries[0]!.value), false)
    assert.equal(await node.store.hasBatch(chain[2]!.id), false)
    assert.equal(node.ingester.pendingFor(toHex(publicKeyOf(keys[0]!))), 1)

    assert.equal((await node.ingester.ingest(chain[0]!.signedBytes, gossipSource('peer'))).code, 'ACCEPTED')
    assert.equal(await node.store.hasBatch(chain[2]!.id), false, 'still a gap at seq 2')
    assert.equal((await node.ingester.ingest(chain[1]!.signedBytes, gossipSource('peer'))).code, 'ACCEPTED')
    assert.equal((await node.store.head(chain[0]!.body.publisher))?.seq, 3)
    assert.equal(node.index.has(sha, chain[2]!.body.entries[0]!.value), true)
    assert.equal(node.ingester.pendingFor(toHex(publicKeyOf(keys[0]!))), 0)
    assert.equal(node.ingester.outcomeCounts().accept.LINKED, 1)
  })

  it('refuses a batch at head+1 whose prev is not the head (a fork) and keeps the chain', async function () {
    const chain = makeChain(keys[0]!, [randomEntries(1), randomEntries(1)])
    await node.ingester.ingest(chain[0]!.signedBytes, gossipSource('peer'))
    const fork = makeSignedBatch({ secretKey: keys[0]!, seq: 2, prev: new Uint8Array(32).fill(1), entries: randomEntries(1) })
    assert.deepEqual(await node.ingester.ingest(fork.signedBytes, gossipSource('peer')), { action: 'ignore', code: 'PREV_MISMATCH' })
    assert.equal((await node.ingester.ingest(chain[1]!.signedBytes, gossipSource('peer'))).code, 'ACCEPTED')
  })

  it('counts a second copy of a held batch as a duplicate', async function () {
    const chain = makeChain(keys[0]!, [randomEntries(1), randomEntries(1)])
    await node.ingester.ingest(chain[1]!.signedBytes, gossipSource('a'))
    assert.deepEqual(await node.ingester.ingest(chain[1]!.signedBytes, gossipSource('b')), { action: 'ignore', code: 'DUPLICATE' })
  })

  it('property: any delivery order of a set of valid batches ends in the same state', async function () {
    this.timeout(120_000)
    const chains = keys.map(k => makeChain(k, Array.from({ length: 4 }, () => randomEntries(3))))
    const all: DecodedBatch[] = chains.flat()
    const inOrder = await freshNode()
    for (const b of all) await inOrder.ingester.ingest(b.signedBytes, gossipSource('ordered'))
    const expected = toHex(stateDigest(await inOrder.store.heads()))
    await dispose(inOrder)

    await fc.assert(fc.asyncProperty(fc.shuffledSubarray(all, { minLength: all.length }), fc.boolean(), async (order, replay) => {
      const n = await freshNode()
      try {
        // Replays and concurrent arrivals must not change the outcome either.
        const delivery = replay ? [...order, ...order.slice(0, 3)] : order
        await Promise.all(delivery.map(async (b, i) => await n.ingester.ingest(b.signedBytes, gossipSource(`peer${i % 3}`))))
        assert.equal(toHex(stateDigest(await n.store.heads())), expected)
        assert.equal(n.index.size, all.length * 3)
        assert.deepEqual(n.ingester.pendingPublishers(), [])
      } finally {
        await dispose(n)
      }
    }), { numRuns: 25 })
  })
})
