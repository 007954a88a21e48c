import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2pNode, type HashmeshLibp2p } from '../../../src/network/libp2pNode.js'
import { waitFor } from '../../helpers/waitFor.js'

const OURS = '/hashmesh/test/batches/1'
const FOREIGN = Array.from({ length: 50 }, (_, i) => `/junk/${i}`)

describe('createLibp2pNode (real libp2p on loopback)', function () {
  let node: HashmeshLibp2p, peer: HashmeshLibp2p

  beforeEach(async function () {
    node = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [], topics: [OURS] })
    peer = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [] })
    await Promise.all([node.start(), peer.start()])
  })

  afterEach(async function () {
    await Promise.all([node.stop(), peer.stop()])
  })

  it('tracks a peer\'s subscription to its own topics only, whatever else the peer subscribes to', async function () {
    for (const topic of [...FOREIGN, OURS]) peer.services.pubsub.subscribe(topic)
    await peer.dial(node.getMultiaddrs()[0]!)
    const id = peer.peerId.toString()
    await waitFor('the node sees the peer in its topic', async () => node.services.pubsub.getSubscribers(OURS).some(p => p.toString() === id))
    assert.deepEqual(FOREIGN.filter(t => node.services.pubsub.getSubscribers(t).length > 0), [])
  })
})
