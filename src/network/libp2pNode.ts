import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub, type GossipSubComponents } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import { createHash } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { MAX_PROOF_BYTES } from '../wire/limits.js'
import { GOSSIP_SCORE_THRESHOLDS, IWANT_FOLLOWUP_MS, gossipScoreParams } from './gossipScore.js'

/** The implementation has getMeshPeers; the package's exported interface omits it. */
export type MeshGossipSub = GossipSub & { getMeshPeers: (topic: string) => string[] }

export type HashmeshLibp2p = Libp2p<{ pubsub: MeshGossipSub, identify: ReturnType<ReturnType<typeof identify>> }>

export interface Libp2pNodeOptions {
  privateKey: PrivateKey
  listen: string[]
  announce: string[]
  /**
   * The node's topics: peers are scored on them (gossipScore.ts), and subscriptions and messages on
   * any other are dropped unread, so a peer cannot make us track topics we never use.
   */
  topics?: string[]
  /** Refuses connections (e.g. to peers banned for sending invalid messages). */
  connectionGater?: ConnectionGater
}

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
        allowedTopics: opts.topics,
        scoreParams: gossipScoreParams(opts.topics ?? []),
        scoreThresholds: GOSSIP_SCORE_THRESHOLDS,
        gossipsubIWantFollowupMs: IWANT_FOLLOWUP_MS
      }) as (components: GossipSubComponents) => MeshGossipSub
    }
  })
}
