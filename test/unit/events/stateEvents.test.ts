import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { EquivocationEventData, RevocationEventData } from '../../../src/events/hashmeshEvent.js'
import { ForumRecordIngester } from '../../../src/forum/forumRecordIngester.js'
import { Membership } from '../../../src/forum/membership.js'
import { EquivocationTracker } from '../../../src/ingest/equivocationTracker.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { toHex } from '../../../src/signals/hex.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'
import { encodeEquivocationProof } from '../../../src/wire/equivocationCodec.js'
import { TEST_NETWORK, makeChain, makeSignedBatch, randomEntries } from '../../helpers/batches.js'
import { DAY, Root, T0, newMember } from '../forum/forumFixtures.js'
import { interceptWrite } from '../store/storeFixtures.js'
import { HookRig } from '../webhooks/hookFixtures.js'

const SECRET = 'state-events-secret-0123456789'

interface Delivered<T> { id: string, type: string, createdAt: string, data: T }

function delivered<T> (rig: HookRig): Array<Delivered<T>> {
  return rig.received.map(r => JSON.parse(r.body) as Delivered<T>)
}

describe('events: revocation and equivocation, written with the state change', function () {
  let rig: HookRig

  beforeEach(async function () {
    rig = await new HookRig().setup()
    await rig.hooks.add({ url: 'http://r.example/', events: ['revocation', 'equivocation'], secret: SECRET }, 'tester')
  })
  afterEach(async function () { await rig.teardown() })

  it('a stored revocation emits one revocation event with member and organisation; a credential, a duplicate or a failed write emit none', async function () {
    const root = new Root()
    const membership = new Membership({ roots: [root.hex], trusted: [], revokedEntries: 'keep' })
    const ingester = new ForumRecordIngester(
      { store: rig.store, membership, logger: silentLogger(), events: rig.outbox },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000, now: () => T0 + 10 * DAY }
    )
    const member = newMember()
    assert.equal((await ingester.ingest(root.credential(member.publicKey, { organisation: 'Platform A' }).signedBytes, LOCAL_SOURCE)).code, 'ACCEPTED')
    assert.deepEqual(rig.outbox.rowCounts(), { outbox: 0, dead: 0 })

    const revocation = root.revocation(member.publicKey, { effectiveAtMs: T0 + 2 * DAY })
    assert.equal((await ingester.ingest(revocation.signedBytes, gossipSource('p'))).code, 'ACCEPTED')
    assert.equal((await ingester.ingest(revocation.signedBytes, gossipSource('q'))).code, 'DUPLICATE')

    const failing = root.revocation(newMember().publicKey)
    interceptWrite(rig.store, 'batch', async () => { throw new Error('disk full') })
    assert.equal((await ingester.ingest(failing.signedBytes, gossipSource('p'))).code, 'INTERNAL')
    assert.equal(await rig.store.repositories.hookOutbox.count(), 1)

    await rig.crashAndRestart()
    await rig.deliverer.drain()
    const events = delivered<RevocationEventData>(rig)
    assert.equal(events.length, 1)
    assert.equal(events[0]!.type, 'revocation')
    assert.deepEqual(events[0]!.data, {
      member: member.hex, organisation: 'Platform A', recordId: toHex(revocation.id), effectiveAt: new Date(T0 + 2 * DAY).toISOString()
    })
  })

  it('a new equivocation proof emits one equivocation event; the same proof again emits none', async function () {
    const key = generateSecretKey()
    const publisher = publicKeyOf(key)
    const trust = new StaticTrustList([toHex(publisher)], new Uint8Array(32))
    const tracker = await EquivocationTracker.load({ store: rig.store, trust, logger: silentLogger(), events: rig.outbox }, { network: TEST_NETWORK })
    const [first] = makeChain(key, [randomEntries(1)])
    const rival = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1) })
    const proof = encodeEquivocationProof(first!.signedBytes, rival.signedBytes)
    assert.equal((await tracker.ingestProof(proof, gossipSource('p'))).code, 'ACCEPTED')
    assert.equal((await tracker.ingestProof(proof, gossipSource('p'))).code, 'DUPLICATE')
    await rig.deliverer.drain()
    const events = delivered<EquivocationEventData>(rig)
    assert.equal(events.length, 1)
    const { data } = events[0]!
    assert.equal(events[0]!.type, 'equivocation')
    assert.equal(data.publisher, toHex(publisher))
    assert.equal(data.forkSeq, 1)
    assert.deepEqual(new Set([data.batchA.batchId, data.batchB.batchId]), new Set([toHex(first!.id), toHex(rival.id)]))
  })
})
