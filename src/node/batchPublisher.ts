import type { PublisherKey } from '../crypto/publisherKey.js'
import { sign } from '../crypto/ed25519.js'
import type { BatchIngester } from '../ingest/batchIngester.js'
import type { Logger } from '../logger.js'
import { HashmeshError } from '../errors.js'
import { parseSignalValue, toHex } from '../signals/hex.js'
import { SignalError } from '../signals/registry.js'
import type { HashStore } from '../store/hashStore.js'
import { encodeBatchBody, encodeSignedBatch } from '../wire/batchCodec.js'
import { MAX_ENTRIES_PER_BATCH } from '../wire/limits.js'
import { Action, type Entry } from '../wire/types.js'
import type { EntryInput, PublishResult } from './interface.js'

export type PublishErrorCode = 'NO_ENTRIES' | 'TOO_MANY_ENTRIES' | 'PUBLISHER_FROZEN' | 'NOT_STORED'

export class PublishError extends HashmeshError<PublishErrorCode> {}

/** Where a stored batch is announced; resolves to the number of peers it went to. */
export interface BatchAnnouncer {
  publish: (signedBatch: Uint8Array) => Promise<number>
}

export interface BatchPublisherComponents {
  store: HashStore
  ingester: BatchIngester
  gossip: BatchAnnouncer
  key: PublisherKey
  logger: Logger
}

/** An API/CLI entry as the wire type; a bad type or value is a SignalError naming the entry. */
export function entryFromInput (input: EntryInput, i: number): Entry {
  try {
    const { type, value } = parseSignalValue(input.type, input.value)
    return { signalType: type.name, value, labels: input.labels ?? [], action: input.action === 'retract' ? Action.RETRACT : Action.ADD }
  } catch (err) {
    if (err instanceof SignalError) throw new SignalError(err.code, `entries[${i}]: ${err.message}`)
    throw err
  }
}

/**
 * Signs batches as this node's publisher. Each batch extends the publisher's own chain (seq = head+1,
 * prev = head id) and goes through the same ingest path as a batch from a peer before it is gossiped,
 * so nothing is announced that this node would not itself accept.
 */
export class BatchPublisher {
  private readonly c: BatchPublisherComponents
  private readonly network: string
  private chain: Promise<unknown> = Promise.resolve()

  constructor (components: BatchPublisherComponents, options: { network: string }) {
    this.c = components
    this.network = options.network
  }

  async publish (inputs: readonly EntryInput[]): Promise<PublishResult> {
    if (inputs.length === 0) throw new PublishError('NO_ENTRIES', 'a batch needs at least one entry')
    if (inputs.length > MAX_ENTRIES_PER_BATCH) throw new PublishError('TOO_MANY_ENTRIES', `${inputs.length} entries; at most ${MAX_ENTRIES_PER_BATCH} per batch`)
    const entries = inputs.map(entryFromInput)
    // Serialised: two concurrent publishes must not both take seq head+1.
    const run = this.chain.then(async () => await this.signStoreAndGossip(entries))
    this.chain = run.catch(() => undefined)
    return await run
  }

  private async signStoreAndGossip (entries: Entry[]): Promise<PublishResult> {
    const { store, ingester, key } = this.c
    const head = await store.head(key.publicKey)
    const seq = (head?.seq ?? 0) + 1
    const bodyBytes = encodeBatchBody({
      publisher: key.publicKey,
      seq,
      prev: head?.headId ?? new Uint8Array(0),
      createdAtMs: Date.now(),
      network: this.network,
      entries
    })
    const signed = encodeSignedBatch(bodyBytes, sign(bodyBytes, key.secretKey))
    const outcome = await ingester.ingest(signed, 'local')
    if (outcome.code === 'EQUIVOCATING') {
      throw new PublishError('PUBLISHER_FROZEN', `this publisher key signed two conflicting batches (seq ${seq} or below); decide first: hashmesh equivocations, hashmesh decide`)
    }
    if (outcome.action !== 'accept' || outcome.batch === undefined) {
      throw new PublishError('NOT_STORED', `own batch was not stored: ${outcome.code}`)
    }
    const recipients = await this.gossip(signed)
    return { batchId: toHex(outcome.batch.id), seq, entries: entries.length, recipients }
  }

  private async gossip (signed: Uint8Array): Promise<number> {
    try {
      return await this.c.gossip.publish(signed)
    } catch (err) {
      // Stored already; peers will get it by sync. Not the caller's error.
      this.c.logger.warn({ err: (err as Error).message }, 'gossip publish failed; batch is stored')
      return 0
    }
  }
}
