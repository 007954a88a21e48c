import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { HashmeshLibp2p } from './libp2pNode.js'
import type { Startable } from './startable.js'
import { TopicPublisher } from './topicPublisher.js'

export type GossipAction = 'accept' | 'ignore' | 'reject'

/** Validates (and, on accept, keeps) one message from a peer; must not throw. */
export type GossipSink = (data: Uint8Array, fromPeer: string) => Promise<{ action: GossipAction }>

/** The one place a validation outcome becomes a gossip verdict (forward, drop, or drop and penalise). */
const VERDICT: Record<GossipAction, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject
}

/**
 * One gossipsub topic whose messages are validated before gossipsub forwards anything; an
 * accepted message is already stored when it is forwarded, so peers only relay what they keep.
 */
export class GossipTopic extends TopicPublisher implements Startable {
  private readonly sink: GossipSink

  constructor (components: { libp2p: HashmeshLibp2p }, options: { topic: string, sink: GossipSink }) {
    super(components, options.topic)
    this.sink = options.sink
  }

  start (): void {
    const { pubsub } = this.libp2p.services
    pubsub.topicValidators.set(this.topic, async (peer, msg) => await this.validate(peer, msg))
    pubsub.subscribe(this.topic)
  }

  stop (): void {
    const { pubsub } = this.libp2p.services
    pubsub.unsubscribe(this.topic)
    pubsub.topicValidators.delete(this.topic)
  }

  meshPeers (): string[] {
    return this.libp2p.services.pubsub.getMeshPeers(this.topic)
  }

  private async validate (peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    return VERDICT[(await this.sink(msg.data, peer.toString())).action]
  }
}
