import { Gauge, type Registry } from 'prom-client'

/** What the gauges read from the PDQ index; read at scrape time, so ingest pays nothing for them. */
export interface PdqIndexSize {
  readonly size: number
  memoryBytes: () => number
}

export function registerPdqIndexGauges (registry: Registry, index: PdqIndexSize): void {
  registry.registerMetric(new Gauge({
    name: 'hashmesh_pdq_index_hashes',
    help: 'Listed PDQ hashes in the in-memory index',
    registers: [],
    collect () { this.set(index.size) }
  }))
  registry.registerMetric(new Gauge({
    name: 'hashmesh_pdq_index_memory_bytes',
    help: 'Memory the in-memory PDQ index holds',
    registers: [],
    collect () { this.set(index.memoryBytes()) }
  }))
}
