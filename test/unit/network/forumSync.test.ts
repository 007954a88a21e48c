import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { HashmeshLibp2p } from '../../../src/network/libp2pNode.js'
import { encodeForumRequest } from '../../../src/network/sync/codec.js'
import { SyncError } from '../../../src/network/sync/errors.js'
import { MAX_FORUM_FRAMES } from '../../../src/network/sync/limits.js'
import { forumSyncProtocol } from '../../../src/network/sync/protocols.js'
import { ForumRequestType } from '../../../src/network/sync/schema.js'
import { toHex } from '../../../src/signals/hex.js'
import type { DecodedForumRecord } from '../../../src/wire/types.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { waitFor } from '../../helpers/waitFor.js'
import { DAY, newMember, Root } from '../forum/forumFixtures.js'
import { connect, counter, ingestAll, type SyncNode, type SyncNodeInit, SyncNodePool } from './syncFixtures.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

const FORUM = forumSyncProtocol(TEST_NETWORK)

async function holdAll (node: SyncNode, records: readonly DecodedForumRecord[]): Promise<void> {
  for (const r of records) {
    const o = await node.forum!.ingester.ingest(r.signedBytes, gossipSource('test'))
    if (o.action !== 'accept') throw new Error(`seeding a forum record failed: ${o.code}`)
  }
}

/** Batches seq 1..n created now, as a member publishes them. */
function chainOf (secretKey: Uint8Array, n: number): ReturnType<typeof makeSignedBatch>[] {
  const chain: ReturnType<typeof makeSignedBatch>[] = []
  for (let seq = 1; seq <= n; seq++) chain.push(makeSignedBatch({ secretKey, seq, prev: chain.at(-1)?.id, entries: randomEntries(2) }))
  return chain
}

/** A forum request on a raw stream: whether the responder reset it, and how many frames it sent. */
async function ask (from: HashmeshLibp2p, to: PeerId, request: Uint8Array): Promise<{ reset: boolean, frames: number }> {
  const stream = await from.dialProtocol(to, FORUM)
  const lp = lpStream(stream, { maxDataLength: 8192 })
  let frames = 0
  try {
    await lp.write(request)
    await stream.close()
    for (;;) {
      await lp.read()
      frames++
    }
  } catch (err) {
    return { reset: (err as Error).name !== 'UnexpectedEOFError', frames }
  }
}

describe('forum sync over real libp2p and real LevelDB stores', function () {
  this.timeout(30_000)
  const root = new Root()
  const pool = new SyncNodePool()
  const node = async (init: SyncNodeInit): Promise<SyncNode> => await pool.node(init)
  const rawPeer = async (): Promise<HashmeshLibp2p> => await pool.rawPeer()
  const quietPair = async (init: SyncNodeInit, server: SyncNode): Promise<SyncNode> => await pool.quietPair(init, server)

  afterEach(async function () {
    await pool.closeAll()
  })

  it('a fresh node learns every forum record from a peer that is not their root, on connecting; then nothing is sent again', async function () {
    const member = newMember()
    const records = [root.credential(member.publicKey), root.revocation(member.publicKey, { serial: 7 }), root.credential(newMember().publicKey)]
    const relay = await node({ forum: [root.hex] })
    await holdAll(relay, records)
    const fresh = await node({ forum: [root.hex] })

    await connect(fresh.libp2p, relay.libp2p)
    await waitFor('the same forum', async () => toHex(fresh.forum!.membership.digest()) === toHex(relay.forum!.membership.digest()))
    assert.equal(fresh.forum!.membership.isTrusted(member.publicKey), true)
    assert.equal(await counter(relay.registry, 'hashmesh_sync_forum_records_served_total'), 3)
    await waitFor('the first round to end', async () => await counter(fresh.registry, 'hashmesh_sync_rounds_total') >= 1)

    await fresh.sync.syncWith(relay.peerId)
    assert.equal(await counter(relay.registry, 'hashmesh_sync_forum_records_served_total'), 3, 'equal digests: no records sent')
    assert.equal(await counter(fresh.registry, 'hashmesh_sync_requests_total', { protocol: 'forum', outcome: 'ok' }), 2)
    assert.deepEqual(fresh.forum!.ingester.outcomeCounts().accept, { ACCEPTED: 3 })
  })

  it('learns a revocation before pulling the revoked member\'s batches, so those past the cut are refused', async function () {
    const member = newMember()
    const now = Date.now()
    const credential = root.credential(member.publicKey, { validFromMs: now - DAY, validUntilMs: now + DAY, createdAtMs: now - DAY })
    const revocation = root.revocation(member.publicKey, { serial: 0, lastSeq: 3, effectiveAtMs: now + 100 * DAY, createdAtMs: now })
    const chain = chainOf(member.secretKey, 6)
    // The relay stored all six before it heard of the revocation.
    const relay = await node({ forum: [root.hex] })
    await holdAll(relay, [credential])
    await ingestAll(relay, chain)
    await holdAll(relay, [revocation])
    const fresh = await quietPair({ forum: [root.hex] }, relay)

    await fresh.sync.syncWith(relay.peerId)
    assert.equal((await fresh.store.head(member.publicKey))?.seq, 3)
    assert.equal(fresh.ingester.outcomeCounts().ignore.CREDENTIAL_REVOKED, 3)
    assert.equal(fresh.forum!.membership.standing(member.publicKey, 3, now, 'hash').status, 'revoked')
  })

  it('syncs batches with a peer that has no forum, and such a peer does not serve the forum protocol', async function () {
    const publisher = generateSecretKey()
    const plain = await node({ trusts: [publisher] })
    await ingestAll(plain, chainOf(publisher, 4))
    const withForum = await quietPair({ forum: [root.hex], trusts: [publisher] }, plain)

    const [result] = await withForum.sync.syncWith(plain.peerId)
    assert.equal(result?.end, 'COMPLETE')
    assert.equal((await withForum.store.head(publicKeyOf(publisher)))?.seq, 4)
    assert.equal(await counter(withForum.registry, 'hashmesh_sync_requests_total', { protocol: 'forum' }), 0, 'never asked')
    assert.equal((await withForum.libp2p.peerStore.get(plain.peerId)).protocols.includes(FORUM), false)
  })

  it('stops reading at the first forum record the sink rejects, and goes on with the batches', async function () {
    const member = newMember()
    const good = root.credential(member.publicKey, { validFromMs: Date.now() - DAY, validUntilMs: Date.now() + DAY })
    const forged = { ...good, signedBytes: Uint8Array.from(good.signedBytes) }
    forged.signedBytes[forged.signedBytes.length - 1]! ^= 1
    const liar = await node({
      forum: [root.hex],
      trusts: [member.secretKey],
      servedForum: { digest: () => new Uint8Array(32), records: async () => [forged.signedBytes, good.signedBytes] }
    })
    await ingestAll(liar, chainOf(member.secretKey, 2))
    const fresh = await quietPair({ forum: [root.hex], trusts: [member.secretKey] }, liar)

    await fresh.sync.syncWith(liar.peerId)
    assert.deepEqual(fresh.forum!.ingester.outcomeCounts().reject, { BAD_SIGNATURE: 1 })
    assert.equal(fresh.forum!.membership.size, 0, 'nothing read past the forgery')
    assert.equal(await counter(fresh.registry, 'hashmesh_sync_forum_records_fetched_total', { action: 'reject' }), 1)
    assert.equal((await fresh.store.head(member.publicKey))?.seq, 2, 'the round went on to the batches')
  })

  it('aborts a forum request with a bad digest or that is not protobuf, and answers a good one', async function () {
    const server = await node({ forum: [root.hex] })
    await holdAll(server, [root.credential(newMember().publicKey), root.credential(newMember().publicKey)])
    const raw = await rawPeer()
    await raw.dial(server.libp2p.getMultiaddrs()[0]!)

    assert.equal((await ask(raw, server.peerId, ForumRequestType.encode({ digest: new Uint8Array(31) }).finish())).reset, true)
    assert.equal((await ask(raw, server.peerId, Uint8Array.of(0xff, 0xff))).reset, true)
    assert.equal(await counter(server.registry, 'hashmesh_sync_served_total', { protocol: 'forum', outcome: 'BAD_DIGEST' }), 1)
    assert.equal(await counter(server.registry, 'hashmesh_sync_served_total', { protocol: 'forum', outcome: 'MALFORMED' }), 1)
    assert.deepEqual(await ask(raw, server.peerId, encodeForumRequest(new Uint8Array(0))), { reset: false, frames: 2 })
    assert.deepEqual(await ask(raw, server.peerId, encodeForumRequest(server.forum!.membership.digest())), { reset: false, frames: 0 })
    assert.throws(() => encodeForumRequest(new Uint8Array(5)), (err: unknown) => err instanceof SyncError && err.code === 'BAD_DIGEST')
  })

  it('fails the round against a peer that sends more than MAX_FORUM_FRAMES records', async function () {
    const record = root.credential(newMember().publicKey)
    const flooder = await rawPeer()
    await flooder.handle(FORUM, async stream => {
      const lp = lpStream(stream)
      await lp.read()
      for (let i = 0; i <= MAX_FORUM_FRAMES; i++) await lp.write(record.signedBytes)
      await stream.close()
    })
    const fresh = await node({ forum: [root.hex], startSync: false })
    await fresh.libp2p.dial(flooder.getMultiaddrs()[0]!)
    await waitFor('identify', async () => (await fresh.libp2p.peerStore.get(flooder.peerId)).protocols.includes(FORUM))
    await fresh.sync.start()

    await assert.rejects(fresh.sync.syncWith(flooder.peerId), (err: unknown) => err instanceof SyncError && err.code === 'TOO_MANY_FRAMES')
    assert.equal(fresh.forum!.membership.size, 1)
    assert.equal(fresh.forum!.ingester.outcomeCounts().ignore.DUPLICATE, MAX_FORUM_FRAMES - 1)
  })
})
