import { Counter, Histogram, type Registry } from 'prom-client'

export interface IngestMetrics {
  outcomes: Counter<'action' | 'code'>
  entriesStored: Counter
  applySeconds: Histogram
}

export function createIngestMetrics (registry: Registry): IngestMetrics {
  return {
    outcomes: new Counter({
      name: 'hashmesh_batch_validation_total',
      help: 'Batches seen, by validation outcome and reason code',
      labelNames: ['action', 'code'] as const,
      registers: [registry]
    }),
    entriesStored: new Counter({
      name: 'hashmesh_entries_stored_total',
      help: 'Entries stored from accepted batches',
      registers: [registry]
    }),
    applySeconds: new Histogram({
      name: 'hashmesh_batch_apply_seconds',
      help: 'Time to validate and store one accepted batch',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry]
    })
  }
}
