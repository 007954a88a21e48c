import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { Decision, EquivocationTracker, forkSeqOf } from '../../../src/ingest/equivocationTracker.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { encodeEquivocationProof } from '../../../src/wire/equivocationCodec.js'
import { SignedBatchType } from '../../../src/wire/schema.js'
import { makeChain, makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

describe('equivocation', function () {
  const key = generateSecretKey()
  const publisher = publicKeyOf(key)
  const stranger = generateSecretKey()
  const chain = makeChain(key, [randomEntries(1), randomEntries(1), randomEntries(1)])
  const rivalAt1 = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1) })
  const wrongPrevAt2 = makeSignedBatch({ secretKey: key, seq: 2, prev: rivalAt1.id, entries: randomEntries(1) })

  describe('forkSeqOf', function () {
    it('finds the fork in two batches at one seq, or a successor that names another predecessor', function () {
      assert.equal(forkSeqOf(chain[0]!, rivalAt1), 1)
      assert.equal(forkSeqOf(chain[0]!, wrongPrevAt2), 1)
      assert.equal(forkSeqOf(wrongPrevAt2, chain[0]!), 1)
    })

    it('finds none in a consistent chain, a batch and itself, distant seqs or two publishers', function () {
      assert.equal(forkSeqOf(chain[0]!, chain[1]!), undefined)
      assert.equal(forkSeqOf(chain[0]!, chain[0]!), undefined)
      assert.equal(forkSeqOf(chain[0]!, chain[2]!), undefined)
      assert.equal(forkSeqOf(chain[0]!, makeSignedBatch({ secretKey: stranger, seq: 1, entries: randomEntries(1) })), undefined)
    })
  })

  describe('with a real store', function () {
    let dir: string
    let store: HashStore
    let tracker: EquivocationTracker
    let ingester: BatchIngester
    let announced: Uint8Array[]
    const trust = new StaticTrustList([toHex(publisher)], new Uint8Array(32))

    async function build (): Promise<void> {
      const onNewProof = (proof: Uint8Array): void => { announced.push(proof) }
      tracker = await EquivocationTracker.load({ store, trust, logger: silentLogger(), onNewProof }, { network: TEST_NETWORK })
      ingester = new BatchIngester(
        { store, indexes: new LookupIndexes(store), trust, logger: silentLogger(), equivocations: tracker },
        { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
      )
    }

    beforeEach(async function () {
      dir = await mkdtemp(join(tmpdir(), 'hashmesh-equivocation-'))
      store = await HashStore.open(join(dir, 'db'))
      announced = []
      await build()
    })

    afterEach(async function () {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    })

    it('a rival batch at a stored seq becomes a stored, announced proof and freezes the publisher past the fork', async function () {
      await ingester.ingest(chain[0]!.signedBytes, gossipSource('a'))
      assert.deepEqual(await ingester.ingest(rivalAt1.signedBytes, gossipSource('b')), { action: 'ignore', code: 'EQUIVOCATION' })
      assert.equal(announced.length, 1)
      assert.equal(tracker.isEquivocating(toHex(publisher)), true)
      assert.deepEqual(await ingester.ingest(chain[1]!.signedBytes, gossipSource('a')), { action: 'ignore', code: 'EQUIVOCATING' })
      const atFork = await ingester.ingest(rivalAt1.signedBytes, gossipSource('c'))
      assert.deepEqual(atFork, { action: 'ignore', code: 'EQUIVOCATING' }, 'seq at the fork is frozen too')
      assert.equal(announced.length, 1, 'announced once')
    })

    it('a successor naming another predecessor is a proof too', async function () {
      await ingester.ingest(chain[0]!.signedBytes, gossipSource('a'))
      assert.equal((await ingester.ingest(wrongPrevAt2.signedBytes, gossipSource('b'))).code, 'EQUIVOCATION')
      assert.equal(tracker.list()[0]!.forkSeq, 1)
    })

    it('follow-stored resumes the chain this node holds; the decision and proof survive a restart', async function () {
      await ingester.ingest(chain[0]!.signedBytes, gossipSource('a'))
      await ingester.ingest(rivalAt1.signedBytes, gossipSource('b'))
      await tracker.decide(toHex(publisher), Decision.FOLLOW_STORED)
      assert.equal((await ingester.ingest(chain[1]!.signedBytes, gossipSource('a'))).code, 'ACCEPTED')
      await build()
      assert.equal(tracker.list()[0]!.decision, Decision.FOLLOW_STORED)
      assert.equal(toHex(tracker.list()[0]!.b.id), toHex(rivalAt1.id))
      assert.equal((await ingester.ingest(chain[2]!.signedBytes, gossipSource('a'))).code, 'ACCEPTED')
    })

    it('block keeps the publisher frozen; unknown publishers and bad keys are typed errors', async function () {
      await ingester.ingest(chain[0]!.signedBytes, gossipSource('a'))
      await ingester.ingest(rivalAt1.signedBytes, gossipSource('b'))
      await tracker.decide(toHex(publisher), Decision.BLOCK)
      assert.equal((await ingester.ingest(chain[1]!.signedBytes, gossipSource('a'))).code, 'EQUIVOCATING')
      await assert.rejects(tracker.decide('ab'.repeat(32), Decision.BLOCK), { name: 'EquivocationError', code: 'NO_SUCH_EQUIVOCATION' })
      await assert.rejects(tracker.decide('xyz', Decision.BLOCK), { name: 'EquivocationError', code: 'BAD_PUBLISHER_KEY' })
    })

    it('lookups flag the entries of an equivocating publisher', async function () {
      const indexes = new LookupIndexes(store)
      ingester = new BatchIngester({ store, indexes, trust, logger: silentLogger(), equivocations: tracker }, { network: TEST_NETWORK, maxClockSkewMs: 60_000 })
      await ingester.ingest(chain[0]!.signedBytes, gossipSource('a'))
      const lookups = new LookupService({ store, indexes, equivocations: tracker })
      const value = toHex(chain[0]!.body.entries[0]!.value)
      assert.equal((await lookups.lookup('sha256', value)).matches[0]!.publisherEquivocating, false)
      await ingester.ingest(rivalAt1.signedBytes, gossipSource('b'))
      assert.equal((await lookups.lookup('sha256', value)).matches[0]!.publisherEquivocating, true)
    })

    describe('proofs from peers', function () {
      const proof = encodeEquivocationProof(chain[0]!.signedBytes, rivalAt1.signedBytes)

      it('accepts a valid proof once, then counts it a duplicate', async function () {
        assert.deepEqual(await tracker.ingestProof(proof, gossipSource('p')), { action: 'accept', code: 'ACCEPTED' })
        assert.equal(tracker.blocks(publisher, 1), true)
        assert.deepEqual(await tracker.ingestProof(proof, gossipSource('p')), { action: 'ignore', code: 'DUPLICATE' })
        assert.equal(announced.length, 0, 'gossip forwards a peer\'s proof by itself')
      })

      it('rejects a forged or a non-conflicting proof, and ignores one about a stranger', async function () {
        const signature = Uint8Array.from(rivalAt1.signature)
        signature[0]! ^= 1
        const forged = encodeEquivocationProof(chain[0]!.signedBytes, SignedBatchType.encode({ body: rivalAt1.bodyBytes, signature }).finish())
        assert.deepEqual(await tracker.ingestProof(forged, gossipSource('p')), { action: 'reject', code: 'BAD_SIGNATURE' })
        const sameChain = encodeEquivocationProof(chain[0]!.signedBytes, chain[1]!.signedBytes)
        assert.deepEqual(await tracker.ingestProof(sameChain, gossipSource('p')), { action: 'reject', code: 'NOT_EQUIVOCATION' })
        const strangers = makeChain(stranger, [randomEntries(1)])
        const rival = makeSignedBatch({ secretKey: stranger, seq: 1, entries: randomEntries(1) })
        const strangersProof = encodeEquivocationProof(strangers[0]!.signedBytes, rival.signedBytes)
        assert.deepEqual(await tracker.ingestProof(strangersProof, gossipSource('p')), { action: 'ignore', code: 'UNTRUSTED_PUBLISHER' })
        assert.equal(tracker.list().length, 0)
      })

      it('property: arbitrary bytes never throw and never freeze anyone', async function () {
        await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async bytes => {
          const o = await tracker.ingestProof(bytes, gossipSource('fuzz'))
          assert.notEqual(o.action, 'accept')
        }), { numRuns: 300 })
        assert.equal(tracker.list().length, 0)
      })
    })
  })
})
