import type { Logger } from '../logger.js'
import type { ExactIndex } from '../index/exactIndex.js'
import { requireSignalType } from '../signals/registry.js'
import { toHex } from '../signals/hex.js'
import { StoreError } from '../store/errors.js'
import type { BatchReceipt, HashStore } from '../store/hashStore.js'
import type { DecodedBatch } from '../wire/types.js'
import { validateBatch } from './batchValidator.js'
import type { IngestMetrics } from './metrics.js'
import type { TrustPolicy } from './trustPolicy.js'
import { BatchValidationError, type ValidationCode } from './validationError.js'

export type IngestAction = 'accept' | 'ignore' | 'reject'

export interface IngestOutcome {
  action: IngestAction
  code: 'ACCEPTED' | ValidationCode
  batch?: DecodedBatch
}

export interface BatchIngesterComponents {
  store: HashStore
  index: ExactIndex
  trust: TrustPolicy
  logger: Logger
  metrics?: IngestMetrics
}

export interface BatchIngesterOptions {
  network: string
  maxClockSkewMs: number
  now?: () => number
}

export type OutcomeCounts = Record<IngestAction, Record<string, number>>

/**
 * The single path every batch takes into the store, whether it came from gossip or was published
 * here: validate, then apply (store + index).
 * Never throws; the outcome says what happened and is counted by reason.
 */
export class BatchIngester {
  private readonly components: BatchIngesterComponents
  private readonly options: Required<BatchIngesterOptions>
  private readonly counts: OutcomeCounts = { accept: {}, ignore: {}, reject: {} }

  constructor (components: BatchIngesterComponents, options: BatchIngesterOptions) {
    this.components = components
    this.options = { now: Date.now, ...options }
  }

  async ingest (bytes: Uint8Array, source: string): Promise<IngestOutcome> {
    const stopTimer = this.components.metrics?.applySeconds.startTimer()
    const outcome = await this.validateAndApply(bytes, source)
    if (outcome.action === 'accept') stopTimer?.()
    this.count(outcome, source)
    return outcome
  }

  outcomeCounts (): OutcomeCounts {
    return structuredClone(this.counts)
  }

  private async validateAndApply (bytes: Uint8Array, source: string): Promise<IngestOutcome> {
    try {
      const { store, trust } = this.components
      const batch = await validateBatch(bytes, { ...this.options, store, trust })
      await this.apply(batch, { receivedAtMs: this.options.now(), source })
      return { action: 'accept', code: 'ACCEPTED', batch }
    } catch (err) {
      if (err instanceof BatchValidationError) return { action: err.action, code: err.code }
      // A store failure is ours, not the sender's: drop without blame and say so loudly.
      this.components.logger.error({ err, source }, 'batch ingest failed')
      return { action: 'ignore', code: 'INTERNAL' }
    }
  }

  /** The store serialises applies and re-checks under its lock: the same batch may race in from several peers. */
  private async apply (batch: DecodedBatch, receipt: BatchReceipt): Promise<void> {
    const { store, index } = this.components
    try {
      if (await store.applyBatch(batch, receipt) === 'duplicate') throw new BatchValidationError('ignore', 'DUPLICATE', 'already stored')
    } catch (err) {
      if (err instanceof StoreError && err.code === 'SEQ_CONFLICT') {
        throw new BatchValidationError('ignore', 'SEQ_CONFLICT', `publisher ${toHex(batch.body.publisher)} already has a different batch at seq ${batch.body.seq}`)
      }
      throw err
    }
    for (const entry of batch.body.entries) index.add(requireSignalType(entry.signalType).code, entry.value)
    this.components.metrics?.entriesStored.inc(batch.body.entries.length)
  }

  private count (outcome: IngestOutcome, source: string): void {
    const byCode = this.counts[outcome.action]
    byCode[outcome.code] = (byCode[outcome.code] ?? 0) + 1
    this.components.metrics?.outcomes.inc({ action: outcome.action, code: outcome.code })
    // Rejects at debug: a hostile peer must not be able to flood the log.
    const { logger } = this.components
    if (outcome.action !== 'accept') {
      logger.debug({ source, action: outcome.action, code: outcome.code }, 'batch not accepted')
    } else if (outcome.batch !== undefined) {
      const { body, id } = outcome.batch
      logger.info({ source, publisher: toHex(body.publisher), seq: body.seq, batchId: toHex(id), entries: body.entries.length }, 'batch stored')
    }
  }
}
