import assert from 'node:assert/strict'
import type { PeerId } from '@libp2p/interface'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { HashmeshLibp2p } from '../../../src/network/libp2pNode.js'
import { encodeHeadsRequest } from '../../../src/network/sync/codec.js'
import { SyncError } from '../../../src/network/sync/errors.js'
import type { SyncStore } from '../../../src/network/sync/interface.js'
import { SERVE_BURST } from '../../../src/network/sync/limits.js'
import { syncProtocols } from '../../../src/network/sync/protocols.js'
import { RangeRequestType } from '../../../src/network/sync/schema.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { makeChain, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { waitFor } from '../../helpers/waitFor.js'
import { connect, counter, headsOf, ingestAll, type SyncNode, type SyncNodeInit, SyncNodePool } from './syncFixtures.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

const PROTOCOLS = syncProtocols(TEST_NETWORK)

function chainOf (key: Uint8Array, n: number): DecodedBatch[] {
  return makeChain(key, Array.from({ length: n }, () => randomEntries(3)))
}

async function storedIds (node: SyncNode, publisher: Uint8Array, seqs: number[]): Promise<Array<string | undefined>> {
  return await Promise.all(seqs.map(async s => {
    const id = await node.store.batchIdAt(publisher, s)
    return id === undefined ? undefined : toHex(id)
  }))
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** An unsigned varint, as a length prefix. */
function varint (n: number): number[] {
  const out: number[] = []
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80)
  out.push(n)
  return out
}

/** One frame, however malformed its content. */
function frame (bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(bytes.length), ...bytes])
}

/** Sends raw bytes on a fresh stream and reads until the responder closes or resets it. */
async function exchange (from: HashmeshLibp2p, to: PeerId, protocol: string, bytes: Uint8Array): Promise<{ reset: boolean, received: number }> {
  const stream = await from.dialProtocol(to, protocol)
  let received = 0
  try {
    stream.send(bytes)
    await stream.close()
    for await (const chunk of stream) received += chunk.byteLength
    return { reset: false, received }
  } catch {
    return { reset: true, received }
  }
}

/** Serves whatever bytes it is given, as a peer with a doctored store would. */
function storeServing (batches: ReadonlyArray<{ publisher: Uint8Array, seq: number, bytes: Uint8Array, id: Uint8Array }>): SyncStore {
  const at = (publisher: Uint8Array, seq: number): typeof batches[number] | undefined =>
    batches.find(b => b.seq === seq && toHex(b.publisher) === toHex(publisher))
  const top = batches.at(-1)!
  return {
    heads: async () => [{ publisher: top.publisher, seq: top.seq, headId: top.id }],
    head: async publisher => toHex(publisher) === toHex(top.publisher) ? { seq: top.seq } : undefined,
    getSignedBatch: async (publisher, seq) => at(publisher, seq)?.bytes
  }
}

/** The batch's bytes with one byte of an entry value flipped: the signature no longer covers them. */
function forged (batch: DecodedBatch): Uint8Array {
  const bytes = Buffer.from(batch.signedBytes)
  const at = bytes.indexOf(Buffer.from(batch.body.entries[0]!.value))
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at)
  return bytes
}

describe('SyncService over real libp2p (TCP, noise, yamux) and real LevelDB stores', function () {
  this.timeout(30_000)
  const pool = new SyncNodePool()
  const node = async (init: SyncNodeInit): Promise<SyncNode> => await pool.node(init)
  const rawPeer = async (): Promise<HashmeshLibp2p> => await pool.rawPeer()
  const quietPair = async (init: SyncNodeInit, server: SyncNode): Promise<SyncNode> => await pool.quietPair(init, server)

  afterEach(async function () {
    await pool.closeAll()
  })

  it('a fresh node pulls 50 batches from a peer that is not their publisher, on connecting, and ends with the same heads', async function () {
    const publisher = generateSecretKey()
    const chain = chainOf(publisher, 50)
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chain)
    const fresh = await node({ trusts: [publisher] })

    await connect(fresh.libp2p, relay.libp2p)
    await waitFor('the same heads', async () => JSON.stringify(await headsOf(fresh.store)) === JSON.stringify(await headsOf(relay.store)))
    assert.deepEqual(await storedIds(fresh, publicKeyOf(publisher), range(1, 50)), chain.map(b => toHex(b.id)))
  })

  it('pulls large batches through a slow sink without overrunning the stream (responses bounded by bytes)', async function () {
    this.timeout(60_000)
    const publisher = generateSecretKey()
    const chain = makeChain(publisher, Array.from({ length: 20 }, () => randomEntries(10_000)), TEST_NETWORK)
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chain)
    const fresh = await quietPair({ trusts: [publisher], sinkDelayMs: 150 }, relay)

    const [result] = await fresh.sync.syncWith(relay.peerId)
    assert.equal(result?.end, 'COMPLETE')
    assert.equal(result?.accepted, 20)
    const responses = await counter(fresh.registry, 'hashmesh_sync_requests_total', { protocol: 'range', outcome: 'ok' })
    assert.ok(responses >= 2, `the ~10 MB history came in byte-bounded responses (${responses})`)
  })

  it('asks for a range larger than maxBatchesPerRange in chunks', async function () {
    const publisher = generateSecretKey()
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chainOf(publisher, 50))
    const fresh = await quietPair({ trusts: [publisher], options: { maxBatchesPerRange: 8 } }, relay)

    const [result, ...more] = await fresh.sync.syncWith(relay.peerId)
    assert.deepEqual(more, [])
    assert.deepEqual({ ...result, peer: undefined }, {
      publisher: toHex(publicKeyOf(publisher)), peer: undefined, fromSeq: 1, targetSeq: 50, fetched: 50, accepted: 50, end: 'COMPLETE'
    })
    assert.equal(await counter(fresh.registry, 'hashmesh_sync_requests_total', { protocol: 'range', outcome: 'ok' }), Math.ceil(50 / 8))
    assert.equal(await counter(relay.registry, 'hashmesh_sync_batches_served_total'), 50)
    assert.deepEqual(await headsOf(fresh.store), await headsOf(relay.store))
  })

  it('pulls only the publishers this node trusts', async function () {
    const trusted = generateSecretKey()
    const untrusted = generateSecretKey()
    const relay = await node({ trusts: [trusted, untrusted] })
    await ingestAll(relay, [...chainOf(trusted, 5), ...chainOf(untrusted, 5)])
    const fresh = await quietPair({ trusts: [trusted] }, relay)

    const results = await fresh.sync.syncWith(relay.peerId)
    assert.deepEqual(results.map(r => [r.publisher, r.end]), [[toHex(publicKeyOf(trusted)), 'COMPLETE']])
    assert.equal((await fresh.store.head(publicKeyOf(trusted)))?.seq, 5)
    assert.equal(await fresh.store.head(publicKeyOf(untrusted)), undefined)
    assert.equal(await counter(fresh.registry, 'hashmesh_sync_requests_total', { protocol: 'range' }), 1, 'no range asked for the untrusted publisher')
  })

  it('stops pulling from a peer that serves a forged batch, and stores nothing after it', async function () {
    const publisher = generateSecretKey()
    const chain = chainOf(publisher, 10)
    const served = chain.map(b => ({ publisher: b.body.publisher, seq: b.body.seq, id: b.id, bytes: b.body.seq === 5 ? forged(b) : b.signedBytes }))
    const liar = await node({ servedStore: storeServing(served) })
    const fresh = await quietPair({ trusts: [publisher] }, liar)

    const [result] = await fresh.sync.syncWith(liar.peerId)
    assert.equal(result?.end, 'REJECTED')
    assert.equal(result?.fetched, 5, 'nothing read past the forgery')
    const beforeForgery = chain.slice(0, 4).map(b => toHex(b.id))
    assert.deepEqual(await storedIds(fresh, publicKeyOf(publisher), range(1, 10)), [...beforeForgery, ...Array<undefined>(6).fill(undefined)])
    assert.equal(await counter(fresh.registry, 'hashmesh_sync_batches_fetched_total', { action: 'reject' }), 1)
    assert.equal(fresh.ingester.outcomeCounts().reject.BAD_SIGNATURE, 1)
  })

  it('aborts malformed, out-of-range, oversized and empty requests, and keeps serving others', async function () {
    const publisher = generateSecretKey()
    const server = await node({ trusts: [publisher] })
    await ingestAll(server, chainOf(publisher, 3))
    const raw = await rawPeer()
    await raw.dial(server.libp2p.getMultiaddrs()[0]!)

    const badCount = RangeRequestType.encode({ publisher: publicKeyOf(publisher), fromSeq: 1, count: 0 }).finish()
    const oversized = Uint8Array.from([...varint(1_000_000), ...new Uint8Array(100)])
    const replies = [
      await exchange(raw, server.peerId, PROTOCOLS.range, frame(Uint8Array.of(0xff, 0xff, 0xff))),
      await exchange(raw, server.peerId, PROTOCOLS.range, frame(badCount)),
      await exchange(raw, server.peerId, PROTOCOLS.heads, oversized),
      await exchange(raw, server.peerId, PROTOCOLS.heads, new Uint8Array(0))
    ]
    assert.deepEqual(replies, Array(4).fill({ reset: true, received: 0 }))
    const served = async (protocol: string, outcome: string): Promise<number> =>
      await counter(server.registry, 'hashmesh_sync_served_total', { protocol, outcome })
    assert.equal(await served('range', 'MALFORMED'), 1)
    assert.equal(await served('range', 'BAD_COUNT'), 1)
    assert.equal(await served('heads', 'OVERSIZED'), 1)
    assert.equal(await served('heads', 'MALFORMED'), 1)

    const good = await exchange(raw, server.peerId, PROTOCOLS.heads, frame(encodeHeadsRequest()))
    assert.equal(good.reset, false)
    assert.ok(good.received > 0)
    const other = await quietPair({ trusts: [publisher] }, server)
    await other.sync.syncWith(server.peerId)
    assert.deepEqual(await headsOf(other.store), await headsOf(server.store))
  })

  it('rate-limits a peer hammering requests while another peer is still served', async function () {
    const publisher = generateSecretKey()
    const server = await node({ trusts: [publisher] })
    await ingestAll(server, chainOf(publisher, 5))
    const hammer = await rawPeer()
    await hammer.dial(server.libp2p.getMultiaddrs()[0]!)

    const replies = []
    for (let i = 0; i < 3 * SERVE_BURST; i++) replies.push(await exchange(hammer, server.peerId, PROTOCOLS.heads, frame(encodeHeadsRequest())))
    const refused = replies.filter(r => r.reset).length
    assert.deepEqual(replies.slice(0, SERVE_BURST).filter(r => r.reset), [], 'the burst is served')
    assert.ok(refused > 0, `${refused} of ${replies.length} refused`)
    assert.equal(await counter(server.registry, 'hashmesh_sync_served_total', { protocol: 'heads', outcome: 'RATE_LIMITED' }), refused)

    const polite = await quietPair({ trusts: [publisher] }, server)
    const [result] = await polite.sync.syncWith(server.peerId)
    assert.equal(result?.end, 'COMPLETE')
    assert.equal((await polite.store.head(publicKeyOf(publisher)))?.seq, 5)
  })

  it('requestRange fetches exactly a gap that gossip revealed, and the held batch then links', async function () {
    const publisher = generateSecretKey()
    const chain = chainOf(publisher, 30)
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chain)
    const behind = await quietPair({ trusts: [publisher], options: { maxBatchesPerRange: 8 } }, relay)
    await ingestAll(behind, chain.slice(0, 10))
    await behind.ingester.ingest(chain[24]!.signedBytes, gossipSource('someone'))

    const result = await behind.sync.requestRange(relay.peerId, publicKeyOf(publisher), 11, 24)
    assert.equal(result.end, 'COMPLETE')
    assert.equal(result.fetched, 14)
    assert.equal(await counter(behind.registry, 'hashmesh_sync_requests_total', { protocol: 'range' }), 2)
    assert.deepEqual(await storedIds(behind, publicKeyOf(publisher), range(11, 25)), chain.slice(10, 25).map(b => toHex(b.id)))
    assert.equal(await behind.store.batchIdAt(publicKeyOf(publisher), 26), undefined, 'nothing past the gap')
  })

  it('refuses a requestRange with bad arguments, and any call before start', async function () {
    const quiet = await node({ startSync: false })
    const key = publicKeyOf(generateSecretKey())
    await assert.rejects(quiet.sync.syncWith(quiet.peerId), (err: unknown) => err instanceof SyncError && err.code === 'NOT_STARTED')
    await quiet.sync.start()
    for (const [publisher, from, to] of [[key.slice(1), 1, 2], [key, 0, 2], [key, 5, 4], [key, 1, 2 ** 53]] as const) {
      const invalid = (err: unknown): boolean => err instanceof SyncError && err.code === 'INVALID_ARGUMENT'
      await assert.rejects(quiet.sync.requestRange(quiet.peerId, publisher, from, to), invalid)
    }
  })

  it('syncs again every intervalMs, and never asks a peer that lacks the protocol', async function () {
    const publisher = generateSecretKey()
    const chain = chainOf(publisher, 20)
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chain.slice(0, 10))
    const follower = await node({ trusts: [publisher], options: { intervalMs: 200 } })
    const stranger = await rawPeer()
    await stranger.dial(follower.libp2p.getMultiaddrs()[0]!)
    await connect(follower.libp2p, relay.libp2p)
    await waitFor('the first 10', async () => (await follower.store.head(publicKeyOf(publisher)))?.seq === 10)

    await ingestAll(relay, chain.slice(10))
    await waitFor('the next 10, by the interval', async () => (await follower.store.head(publicKeyOf(publisher)))?.seq === 20)
    const requests = await counter(follower.registry, 'hashmesh_sync_requests_total')
    assert.ok(await counter(follower.registry, 'hashmesh_sync_requests_total', { protocol: 'heads' }) >= 2)
    assert.equal(await counter(follower.registry, 'hashmesh_sync_requests_total', { outcome: 'ok' }), requests, 'every request went to a peer that serves sync')
  })

  it('reports progress during a catch-up, and stop() aborts it', async function () {
    const publisher = generateSecretKey()
    const relay = await node({ trusts: [publisher] })
    await ingestAll(relay, chainOf(publisher, 40))
    const slow = await quietPair({ trusts: [publisher], options: { maxBatchesPerRange: 1 } }, relay)

    const round = slow.sync.syncWith(relay.peerId).then(() => 'finished', (err: unknown) => err)
    const [view] = await waitFor('progress', async () => {
      const p = slow.sync.progress()
      return p.length === 1 && p[0]!.currentSeq >= 3 ? p : undefined
    })
    assert.equal(view?.publisher, toHex(publicKeyOf(publisher)))
    assert.equal(view?.peer, relay.peerId.toString())
    assert.equal(view?.targetSeq, 40)
    assert.ok(view.batchesPerSecond > 0)

    await slow.sync.stop()
    assert.ok(await round instanceof Error, 'the round was aborted')
    assert.deepEqual(slow.sync.progress(), [], 'stop() returned with nothing in flight')
    const stoppedAt = (await slow.store.head(publicKeyOf(publisher)))?.seq ?? 0
    assert.ok(stoppedAt < 40, `stopped at ${stoppedAt}`)
    // A pull that outlived stop() would take its next batch while another node pulls all 40 from
    // the same relay, one request per batch: that round finishing is the time it had.
    const witness = await quietPair({ trusts: [publisher], options: { maxBatchesPerRange: 1 } }, relay)
    await witness.sync.syncWith(relay.peerId)
    assert.equal((await witness.store.head(publicKeyOf(publisher)))?.seq, 40)
    assert.equal((await slow.store.head(publicKeyOf(publisher)))?.seq ?? 0, stoppedAt, 'nothing pulled after stop')
  })
})
