import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { IngestAction, IngestOutcome } from '../ingest/batchIngester.js'
import type { Logger } from '../logger.js'
import type { HashmeshLibp2p } from './libp2pNode.js'
import { batchTopic } from './topics.js'

export interface BatchSink {
  ingest: (bytes: Uint8Array, source: string) => Promise<IngestOutcome>
}

export interface BatchGossipComponents {
  libp2p: HashmeshLibp2p
  sink: BatchSink
  logger: Logger
}

/** The one place an ingest outcome becomes a gossip verdict (forward, drop, or drop and penalise). */
const VERDICT: Record<IngestAction, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject
}

/**
 * Batches on the network's gossipsub topic. Validation runs before gossipsub forwards anything, and
 * an accepted batch is already stored when it is forwarded: peers only relay what they would keep.
 */
export class BatchGossip {
  readonly topic: string
  private readonly components: BatchGossipComponents

  constructor (components: BatchGossipComponents, options: { network: string }) {
    this.components = components
    this.topic = batchTopic(options.network)
  }

  start (): void {
    const { pubsub } = this.components.libp2p.services
    pubsub.topicValidators.set(this.topic, async (peer, msg) => await this.validate(peer, msg))
    pubsub.subscribe(this.topic)
  }

  stop (): void {
    const { pubsub } = this.components.libp2p.services
    pubsub.unsubscribe(this.topic)
    pubsub.topicValidators.delete(this.topic)
  }

  /** Returns how many peers the message was sent to; zero is fine (sync catches them up later). */
  async publish (signedBatch: Uint8Array): Promise<number> {
    const result = await this.components.libp2p.services.pubsub.publish(this.topic, signedBatch)
    return result.recipients.length
  }

  meshPeers (): string[] {
    return this.components.libp2p.services.pubsub.getMeshPeers(this.topic)
  }

  private async validate (peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const outcome = await this.components.sink.ingest(msg.data, `gossip:${peer.toString()}`)
    return VERDICT[outcome.action]
  }
}
