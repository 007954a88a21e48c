import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub, type GossipSubComponents } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { createHash } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { MAX_PROOF_BYTES } from '../wire/limits.js'

/** The implementation has getMeshPeers; the package's exported interface omits it. */
export type MeshGossipSub = GossipSub & { getMeshPeers: (topic: string) => string[] }

export type HashmeshLibp2p = Libp2p<{ pubsub: MeshGossipSub, identify: ReturnType<ReturnType<typeof identify>> }>

export interface Libp2pNodeOptions {
  privateKey: PrivateKey
  listen: string[]
  announce: string[]
  /** Topics whose invalid messages count against the sender's gossipsub score. */
  scoredTopics?: string[]
  /** Refuses connections (e.g. to peers banned for sending invalid messages). */
  connectionGater?: ConnectionGater
}

/**
 * Only invalid deliveries (P4) are scored: our topics are quiet and bursty, so the delivery-rate
 * terms would punish honest peers for silence. P4 adds weight × count², so nine quick rejects (-81)
 * pass gossipsub's default graylist threshold (-80) and the peer's RPCs are dropped unread. That is
 * the backstop: PeerPolicer disconnects the peer earlier (DEFAULT_MAX_REJECTS), and it must, since
 * once graylisted its messages no longer reach our validator to be counted.
 */
const INVALID_DELIVERY_SCORE = Object.freeze({
  topicWeight: 1,
  timeInMeshWeight: 0,
  timeInMeshQuantum: 1_000,
  timeInMeshCap: 1,
  firstMessageDeliveriesWeight: 0,
  firstMessageDeliveriesDecay: 0.5,
  firstMessageDeliveriesCap: 1,
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 1,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 0,
  meshMessageDeliveriesActivation: 1_000,
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5,
  invalidMessageDeliveriesWeight: -1,
  // Multiplied in every one-second decay interval: the penalty halves in about 7 s, so a peer that
  // stops misbehaving is heard again within a minute (our PeerPolicer decides on disconnection).
  invalidMessageDeliveriesDecay: 0.9
})

/**
 * Room above the largest message (an equivocation proof: two full batches) for gossipsub's own
 * RPC framing; anything bigger is dropped before it is decoded. Still under gossipsub's 4 MiB.
 */
const GOSSIP_FRAMING_SLACK_BYTES = 4096

/**
 * Signed batches carry their own signature, so gossip messages are unsigned and content-addressed.
 * Every message is hashed before validation, a flood's included: node:crypto does a 340 KB batch in
 * about 0.2 ms, noble in about 3 ms.
 */
function contentMessageId (msg: { data: Uint8Array }): Uint8Array {
  return createHash('sha256').update(msg.data).digest()
}

export async function createLibp2pNode (opts: Libp2pNodeOptions): Promise<HashmeshLibp2p> {
  return await createLibp2p({
    privateKey: opts.privateKey,
    start: false,
    addresses: { listen: opts.listen, announce: opts.announce },
    connectionGater: opts.connectionGater,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: contentMessageId,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        fallbackToFloodsub: false,
        maxInboundDataLength: MAX_PROOF_BYTES + GOSSIP_FRAMING_SLACK_BYTES,
        scoreParams: { topics: Object.fromEntries((opts.scoredTopics ?? []).map(t => [t, { ...INVALID_DELIVERY_SCORE }])) }
      }) as (components: GossipSubComponents) => MeshGossipSub
    }
  })
}
