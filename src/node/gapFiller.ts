import { peerIdFromString } from '@libp2p/peer-id'
import type { Logger } from '../logger.js'
import type { SyncService } from '../network/sync/index.js'
import { toHex } from '../signals/hex.js'
import type { DecodedBatch } from '../wire/types.js'

/**
 * When gossip delivers a batch whose predecessors are missing, asks the peer that sent it for
 * exactly the gap. One request per publisher at a time: a burst of early batches from one publisher
 * would otherwise ask for overlapping ranges over and over.
 */
export class GapFiller {
  private readonly sync: SyncService
  private readonly logger: Logger
  private readonly inFlight = new Set<string>()

  constructor (components: { sync: SyncService, logger: Logger }) {
    this.sync = components.sync
    this.logger = components.logger
  }

  fill (fromPeer: string, batch: DecodedBatch, missingFrom: number): void {
    const publisher = toHex(batch.body.publisher)
    if (this.inFlight.has(publisher)) return
    this.inFlight.add(publisher)
    this.sync.requestRange(peerIdFromString(fromPeer), batch.body.publisher, missingFrom, batch.body.seq - 1)
      .catch((err: unknown) => { this.logger.debug({ peer: fromPeer, publisher, err: (err as Error).message }, 'could not fetch a gap; periodic sync will') })
      .finally(() => { this.inFlight.delete(publisher) })
  }
}
