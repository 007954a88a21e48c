import type { DeadRow, EventOutbox } from '../events/eventOutbox.js'
import type { Hook, HookRegistry } from '../events/hookRegistry.js'
import { eventIdText, hookIdText } from '../events/hookRules.js'
import { outboxRangeOf } from '../store/hookRecords.js'
import type { HashStore } from '../store/hashStore.js'

/** One hook, JSON-shaped. Never its secret. */
export interface HookInfo {
  id: string
  url: string
  events: string[]
  createdAt: string
  /** Deliveries waiting in the outbox for it. */
  pending: number
}

export interface HookAddRequest {
  url: string
  events: string[]
  /** 16-1024 bytes of UTF-8; kept in a 0600 file, never returned. */
  secret: string
}

/** A delivery given up on. */
export interface DeadLetterInfo {
  eventId: string
  hookId: string
  type: string
  createdAt: string
  attempts: number
  firstAttemptAt?: string
  deadAt: string
  lastError: string
  /** The event as it was to be sent. */
  event: unknown
}

export interface DeadLetterPage { dead: DeadLetterInfo[], next?: string }

/** A page of dead letters is at most this long: each carries its event. */
export const MAX_DEAD_PAGE = 1000
export const DEFAULT_DEAD_PAGE = 100

/**
 * What the faces may ask of the node's webhooks. Administration only. Bad input throws HookError
 * (BAD_URL, BAD_EVENTS, BAD_SECRET, TOO_MANY_HOOKS, BAD_HOOK_ID, NO_SUCH_HOOK, BAD_EVENT_ID,
 * NO_SUCH_DEAD_EVENT). `actor` is who the audit log records.
 */
export interface HooksNodeApi {
  hooks: () => Promise<HookInfo[]>
  hookAdd: (input: HookAddRequest, actor: string) => Promise<HookInfo>
  /** Removes the hook and its pending deliveries; its dead letters stay until replayed (then discarded) . */
  hookRemove: (id: string, actor: string) => Promise<HookInfo>
  hooksDead: (query: { limit?: number, after?: string }) => Promise<DeadLetterPage>
  /** One event's dead letters, or every one with 'all'. */
  hooksReplay: (eventId: string, actor: string) => Promise<{ replayed: number, discarded: number }>
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}

function deadLetterInfo ({ key, delivery: d }: DeadRow): DeadLetterInfo {
  return {
    eventId: eventIdText(key.eventId),
    hookId: hookIdText(key.hookId),
    type: d.type,
    createdAt: iso(d.createdAtMs),
    attempts: d.attempts,
    ...(d.firstAttemptMs === 0 ? {} : { firstAttemptAt: iso(d.firstAttemptMs) }),
    deadAt: iso(d.deadAtMs),
    lastError: d.lastError,
    event: JSON.parse(new TextDecoder().decode(d.event)) as unknown
  }
}

/** The node's side of HooksNodeApi over its registry and outbox. */
export function hooksNodeApi (c: { store: HashStore, hooks: HookRegistry, outbox: EventOutbox }): HooksNodeApi {
  const info = async (hook: Hook, pending?: number): Promise<HookInfo> => ({
    id: hook.idText,
    url: hook.url,
    events: [...hook.events],
    createdAt: iso(hook.createdAtMs),
    pending: pending ?? await c.store.repositories.hookOutbox.count({ range: outboxRangeOf(hook.id) })
  })
  return {
    hooks: async () => await Promise.all(c.hooks.list().map(async h => await info(h))),
    hookAdd: async (input, actor) => await info(await c.hooks.add(input, actor), 0),
    hookRemove: async (id, actor) => {
      const removed = await c.hooks.remove(id, actor, async hook => await c.outbox.dropOpsFor(hook))
      await c.outbox.recount()
      return await info(removed, 0)
    },
    hooksDead: async ({ limit, after }) => {
      const page = await c.outbox.dead(Math.min(limit ?? DEFAULT_DEAD_PAGE, MAX_DEAD_PAGE), after)
      return { dead: page.rows.map(deadLetterInfo), ...(page.next === undefined ? {} : { next: page.next }) }
    },
    hooksReplay: async (eventId, actor) => await c.outbox.replay(eventId, actor)
  }
}
