import { type OutboxRow, type EventOutbox, outboxKeyText } from '../events/eventOutbox.js'
import type { Hook, HookRegistry } from '../events/hookRegistry.js'
import { eventIdText } from '../events/hookRules.js'
import type { EventMetrics } from '../events/metrics.js'
import type { Logger } from '../logger.js'
import type { Startable } from '../network/startable.js'
import { retryDelayMs } from './backoff.js'
import { DEFAULT_HOOK_DELIVERY_OPTIONS, type HookDeliveryOptions } from './options.js'
import { SIGNATURE_HEADER, signatureHeader } from './signature.js'
import { DeliveryFailure, type HookTransport } from './transport.js'

export interface HookDelivererComponents {
  outbox: EventOutbox
  hooks: HookRegistry
  transport: HookTransport
  logger: Logger
  metrics?: EventMetrics
  now?: () => number
  /** For the backoff's jitter. */
  random?: () => number
}

/** setTimeout's longest delay; a retry due later is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Works through the outbox: every due row of every hook, up to the hook's concurrency, is POSTed
 * signed; a 2xx deletes the row, a failure moves it to its next due time (backoff with full jitter)
 * or, past the retry window, to the dead letters. Woken by every commit that adds rows and by a
 * timer set to the next due row. Stopping aborts what is in flight without writing: those rows
 * stay due and are sent again after the next start (at least once, same event id).
 */
export class HookDeliverer implements Startable {
  private readonly c: Required<Omit<HookDelivererComponents, 'metrics'>> & Pick<HookDelivererComponents, 'metrics'>
  private readonly options: HookDeliveryOptions
  /** Row keys in flight, per hook id. */
  private readonly inFlight = new Map<string, Set<string>>()
  private readonly attempts = new Set<Promise<void>>()
  private abort = new AbortController()
  private running = false
  private passing: Promise<void> | undefined
  private passAgain = false
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined

  constructor (components: HookDelivererComponents, options: Partial<HookDeliveryOptions> = {}) {
    this.c = { now: Date.now, random: Math.random, ...components }
    this.options = { ...DEFAULT_HOOK_DELIVERY_OPTIONS, ...options }
  }

  start (): void {
    this.running = true
    this.abort = new AbortController()
    this.unsubscribe = this.c.outbox.onWake(() => { this.kick() })
    this.kick()
  }

  /** Aborts what is in flight and waits for it to settle; nothing is written for an aborted attempt. */
  async stop (): Promise<void> {
    this.running = false
    this.unsubscribe?.()
    clearTimeout(this.timer)
    this.abort.abort()
    await this.passing
    await Promise.allSettled([...this.attempts])
  }

  /** Passes until nothing is due and nothing is in flight: for tests and benches that drive the clock. */
  async drain (): Promise<void> {
    for (;;) {
      const dispatched = await this.deliverDue()
      if (dispatched === 0 && this.attempts.size === 0) return
      await Promise.allSettled([...this.attempts])
    }
  }

  private kick (): void {
    if (!this.running) return
    if (this.passing !== undefined) {
      this.passAgain = true
      return
    }
    this.passing = this.pass()
      .then(() => undefined, (err: unknown) => { this.c.logger.error({ err: (err as Error).message }, 'hook delivery pass failed') })
      .finally(() => {
        this.passing = undefined
        if (this.passAgain) {
          this.passAgain = false
          this.kick()
        }
      })
  }

  /** One pass without waiting for its attempts: for tests that interleave deliveries with crashes. */
  async deliverDue (): Promise<number> {
    return await this.pass()
  }

  /** Dispatches every due row a hook has a free slot for; sets the timer to the next row not yet due. Returns how many it dispatched. */
  private async pass (): Promise<number> {
    clearTimeout(this.timer)
    const now = this.c.now()
    let nextDue = Infinity
    let dispatched = 0
    let rowsSeen = 0
    for (const hook of this.c.hooks.list()) {
      const busy = this.busy(hook)
      const free = Math.max(this.options.concurrency - busy.size, 0)
      const rows = await this.c.outbox.rowsOf(hook, busy.size + free + 1)
      rowsSeen += rows.length
      for (const row of rows) {
        const key = outboxKeyText(row.key)
        if (busy.has(key)) continue
        if (row.key.dueMs > now) {
          nextDue = Math.min(nextDue, row.key.dueMs)
          break
        }
        // No free slot: the attempt that ends frees one and passes again.
        if (busy.size >= this.options.concurrency) break
        this.dispatch(hook, row, key, busy)
        dispatched++
      }
    }
    // Counted rows that are not there: a write whose events were counted failed. Cheap now: the outbox is empty.
    if (rowsSeen === 0 && this.c.outbox.rowCounts().outbox > 0) await this.c.outbox.recount()
    if (this.running && Number.isFinite(nextDue)) {
      this.timer = setTimeout(() => { this.kick() }, Math.min(Math.max(nextDue - now, 0), MAX_TIMER_MS))
      this.timer.unref()
    }
    return dispatched
  }

  private busy (hook: Hook): Set<string> {
    let set = this.inFlight.get(hook.idText)
    if (set === undefined) {
      set = new Set()
      this.inFlight.set(hook.idText, set)
    }
    return set
  }

  private dispatch (hook: Hook, row: OutboxRow, key: string, busy: Set<string>): void {
    busy.add(key)
    const attempt = this.attempt(hook, row)
      .catch((err: unknown) => { this.c.logger.error({ hook: hook.idText, err: (err as Error).message }, 'hook delivery could not record its outcome') })
      .finally(() => {
        busy.delete(key)
        if (busy.size === 0) this.inFlight.delete(hook.idText)
        this.attempts.delete(attempt)
        this.kick()
      })
    this.attempts.add(attempt)
  }

  private async attempt (hook: Hook, row: OutboxRow): Promise<void> {
    const started = this.c.now()
    const signal = this.abort.signal
    const failure = await this.send(hook, row, signal)
    if (failure === undefined) {
      await this.c.outbox.delivered(row)
      this.c.metrics?.delivered.inc()
      this.c.metrics?.deliveryLag.observe(Math.max(this.c.now() - row.delivery.createdAtMs, 0) / 1000)
      return
    }
    // Stopping: the row stays as it is, due, and goes out again after the next start.
    if (signal.aborted) return
    await this.failed(hook, row, failure, started)
  }

  /** Undefined on a 2xx; else why it failed, short enough to keep (a status or an error code, never a body). */
  private async send (hook: Hook, row: OutboxRow, signal: AbortSignal): Promise<string | undefined> {
    const secret = await this.c.hooks.secretOf(hook)
    if (secret === undefined) return 'no secret'
    const body = row.delivery.event
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'hashmesh-webhooks/1',
      'x-hashmesh-event-id': eventIdText(row.key.eventId),
      'x-hashmesh-event-type': row.delivery.type,
      [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(this.c.now() / 1000), body)
    }
    try {
      const { status } = await this.c.transport({
        url: hook.url, headers, body, timeoutMs: this.options.timeoutMs, maxResponseBytes: this.options.maxResponseBytes, signal
      })
      return status >= 200 && status < 300 ? undefined : `HTTP ${status}`
    } catch (err) {
      if (err instanceof DeliveryFailure) return err.code === 'NETWORK' ? `network: ${err.message}` : err.code.toLowerCase()
      throw err
    }
  }

  private async failed (hook: Hook, row: OutboxRow, lastError: string, started: number): Promise<void> {
    const attempts = row.delivery.attempts + 1
    const firstAttemptMs = row.delivery.firstAttemptMs === 0 ? started : row.delivery.firstAttemptMs
    const record = { attempts, firstAttemptMs, lastError }
    const now = this.c.now()
    const log = { hook: hook.idText, eventId: eventIdText(row.key.eventId), type: row.delivery.type, attempts, lastError }
    if (now - firstAttemptMs >= this.options.maxRetryMs) {
      await this.c.outbox.kill(row, record)
      this.c.logger.warn(log, 'hook delivery given up on after the retry window; moved to the dead letters')
      return
    }
    const delay = retryDelayMs(attempts, this.options.retryBaseMs, this.options.retryCapMs, this.c.random)
    await this.c.outbox.retry(row, now + delay, record)
    this.c.metrics?.retried.inc({ reason: lastError.startsWith('HTTP') ? lastError.slice(0, 8) : lastError.split(':')[0]! })
    this.c.logger.debug({ ...log, retryInMs: delay }, 'hook delivery failed; retrying')
  }
}
