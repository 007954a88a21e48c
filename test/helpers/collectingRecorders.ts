import type { EventRecorder } from '../../src/events/eventRecorder.js'
import type { HashmeshEvent } from '../../src/events/hashmeshEvent.js'
import { type MatchRecord, type MatchRecordInput, type MatchRecorder, newMatchId } from '../../src/matches/matchRecord.js'
import type { StoreOp } from '../../src/store/repository.js'

/**
 * Keeps the events it is handed: `offered` as opsFor sees them (inside a write that may still
 * fail), `committed` once the writer says its batch is written. No outbox, no domain logic.
 */
export class CollectingEvents implements EventRecorder {
  readonly offered: HashmeshEvent[] = []
  readonly committed_: HashmeshEvent[] = []
  commits = 0

  async opsFor (events: readonly HashmeshEvent[]): Promise<StoreOp[]> {
    this.offered.push(...events)
    return []
  }

  committed (): void {
    this.commits++
    this.committed_.push(...this.offered.splice(0))
  }

  /** The write that carried the offered events failed: an outbox would hold none of them. */
  discardOffered (): void {
    this.offered.length = 0
  }

  /** Committed events of one type, oldest first. */
  of<T extends HashmeshEvent['type']> (type: T): Array<HashmeshEvent<T>> {
    return this.committed_.filter((e): e is HashmeshEvent<T> => e.type === type)
  }
}

/** Keeps what it is asked to record; assigns ids. */
export class CollectingMatches implements MatchRecorder {
  readonly records: MatchRecord[] = []
  readonly unlisted: string[] = []

  async recordOps (input: MatchRecordInput): Promise<{ record: MatchRecord, ops: StoreOp[] }> {
    const record: MatchRecord = {
      id: newMatchId(input.atMs),
      contentId: input.contentId,
      source: input.source,
      hash: input.hash,
      matched: input.matched,
      labels: [],
      at: new Date(input.atMs).toISOString(),
      listing: 'listed',
      actions: []
    }
    this.records.push(record)
    return { record, ops: [] }
  }

  async unlistedOps (matchId: string): Promise<StoreOp[]> {
    this.unlisted.push(matchId)
    return []
  }
}
