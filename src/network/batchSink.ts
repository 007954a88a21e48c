import type { IngestOutcome } from '../ingest/batchIngester.js'
import type { BatchSource } from '../wire/batchSource.js'

/** Where batches from the network go (the ingester): validates, links and stores; never throws. */
export interface BatchSink {
  ingest: (bytes: Uint8Array, source: BatchSource) => Promise<IngestOutcome>
}
