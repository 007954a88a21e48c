import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { EventOutbox, type OutboxLimits } from '../../../src/events/eventOutbox.js'
import { HookRegistry } from '../../../src/events/hookRegistry.js'
import { type EventMetrics, createEventMetrics } from '../../../src/events/metrics.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { HookDeliverer } from '../../../src/webhooks/hookDeliverer.js'
import type { HookDeliveryOptions } from '../../../src/webhooks/options.js'
import { DeliveryFailure, type HookRequest, type HookResponse } from '../../../src/webhooks/transport.js'

/** What the fake receiver was sent: one per attempt that reached it. */
export interface Received { url: string, headers: Record<string, string>, body: string }

/**
 * How the fake receiver answers: a status, or 'hang' (it got the request but the answer never
 * comes back: the node dies first), or 'down' (connection refused).
 */
export type ReceiverMode = number | 'hang' | 'down'

/**
 * A real store in a temp dir with the real registry, audit log, outbox and deliverer over it; the
 * clock is the test's, and the transport is a fake receiver (it holds no domain logic: it records
 * what it got and answers as told). `reopen` simulates a restart after a crash.
 */
export class HookRig {
  dir = ''
  store!: HashStore
  audit!: AuditLog
  hooks!: HookRegistry
  outbox!: EventOutbox
  deliverer!: HookDeliverer
  metrics!: EventMetrics
  registry = new Registry()
  now = 1_700_000_000_000
  private receiverMode: ReceiverMode = 200
  /** Requests the receiver holds unanswered ('hang'); a mode change answers them as the new mode would. */
  private held: Array<(mode: ReceiverMode) => void> = []
  received: Received[] = []
  logs: string[] = []
  random: () => number = () => 0.5
  options: Partial<HookDeliveryOptions & OutboxLimits> = {}

  async setup (options: Partial<HookDeliveryOptions & OutboxLimits> = {}): Promise<this> {
    this.options = options
    this.dir = await mkdtemp(join(tmpdir(), 'hashmesh-hooks-'))
    await this.open()
    return this
  }

  private async open (): Promise<void> {
    const logger = pino({ level: 'debug' }, { write: (line: string) => { this.logs.push(line) } })
    const now = (): number => this.now
    this.store = await HashStore.open(join(this.dir, 'db'))
    this.audit = new AuditLog(this.store)
    this.hooks = await HookRegistry.load({ store: this.store, audit: this.audit, logger, secretsDir: join(this.dir, 'hooks'), now })
    this.registry = new Registry()
    this.metrics = createEventMetrics(this.registry, () => this.outbox.rowCounts())
    this.outbox = await EventOutbox.load({ store: this.store, hooks: this.hooks, audit: this.audit, logger, metrics: this.metrics, now }, this.options)
    const transport = async (r: HookRequest): Promise<HookResponse> => await this.answer(r)
    const random = (): number => this.random()
    this.deliverer = new HookDeliverer({ outbox: this.outbox, hooks: this.hooks, transport, logger, metrics: this.metrics, now, random }, this.options)
  }

  get mode (): ReceiverMode {
    return this.receiverMode
  }

  set mode (mode: ReceiverMode) {
    this.receiverMode = mode
    if (mode === 'hang') return
    const held = this.held
    this.held = []
    for (const answer of held) answer(mode)
  }

  private async answer (r: HookRequest): Promise<HookResponse> {
    if (this.mode === 'down') throw new DeliveryFailure('NETWORK', 'ECONNREFUSED')
    this.received.push({ url: r.url, headers: r.headers, body: Buffer.from(r.body).toString('utf8') })
    if (this.mode !== 'hang') return { status: this.mode }
    return await new Promise((resolve, reject) => {
      const abort = (): void => { reject(new DeliveryFailure('ABORTED', 'stopping')) }
      if (r.signal.aborted) abort()
      else r.signal.addEventListener('abort', abort, { once: true })
      this.held.push(mode => {
        if (mode === 'down') reject(new DeliveryFailure('NETWORK', 'ECONNRESET'))
        else resolve({ status: mode === 'hang' ? 0 : mode })
      })
    })
  }

  /** kill -9 as far as the outbox can tell: in-flight attempts are cut off unrecorded, the store closed, everything rebuilt. */
  async crashAndRestart (): Promise<void> {
    await this.deliverer.stop()
    await this.store.close()
    await this.open()
  }

  async teardown (): Promise<void> {
    await this.deliverer.stop()
    await this.store.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}
