import type { StoreOp } from '../store/repository.js'
import type { HashmeshEvent } from './hashmeshEvent.js'

/**
 * Where a state change puts the events it causes. `opsFor` is called inside the store's write
 * queue and returns the outbox writes for the caller's own atomic batch, so an event is written
 * exactly when the change that caused it is: never lost, never invented. `committed` is called once
 * that batch is written, to wake delivery.
 */
export interface EventRecorder {
  opsFor: (events: readonly HashmeshEvent[]) => Promise<StoreOp[]>
  committed: () => void
}

/** For parts built without an outbox: events are dropped, nothing is written. */
export const NO_EVENTS: EventRecorder = { opsFor: async () => [], committed: () => undefined }
