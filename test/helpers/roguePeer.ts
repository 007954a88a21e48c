import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import { batchTopic } from '../../src/network/topics.js'
import { waitFor } from './waitFor.js'

/**
 * An in-process libp2p peer that speaks gossip to one node only, with none of our validation: it
 * publishes whatever bytes a test hands it, as a hostile or buggy peer would. Caller stops it.
 */
export async function roguePeerOf (target: NodeInfo, network: string): Promise<HashmeshLibp2p> {
  const peer = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [] })
  await peer.start()
  const topic = batchTopic(network)
  peer.services.pubsub.subscribe(topic)
  await peer.dial(multiaddr(target.multiaddrs[0]))
  await waitFor('the rogue peer sees the node subscribed', async () => peer.services.pubsub.getSubscribers(topic).some(p => p.toString() === target.peerId))
  return peer
}
