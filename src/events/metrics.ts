import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export interface EventMetrics {
  /** Events written to the outbox with the state change that caused them, by type. */
  emitted: Counter<'type'>
  /** Events for no receiver, or past every bound: by reason (outbox_full, dead_full, too_large). */
  dropped: Counter<'reason'>
  /** Deliveries a receiver answered 2xx. */
  delivered: Counter
  /** Failed attempts scheduled again, by why (status, timeout, network, ...). */
  retried: Counter<'reason'>
  /** Deliveries given up on after hooks.maxRetryHours, moved to the dead letters. */
  dead: Counter
  /** Rows waiting in the outbox, and in the dead letters. */
  outboxRows: Gauge
  deadRows: Gauge
  /** From the event's creation to its 2xx, in seconds. */
  deliveryLag: Histogram
}

/** Lag spans sub-second deliveries to retries a day later. */
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600]

/** `rows` is read when /metrics is scraped: the outbox knows its own counts. */
export function createEventMetrics (registry: Registry, rows: () => { outbox: number, dead: number }): EventMetrics {
  return {
    emitted: new Counter({ name: 'hashmesh_events_emitted_total', help: 'Events emitted, by type', labelNames: ['type'] as const, registers: [registry] }),
    dropped: new Counter({
      name: 'hashmesh_events_dropped_total',
      help: 'Event deliveries not kept, by reason (outbox_full, dead_full, too_large)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    delivered: new Counter({ name: 'hashmesh_hook_deliveries_delivered_total', help: 'Deliveries answered 2xx', registers: [registry] }),
    retried: new Counter({
      name: 'hashmesh_hook_deliveries_retried_total',
      help: 'Failed delivery attempts scheduled again, by reason',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    dead: new Counter({ name: 'hashmesh_hook_deliveries_dead_total', help: 'Deliveries given up on and moved to the dead letters', registers: [registry] }),
    outboxRows: new Gauge({
      name: 'hashmesh_hook_outbox_rows',
      help: 'Deliveries waiting in the outbox',
      registers: [registry],
      collect () { this.set(rows().outbox) }
    }),
    deadRows: new Gauge({
      name: 'hashmesh_hook_dead_rows',
      help: 'Deliveries in the dead letters',
      registers: [registry],
      collect () { this.set(rows().dead) }
    }),
    deliveryLag: new Histogram({
      name: 'hashmesh_hook_delivery_lag_seconds',
      help: 'From an event\'s creation to its delivery (2xx)',
      buckets: LAG_BUCKETS,
      registers: [registry]
    })
  }
}
