import { Counter, Gauge, type Registry } from 'prom-client'
import type { PublisherLag } from './advertisedHeads.js'

export interface SyncMetrics {
  /** Inbound requests by protocol ('heads' | 'range' | 'forum') and outcome ('ok' or an error code). */
  served: Counter<'protocol' | 'outcome'>
  batchesServed: Counter
  /** Outbound requests by protocol and outcome. */
  requests: Counter<'protocol' | 'outcome'>
  /** Batches received over sync, by the ingest action they got. */
  batchesFetched: Counter<'action'>
  /** Pulls of one publisher's range from one peer, by how they ended. */
  pulls: Counter<'end'>
  /** Stored forum records sent to peers in forum responses. */
  forumRecordsServed: Counter
  /** Forum records received in forum responses, by the ingest action they got. */
  forumRecordsFetched: Counter<'action'>
  /** Sync rounds with one peer, by outcome ('ok', an error code, or QUEUE_FULL when never started). */
  rounds: Counter<'outcome'>
}

export function createSyncMetrics (registry: Registry): SyncMetrics {
  return {
    served: new Counter({
      name: 'hashmesh_sync_served_total',
      help: 'Sync requests from peers, by protocol and outcome',
      labelNames: ['protocol', 'outcome'] as const,
      registers: [registry]
    }),
    batchesServed: new Counter({
      name: 'hashmesh_sync_batches_served_total',
      help: 'Stored batches sent to peers in range responses',
      registers: [registry]
    }),
    requests: new Counter({
      name: 'hashmesh_sync_requests_total',
      help: 'Sync requests to peers, by protocol and outcome',
      labelNames: ['protocol', 'outcome'] as const,
      registers: [registry]
    }),
    batchesFetched: new Counter({
      name: 'hashmesh_sync_batches_fetched_total',
      help: 'Batches received in range responses, by ingest action',
      labelNames: ['action'] as const,
      registers: [registry]
    }),
    pulls: new Counter({
      name: 'hashmesh_sync_pulls_total',
      help: 'Range pulls of one publisher from one peer, by how they ended',
      labelNames: ['end'] as const,
      registers: [registry]
    }),
    forumRecordsServed: new Counter({
      name: 'hashmesh_sync_forum_records_served_total',
      help: 'Stored forum records sent to peers in forum responses',
      registers: [registry]
    }),
    forumRecordsFetched: new Counter({
      name: 'hashmesh_sync_forum_records_fetched_total',
      help: 'Forum records received in forum responses, by ingest action',
      labelNames: ['action'] as const,
      registers: [registry]
    }),
    rounds: new Counter({
      name: 'hashmesh_sync_rounds_total',
      help: 'Sync rounds with one peer, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry]
    })
  }
}

/**
 * Batches behind per publisher, computed at scrape time. A caught-up publisher stays at 0 (an
 * alert on it then has a series to read); one no longer trusted is dropped. At most
 * MAX_ADVERTISED_PUBLISHERS series.
 */
export function registerSyncLagGauge (registry: Registry, source: { lag: () => Promise<PublisherLag[]> }): void {
  registry.registerMetric(new Gauge({
    name: 'hashmesh_sync_lag_batches',
    help: 'Batches this node lacks of each trusted publisher, against the best head a peer advertised',
    labelNames: ['publisher'] as const,
    registers: [],
    async collect () {
      const lags = await source.lag()
      this.reset()
      for (const { publisher, batches } of lags) this.set({ publisher }, batches)
    }
  }))
}
