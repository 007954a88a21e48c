import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf, verify } from '../../../src/crypto/ed25519.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { BatchPublisher, PublishError } from '../../../src/node/batchPublisher.js'
import { SignalError } from '../../../src/signals/registry.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { decodeSignedBatch } from '../../../src/wire/batchCodec.js'
import { WireError } from '../../../src/wire/errors.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { EquivocationTracker } from '../../../src/ingest/equivocationTracker.js'
import { Membership } from '../../../src/forum/membership.js'
import { Root } from '../forum/forumFixtures.js'
import { toHex } from '../../../src/signals/hex.js'
import { Action } from '../../../src/wire/types.js'
import type { EntryInput } from '../../../src/node/interface.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

const md5 = (n: number): { type: string, value: string } => ({ type: 'md5', value: n.toString(16).padStart(32, '0') })

describe('BatchPublisher (real store, fake gossip)', function () {
  let dir: string
  let store: HashStore
  let announced: Uint8Array[]
  let gossipFails: boolean
  const secretKey = generateSecretKey()
  const key = { secretKey, publicKey: publicKeyOf(secretKey) }

  async function publisherOver (s: HashStore): Promise<BatchPublisher> {
    const ingester = new BatchIngester(
      { store: s, indexes: new LookupIndexes(s), trust: new StaticTrustList([], key.publicKey), logger: silentLogger() },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
    const gossip = {
      publish: async (bytes: Uint8Array) => {
        if (gossipFails) throw new Error('no route')
        announced.push(bytes)
        return 2
      }
    }
    return new BatchPublisher({ store: s, ingester, gossip, key, logger: silentLogger() }, { network: TEST_NETWORK })
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-publisher-'))
    store = await HashStore.open(join(dir, 'db'))
    announced = []
    gossipFails = false
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('signs batches that chain seq 1, 2, 3 by prev, stores and announces them', async function () {
    const publisher = await publisherOver(store)
    const results = []
    for (let i = 0; i < 3; i++) results.push(await publisher.publish([md5(i)]))
    assert.deepEqual(results.map(r => r.seq), [1, 2, 3])
    const decoded = announced.map(decodeSignedBatch)
    assert.equal(decoded[0]!.body.prev.length, 0)
    assert.equal(toHex(decoded[1]!.body.prev), results[0]!.batchId)
    assert.equal(toHex(decoded[2]!.body.prev), results[1]!.batchId)
    for (const d of decoded) assert.ok(verify(d.signature, d.bodyBytes, key.publicKey))
    assert.equal((await store.head(key.publicKey))?.seq, 3)
  })

  it('continues its chain after the store is reopened (a restart)', async function () {
    const first = await (await publisherOver(store)).publish([md5(1)])
    await store.close()
    store = await HashStore.open(join(dir, 'db'))
    const next = await (await publisherOver(store)).publish([md5(2)])
    assert.equal(next.seq, 2)
    assert.equal(toHex(decodeSignedBatch(announced[1]!).body.prev), first.batchId)
  })

  it('gives concurrent publishes distinct, consecutive seqs', async function () {
    const publisher = await publisherOver(store)
    const results = await Promise.all(Array.from({ length: 6 }, async (_, i) => await publisher.publish([md5(i)])))
    assert.deepEqual(results.map(r => r.seq).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6])
  })

  it('keeps the batch stored when gossip fails, reporting 0 recipients', async function () {
    gossipFails = true
    const result = await (await publisherOver(store)).publish([md5(7)])
    assert.equal(result.recipients, 0)
    assert.equal(await store.hasBatch(Buffer.from(result.batchId, 'hex')), true)
  })

  it('refuses to publish while its own key is frozen by an equivocation, with a code that says so', async function () {
    const trust = new StaticTrustList([], key.publicKey)
    const equivocations = await EquivocationTracker.load({ store, trust, logger: silentLogger() }, { network: TEST_NETWORK })
    const ingester = new BatchIngester(
      { store, indexes: new LookupIndexes(store), trust, logger: silentLogger(), equivocations },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
    const publisher = new BatchPublisher({ store, ingester, gossip: { publish: async () => 0 }, key, logger: silentLogger() }, { network: TEST_NETWORK })
    await publisher.publish([md5(1)])
    // The same key signs a rival seq 1 elsewhere (another node of the organisation, say) and it arrives here.
    const rival = makeSignedBatch({ secretKey, seq: 1, entries: randomEntries(1) })
    assert.equal((await ingester.ingest(rival.signedBytes, gossipSource('x'))).code, 'EQUIVOCATION')
    await assert.rejects(publisher.publish([md5(2)]), (e: unknown) => e instanceof PublishError && e.code === 'PUBLISHER_FROZEN')
  })

  it('in a forum: NOT_ADMITTED with the refusal as its reason, even with its own key in trust; the hint never says to list it there', async function () {
    const root = new Root()
    const membership = new Membership({ roots: [root.hex], trusted: [toHex(key.publicKey)], revokedEntries: 'keep' })
    const ingester = new BatchIngester(
      { store, indexes: new LookupIndexes(store), trust: membership, logger: silentLogger() },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
    const publisher = new BatchPublisher({ store, ingester, gossip: { publish: async () => 0 }, key, logger: silentLogger() }, { network: TEST_NETWORK })
    const refusal = async (): Promise<PublishError> => await publisher.publish([md5(1)]).then(() => assert.fail('published'), (e: unknown) => e as PublishError)

    const stranger = await refusal()
    assert.deepEqual([stranger.code, stranger.reason], ['NOT_ADMITTED', 'UNTRUSTED_PUBLISHER'])
    assert.match(stranger.message, /no credential/)
    assert.match(stranger.message, /hashmesh join FILE/)
    assert.doesNotMatch(stranger.message, /list the key in trust/)

    const now = Date.now()
    membership.add(root.credential(key.publicKey, { validFromMs: now - 60_000, validUntilMs: now + 3_600_000, createdAtMs: now - 60_000 }))
    assert.equal((await publisher.publish([md5(2)])).seq, 1)
    membership.add(root.revocation(key.publicKey, { effectiveAtMs: now - 1, lastSeq: 1, createdAtMs: now }))
    const revoked = await refusal()
    assert.deepEqual([revoked.code, revoked.reason], ['NOT_ADMITTED', 'CREDENTIAL_REVOKED'])
  })

  it('refuses bad input before signing anything, naming the entry', async function () {
    const publisher = await publisherOver(store)
    await assert.rejects(publisher.publish([]), (e: unknown) => e instanceof PublishError && e.code === 'NO_ENTRIES')
    await assert.rejects(publisher.publish([md5(1), { type: 'md5', value: 'abc' }]),
      (e: unknown) => e instanceof SignalError && e.code === 'BAD_SIGNAL_VALUE' && e.message.startsWith('entries[1]'))
    await assert.rejects(publisher.publish([{ type: 'tlsh', value: '00' }]), (e: unknown) => e instanceof SignalError && e.code === 'UNKNOWN_SIGNAL_TYPE')
    assert.equal(await store.head(key.publicKey), undefined)
    assert.equal(announced.length, 0)
  })

  it('publishes opinions with their reasons in an ordinary batch, beside hash actions', async function () {
    const publisher = await publisherOver(store)
    await publisher.publish([
      { ...md5(1), labels: ['csam'] },
      { ...md5(2), action: 'confirm', reason: 'verified' },
      { ...md5(3), action: 'false_positive', reason: 'not_violating' },
      { ...md5(4), action: 'dispute' },
      { ...md5(5), action: 'withdraw' },
      { ...md5(6), action: 'retract' }
    ])
    const { entries } = decodeSignedBatch(announced[0]!).body
    assert.deepEqual(entries.map(e => [e.action, e.reason, e.labels]), [
      [Action.ADD, undefined, ['csam']], [Action.CONFIRM, 'verified', []], [Action.FALSE_POSITIVE, 'not_violating', []],
      [Action.DISPUTE, undefined, []], [Action.WITHDRAW, undefined, []], [Action.RETRACT, undefined, []]
    ])
    const [row] = await store.entriesFor(1, Buffer.from(md5(3).value, 'hex'))
    assert.equal((row as { reason?: string } | undefined)?.reason, 'not_violating', 'the reason is stored on the index row')
  })

  it('refuses an opinion with labels, a reason on a hash action, a malformed reason or an unknown action, naming the entry', async function () {
    const publisher = await publisherOver(store)
    const bad: Array<[EntryInput, string]> = [
      [{ ...md5(2), action: 'confirm', labels: ['csam'] }, 'OPINION_WITH_LABELS'],
      [{ ...md5(2), action: 'add', reason: 'verified' }, 'BAD_REASON'],
      [{ ...md5(2), reason: 'verified' }, 'BAD_REASON'],
      [{ ...md5(2), action: 'dispute', reason: 'Not Valid' }, 'BAD_REASON'],
      [{ ...md5(2), action: 'dispute', reason: '' }, 'BAD_REASON'],
      [{ ...md5(2), action: 'constructor' as EntryInput['action'] }, 'BAD_ACTION']
    ]
    for (const [entry, code] of bad) {
      await assert.rejects(publisher.publish([md5(1), entry]),
        (e: unknown) => e instanceof WireError && e.code === code && e.message.startsWith('entries[1]: '), JSON.stringify(entry))
    }
    assert.equal(await store.head(key.publicKey), undefined)
    assert.equal(announced.length, 0)
  })
})
