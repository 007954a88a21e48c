import { Counter, Gauge, type Registry } from 'prom-client'

/** Counts only: a watched hash or content id never becomes a label. */
export interface WatchMetrics {
  /** Stored hashes of accepted batches that hit the watch indexes (before judging). */
  hits: Counter
  /** Watched items' transitions: matched (some listing matches now) or unlisted (the last went away). */
  transitions: Counter<'to'>
}

export function createWatchMetrics (registry: Registry, items: { readonly size: number }): WatchMetrics {
  registry.registerMetric(new Gauge({
    name: 'hashmesh_watch_items',
    help: 'Items on this node\'s watch list',
    registers: [],
    collect () { this.set(items.size) }
  }))
  return {
    hits: new Counter({ name: 'hashmesh_watch_hits_total', help: 'Stored hashes that hit a watched hash, before policy', registers: [registry] }),
    transitions: new Counter({
      name: 'hashmesh_watch_transitions_total',
      help: 'Watched items that started matching (to=matched) or stopped (to=unlisted)',
      labelNames: ['to'] as const,
      registers: [registry]
    })
  }
}
