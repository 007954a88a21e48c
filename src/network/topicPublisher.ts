import type { HashmeshLibp2p } from './libp2pNode.js'

/**
 * Publishes on one gossipsub topic. It needs no validator, so a part that announces on a topic (the
 * equivocation tracker) can be built before the GossipTopic that validates into it.
 */
export class TopicPublisher {
  readonly topic: string
  protected readonly libp2p: HashmeshLibp2p

  constructor (components: { libp2p: HashmeshLibp2p }, topic: string) {
    this.libp2p = components.libp2p
    this.topic = topic
  }

  /** Returns how many peers the message was sent to; zero is fine (sync catches them up later). */
  async publish (data: Uint8Array): Promise<number> {
    const result = await this.libp2p.services.pubsub.publish(this.topic, data)
    return result.recipients.length
  }
}
