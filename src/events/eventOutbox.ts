import type { Logger } from '../logger.js'
import type { AuditAppender } from '../store/auditEntry.js'
import type { HashStore, StoreOp } from '../store/hashStore.js'
import { MAX_EVENT_JSON_BYTES } from '../store/hookLimits.js'
import { type DeadKey, type HookDelivery, type OutboxKey, deadRangeOf, outboxRangeOf } from '../store/hookRecords.js'
import type { EventRecorder } from './eventRecorder.js'
import type { EventType, HashmeshEvent } from './hashmeshEvent.js'
import { HookError } from './hookError.js'
import type { Hook, HookRegistry } from './hookRegistry.js'
import { eventIdText, hookIdText, parseEventId, parseHookId } from './hookRules.js'
import type { EventMetrics } from './metrics.js'

export interface OutboxRow { key: OutboxKey, delivery: HookDelivery }
export interface DeadRow { key: DeadKey, delivery: HookDelivery }

export interface OutboxLimits {
  /**
   * Deliveries waiting at once, over all hooks. A receiver down for a day under a busy forum fills
   * it; past it an event goes straight to the dead letters (replayable), so ingest never fails
   * because a receiver is down and no event is lost without a count.
   */
  maxOutboxRows: number
  /** Dead letters kept; past it a delivery is dropped and counted (hashmesh_events_dropped_total{reason="dead_full"}). */
  maxDeadRows: number
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxOutboxRows: 200_000, maxDeadRows: 100_000 }

/** Replay-all moves dead letters back in writes of this many, so one write stays a few MB. */
const REPLAY_CHUNK = 1000

export interface EventOutboxComponents {
  store: HashStore
  hooks: HookRegistry
  audit: AuditAppender
  logger: Logger
  metrics?: EventMetrics
  now?: () => number
}

export interface DeadPage { rows: DeadRow[], next?: string }

/** Where a failed attempt leaves a delivery. */
export interface AttemptRecord { attempts: number, firstAttemptMs: number, lastError: string }

/** For logs and in-flight sets: a row's identity. */
export function outboxKeyText (key: OutboxKey): string {
  return `${hookIdText(key.hookId)}/${key.dueMs}/${eventIdText(key.eventId)}`
}

/**
 * The durable side of events: EventRecorder for the parts that change state, and the outbox and
 * dead-letter rows the deliverer works through. Every row write happens inside the store's write
 * queue; a row's presence there is the truth, so a delivery finishing for a row that a hook's
 * removal deleted meanwhile writes nothing.
 */
export class EventOutbox implements EventRecorder {
  private readonly c: Required<Omit<EventOutboxComponents, 'metrics'>> & Pick<EventOutboxComponents, 'metrics'>
  private readonly limits: OutboxLimits
  /**
   * Rows counted when opsFor hands them out, before their write: a write that then fails leaves
   * the counts high. The deliverer notices (a count above zero and no rows) and asks for a
   * recount, which runs in the write queue, where no write is half done, so it is exact.
   */
  private outboxCount = 0
  private deadCount = 0
  private emittedSinceCommit: EventType[] = []
  private readonly wakers = new Set<() => void>()

  private constructor (components: EventOutboxComponents, limits: OutboxLimits) {
    this.c = { now: Date.now, ...components }
    this.limits = limits
  }

  static async load (components: EventOutboxComponents, limits: Partial<OutboxLimits> = {}): Promise<EventOutbox> {
    const outbox = new EventOutbox(components, { ...DEFAULT_OUTBOX_LIMITS, ...limits })
    await outbox.recount()
    return outbox
  }

  /** Counts the rows again, in the write queue: every write before it is then written or failed. */
  async recount (): Promise<void> {
    const { hookOutbox, hookDead } = this.c.store.repositories
    await this.c.store.writeAtomically(async () => {
      this.outboxCount = await hookOutbox.count()
      this.deadCount = await hookDead.count()
      return []
    })
  }

  rowCounts (): { outbox: number, dead: number } {
    return { outbox: this.outboxCount, dead: this.deadCount }
  }

  /** `wake` runs after every commit that may have added rows; returns the unsubscribe. */
  onWake (wake: () => void): () => void {
    this.wakers.add(wake)
    return () => { this.wakers.delete(wake) }
  }

  async opsFor (events: readonly HashmeshEvent[]): Promise<StoreOp[]> {
    const ops: StoreOp[] = []
    let overflowed = 0
    for (const event of events) {
      const hooks = this.c.hooks.subscribers(event.type)
      if (hooks.length === 0) continue
      const json = new TextEncoder().encode(JSON.stringify(event))
      if (json.length > MAX_EVENT_JSON_BYTES) {
        this.c.metrics?.dropped.inc({ reason: 'too_large' }, hooks.length)
        this.c.logger.error({ eventId: event.id, type: event.type, bytes: json.length }, 'event too large to deliver; dropped')
        continue
      }
      const eventId = parseEventId(event.id)
      const createdAtMs = Date.parse(event.createdAt)
      const delivery: HookDelivery = {
        event: json,
        type: event.type,
        createdAtMs: Number.isFinite(createdAtMs) ? createdAtMs : this.c.now(),
        attempts: 0,
        firstAttemptMs: 0,
        lastError: '',
        deadAtMs: 0
      }
      for (const hook of hooks) {
        const op = this.placeOp(hook, eventId, delivery)
        if (op === undefined) continue
        if (op.type === 'put' && op.key[0] === this.c.store.repositories.hookDead.bucket) overflowed++
        ops.push(op)
      }
      this.emittedSinceCommit.push(event.type)
    }
    if (overflowed > 0) {
      this.c.logger.warn({ deliveries: overflowed, maxOutboxRows: this.limits.maxOutboxRows },
        'hook outbox full: deliveries went straight to the dead letters (hashmesh hooks dead, hooks replay)')
    }
    return ops
  }

  committed (): void {
    for (const type of this.emittedSinceCommit) this.c.metrics?.emitted.inc({ type })
    this.emittedSinceCommit = []
    // Not only when this caller's events made rows: another write's rows may have committed since
    // its own committed() ran. With no hooks there are no rows, and nothing to wake.
    if (this.c.hooks.size > 0) this.wake()
  }

  private wake (): void {
    for (const wake of this.wakers) wake()
  }

  /** The first `limit` rows of one hook, in due order. */
  async rowsOf (hook: Hook, limit: number): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = []
    for await (const [key, delivery] of this.c.store.repositories.hookOutbox.entries({ range: outboxRangeOf(hook.id), limit, chunk: limit })) {
      rows.push({ key, delivery })
    }
    return rows
  }

  /** A 2xx: the row goes. */
  async delivered (row: OutboxRow): Promise<void> {
    await this.rewrite(row, () => [])
  }

  /** A failure within the retry window: the row moves to its new due time, with the attempt recorded. */
  async retry (row: OutboxRow, dueMs: number, attempt: AttemptRecord): Promise<void> {
    const { hookOutbox } = this.c.store.repositories
    await this.rewrite(row, () => {
      this.outboxCount++
      return [hookOutbox.putOp({ ...row.key, dueMs }, { ...row.delivery, ...attempt })]
    })
  }

  /** A failure past the retry window: the row moves to the dead letters (or is dropped and counted when they are full). */
  async kill (row: OutboxRow, attempt: AttemptRecord): Promise<void> {
    const { hookDead } = this.c.store.repositories
    await this.rewrite(row, () => {
      if (this.deadCount >= this.limits.maxDeadRows) {
        this.c.metrics?.dropped.inc({ reason: 'dead_full' })
        const ids = { eventId: eventIdText(row.key.eventId), hook: hookIdText(row.key.hookId) }
        this.c.logger.error(ids, 'dead letters full: a delivery given up on was dropped')
        return []
      }
      this.deadCount++
      this.c.metrics?.dead.inc()
      return [hookDead.putOp({ eventId: row.key.eventId, hookId: row.key.hookId }, { ...row.delivery, ...attempt, deadAtMs: this.c.now() })]
    })
  }

  /** The outbox rows of a hook being removed, to delete in the removal's write; the count follows at the next recount. */
  async dropOpsFor (hook: Hook): Promise<StoreOp[]> {
    const { hookOutbox } = this.c.store.repositories
    const ops: StoreOp[] = []
    for await (const keys of hookOutbox.keysBinary({ range: outboxRangeOf(hook.id) })) {
      for (const key of keys) ops.push({ type: 'del', key })
    }
    return ops
  }

  /** Dead letters in key order (event id, then hook), `limit` at a time; `after` is a page's `next`. */
  async dead (limit: number, after?: string): Promise<DeadPage> {
    const { hookDead } = this.c.store.repositories
    const range = hookDead.range()
    const gte = after === undefined ? range.gte : afterKey(hookDead.encodeKey(parseDeadCursor(after)))
    const rows: DeadRow[] = []
    for await (const [key, delivery] of hookDead.entries({ range: { gte, lt: range.lt }, limit: limit + 1, chunk: limit + 1 })) rows.push({ key, delivery })
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    return rows.length > limit && last !== undefined ? { rows: page, next: deadCursor(last.key) } : { rows: page }
  }

  /**
   * Moves dead letters back to the outbox, fresh (no attempts, due now): those of one event, or all
   * of them (`'all'`). A dead letter of a hook since removed is deleted instead. Audited under `actor`.
   * Throws NO_SUCH_DEAD_EVENT when the event has none.
   */
  async replay (eventIdTextOrAll: string, actor: string): Promise<{ replayed: number, discarded: number }> {
    const { hookDead } = this.c.store.repositories
    const range = eventIdTextOrAll === 'all' ? hookDead.range() : deadRangeOf(parseEventId(eventIdTextOrAll))
    const totals = { replayed: 0, discarded: 0 }
    let audited = false
    for (;;) {
      let moved = 0
      await this.c.store.writeAtomically(async () => {
        const rows = await hookDead.all({ range, limit: REPLAY_CHUNK })
        moved = rows.length
        if (rows.length === 0) return []
        const ops = rows.flatMap(([key, delivery]) => this.replayOps(key, delivery, totals))
        if (audited) return ops
        audited = true
        return [...ops, ...await this.c.audit.opsFor({ actor, action: 'hooks.replay', details: { event: eventIdTextOrAll } })]
      })
      if (moved < REPLAY_CHUNK) break
    }
    if (!audited && eventIdTextOrAll !== 'all') throw new HookError('NO_SUCH_DEAD_EVENT', `no dead letter holds ${eventIdTextOrAll}`)
    this.wake()
    return totals
  }

  private replayOps (key: DeadKey, delivery: HookDelivery, totals: { replayed: number, discarded: number }): StoreOp[] {
    const { hookDead, hookOutbox } = this.c.store.repositories
    const del = hookDead.delOp(key)
    this.deadCount--
    if (this.c.hooks.get(hookIdText(key.hookId)) === undefined) {
      totals.discarded++
      return [del]
    }
    totals.replayed++
    this.outboxCount++
    const fresh: HookDelivery = { ...delivery, attempts: 0, firstAttemptMs: 0, lastError: '', deadAtMs: 0 }
    return [del, hookOutbox.putOp({ hookId: key.hookId, dueMs: this.c.now(), eventId: key.eventId }, fresh)]
  }

  /** Deletes the row and writes `then()` in one write, only when the row is still there. */
  private async rewrite (row: OutboxRow, then: () => StoreOp[]): Promise<void> {
    const { hookOutbox } = this.c.store.repositories
    await this.c.store.writeAtomically(async () => {
      if (!await hookOutbox.has(row.key)) return []
      this.outboxCount--
      return [hookOutbox.delOp(row.key), ...then()]
    })
  }

  private placeOp (hook: Hook, eventId: Uint8Array, delivery: HookDelivery): StoreOp | undefined {
    const { hookOutbox, hookDead } = this.c.store.repositories
    if (this.outboxCount < this.limits.maxOutboxRows) {
      this.outboxCount++
      return hookOutbox.putOp({ hookId: hook.id, dueMs: this.c.now(), eventId }, delivery)
    }
    if (this.deadCount < this.limits.maxDeadRows) {
      this.deadCount++
      this.c.metrics?.dead.inc()
      return hookDead.putOp({ eventId, hookId: hook.id }, { ...delivery, lastError: 'outbox full', deadAtMs: this.c.now() })
    }
    this.c.metrics?.dropped.inc({ reason: 'dead_full' })
    return undefined
  }
}

function deadCursor (key: DeadKey): string {
  return `${eventIdText(key.eventId)}.${hookIdText(key.hookId)}`
}

function parseDeadCursor (text: string): DeadKey {
  const [event = '', hook = ''] = text.split('.')
  return { eventId: parseEventId(event), hookId: parseHookId(hook) }
}

/** The smallest key after `key`. */
function afterKey (key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1)
  out.set(key)
  return out
}
