import type { BatchIngester } from '../ingest/batchIngester.js'
import type { EquivocationTracker } from '../ingest/equivocationTracker.js'
import { toHex } from '../signals/hex.js'
import type { HeadRecord } from '../store/hashStore.js'
import type { PublisherStatus } from './interface.js'

/**
 * Stored heads, plus publishers known only from held batches (seq 0) or from an equivocation
 * proof, in publisher order.
 */
export function publisherStatuses (heads: readonly HeadRecord[], ingester: BatchIngester, equivocations: EquivocationTracker): PublisherStatus[] {
  const byKey = new Map<string, PublisherStatus>()
  const blank = (publisher: string): PublisherStatus => ({
    publisher, seq: 0, headId: '', pending: ingester.pendingFor(publisher), equivocating: equivocations.isEquivocating(publisher), batches: 0, entries: 0
  })
  for (const h of heads) {
    const publisher = toHex(h.publisher)
    byKey.set(publisher, { ...blank(publisher), seq: h.seq, headId: toHex(h.headId), batches: h.batches, entries: h.entries })
  }
  const others = [...ingester.pendingPublishers(), ...equivocations.list().map(e => toHex(e.publisher))]
  for (const publisher of others) if (!byKey.has(publisher)) byKey.set(publisher, blank(publisher))
  return [...byKey.values()].sort((a, b) => a.publisher.localeCompare(b.publisher))
}
