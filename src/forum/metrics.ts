import { Counter, type Registry } from 'prom-client'

export interface ForumMetrics {
  /** Every forum record seen (gossip, sync, local), by outcome and reason code. */
  records: Counter<'action' | 'code'>
}

export function createForumMetrics (registry: Registry): ForumMetrics {
  return {
    records: new Counter({
      name: 'hashmesh_forum_records_total',
      help: 'Forum records seen, by validation outcome and reason code',
      labelNames: ['action', 'code'] as const,
      registers: [registry]
    })
  }
}
