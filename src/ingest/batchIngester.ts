import type { Logger } from '../logger.js'
import type { LookupIndexes } from '../lookup/lookupIndexes.js'
import { toHex } from '../signals/hex.js'
import { StoreError } from '../store/errors.js'
import type { BatchReceipt, ExtraOps, HashStore, TypedValue } from '../store/hashStore.js'
import { SerialQueue } from '../store/serialQueue.js'
import type { DecodedBatch } from '../wire/types.js'
import type { BatchObserver } from './batchObserver.js'
import { validateBatch } from './batchValidator.js'
import type { IngestMetrics } from './metrics.js'
import type { EquivocationTracker } from './equivocationTracker.js'
import { PendingBatches } from './pendingBatches.js'
import type { TrustPolicy } from './trustPolicy.js'
import type { UntrustedBudget } from './untrustedBudget.js'
import { BatchValidationError, type ValidationCode } from './validationError.js'
import { type OutcomeCounts, ValidationReport } from './validationReport.js'
import { type BatchSource, formatBatchSource } from '../wire/batchSource.js'

export type IngestAction = 'accept' | 'ignore' | 'reject'

/**
 * ACCEPTED: linked to the publisher's chain and stored. PENDING: valid, but its predecessor is
 * missing, so it is held (and still forwarded: it is validly signed). LINKED counts held batches
 * stored later, when their gap filled.
 */
export type IngestCode = 'ACCEPTED' | 'PENDING' | 'LINKED' | ValidationCode

export interface IngestOutcome {
  action: IngestAction
  code: IngestCode
  batch?: DecodedBatch
  /** With PENDING: the first seq of this publisher this node is missing (its head + 1). */
  missingFrom?: number
}

export interface BatchIngesterComponents {
  store: HashStore
  /** Brought up to date with every batch stored, under the same lock. */
  indexes: LookupIndexes
  trust: TrustPolicy
  logger: Logger
  metrics?: IngestMetrics
  /** Without one, a conflicting batch is only refused; with one, it also becomes a stored proof. */
  equivocations?: EquivocationTracker
  /** Without one, batches of untrusted publishers are refused cheaply but never rate-limited. */
  untrustedBudget?: UntrustedBudget
  /** Act on every batch stored, in the batch's own atomic write (retroactive matching). */
  observers?: readonly BatchObserver[]
}

export interface BatchIngesterOptions {
  network: string
  maxClockSkewMs: number
  now?: () => number
}

export type { OutcomeCounts } from './validationReport.js'

/** What the store's chain checks mean for the sender: none of them is a fault of the relaying peer. */
const STORE_REFUSALS: Partial<Record<string, ValidationCode>> = {
  SEQ_CONFLICT: 'SEQ_CONFLICT',
  PREV_MISMATCH: 'PREV_MISMATCH'
}

/**
 * The single path every batch takes into the store, whether it came from gossip, from sync or was
 * published here: validate (signature last), then link it to its publisher's chain — store it if it
 * extends the head, hold it if it is early — under one lock, so linking decisions never race.
 * Never throws; the outcome says what happened and is counted by reason.
 */
export class BatchIngester {
  private readonly components: BatchIngesterComponents
  private readonly options: Required<BatchIngesterOptions>
  private readonly report: ValidationReport<IngestOutcome, ValidationCode>
  private readonly pending = new PendingBatches()
  private readonly linking = new SerialQueue()

  constructor (components: BatchIngesterComponents, options: BatchIngesterOptions) {
    this.components = components
    this.options = { now: Date.now, ...options }
    const { logger, metrics } = components
    this.report = new ValidationReport('batch', { logger, metric: metrics?.outcomes, logAccepted: logStored(logger) })
  }

  /**
   * `extra` (a local publish's audit record) is written in the same atomic batch as this batch, and
   * only if it is stored now: a held or refused batch writes nothing.
   */
  async ingest (bytes: Uint8Array, source: BatchSource, extra?: ExtraOps): Promise<IngestOutcome> {
    const stopTimer = this.components.metrics?.applySeconds.startTimer()
    const { outcome } = await this.report.run(source, async () => {
      const linked = await this.validateAndLink(bytes, source, extra)
      if (linked.code === 'ACCEPTED') stopTimer?.()
      return linked
    })
    return outcome
  }

  outcomeCounts (): OutcomeCounts {
    return this.report.outcomeCounts()
  }

  /** Batches held for this publisher (hex) until their predecessors arrive. */
  pendingFor (publisherHex: string): number {
    return this.pending.countFor(publisherHex)
  }

  pendingPublishers (): string[] {
    return this.pending.publishers()
  }

  /**
   * Runs `read` between two batches, never during one, so that what it reads from the store and
   * from the index describe the same moment (status must not show an entry count from before a
   * batch beside an index from after it).
   */
  async betweenBatches<T> (read: () => Promise<T>): Promise<T> {
    return await this.linking.run(read)
  }

  heldTotals (): { batches: number, bytes: number, evicted: number } {
    return { batches: this.pending.size, bytes: this.pending.heldBytes, evicted: this.pending.evictedTotal }
  }

  /** Throws the BatchValidationError that refuses the batch. */
  private async validateAndLink (bytes: Uint8Array, source: BatchSource, extra: ExtraOps | undefined): Promise<IngestOutcome> {
    const { store, trust, untrustedBudget } = this.components
    const spendUntrusted = untrustedBudget === undefined ? undefined : (publisher: Uint8Array, n: number) => untrustedBudget.spend(source, publisher, n)
    const batch = await validateBatch(bytes, { ...this.options, store, trust, spendUntrusted })
    const receipt = { receivedAtMs: this.options.now(), source }
    return await this.linking.run(async () => await this.link(batch, receipt, extra))
  }

  private async link (batch: DecodedBatch, receipt: BatchReceipt, extra: ExtraOps | undefined): Promise<IngestOutcome> {
    if (this.components.equivocations?.blocks(batch.body.publisher, batch.body.seq) === true) {
      throw new BatchValidationError('ignore', 'EQUIVOCATING',
        `publisher ${toHex(batch.body.publisher)} forked its log; batches from the fork on wait for an administrator`)
    }
    try {
      await this.apply(batch, receipt, extra)
    } catch (err) {
      // The store is the authority on linking: a batch past head + 1 waits for its predecessors.
      if (err instanceof StoreError && err.code === 'NOT_LINKED') return await this.hold(batch, receipt)
      throw err
    }
    await this.drainPending(batch)
    return { action: 'accept', code: 'ACCEPTED', batch }
  }

  private async hold (batch: DecodedBatch, receipt: BatchReceipt): Promise<IngestOutcome> {
    if (!this.pending.add(batch, receipt)) throw new BatchValidationError('ignore', 'DUPLICATE', 'already held pending')
    const head = await this.components.store.head(batch.body.publisher)
    return { action: 'accept', code: 'PENDING', batch, missingFrom: (head?.seq ?? 0) + 1 }
  }

  /**
   * Stores held successors of a batch just linked, for as long as they keep linking; then drops
   * anything still held at or below the new head (a rival that can never link now).
   */
  private async drainPending (linked: DecodedBatch): Promise<void> {
    let prev = linked
    try {
      await this.linkHeldAfter(prev, held => { prev = held })
    } finally {
      this.pending.dropUpTo(prev.body.publisher, prev.body.seq)
    }
  }

  private async linkHeldAfter (linked: DecodedBatch, onLinked: (batch: DecodedBatch) => void): Promise<void> {
    for (let prev = linked; ;) {
      const held = this.pending.take(prev.body.publisher, prev.body.seq + 1)
      if (held === undefined) return
      try {
        await this.apply(held.batch, held.receipt)
      } catch (err) {
        if (!(err instanceof BatchValidationError)) throw err
        this.report.record({ action: err.action, code: err.code }, held.receipt.source)
        return
      }
      this.report.record({ action: 'accept', code: 'LINKED', batch: held.batch }, held.receipt.source)
      prev = held.batch
      onLinked(prev)
    }
  }

  /** The store re-checks the chain under its own lock: it never holds a gap or a fork. */
  private async apply (batch: DecodedBatch, receipt: BatchReceipt, extra?: ExtraOps): Promise<void> {
    const { store, indexes } = this.components
    try {
      const stored = (h: TypedValue): boolean => indexes.exact.has(h.signalTypeCode, h.value)
      if (await store.applyBatch(batch, receipt, this.withObservers(batch, receipt, extra), stored) === 'duplicate') {
        throw new BatchValidationError('ignore', 'DUPLICATE', 'already stored')
      }
    } catch (err) {
      const code = err instanceof StoreError ? STORE_REFUSALS[err.code] : undefined
      if (code === undefined) throw err
      const isNews = await this.recordConflict(batch, code)
      const message = `publisher ${toHex(batch.body.publisher)} seq ${batch.body.seq}: ${(err as Error).message}`
      throw new BatchValidationError('ignore', isNews ? 'EQUIVOCATION' : code, message)
    }
    await indexes.applyStored(batch)
    this.components.metrics?.entriesStored.inc(batch.body.entries.length)
    for (const o of this.components.observers ?? []) o.stored?.(batch)
  }

  /** The caller's extra writes and every observer's, for the batch's one atomic write. */
  private withObservers (batch: DecodedBatch, receipt: BatchReceipt, extra: ExtraOps | undefined): ExtraOps | undefined {
    const observers = this.components.observers ?? []
    if (observers.length === 0) return extra
    return async () => {
      const ops = await extra?.() ?? []
      for (const o of observers) ops.push(...await o.opsFor(batch, receipt))
      return ops
    }
  }

  /**
   * The batch is validly signed and contradicts the stored chain: at its own seq (SEQ_CONFLICT) or
   * at the one below (PREV_MISMATCH). Together with the stored batch it proves the publisher forked.
   */
  private async recordConflict (batch: DecodedBatch, code: ValidationCode): Promise<boolean> {
    const { store, equivocations } = this.components
    if (equivocations === undefined) return false
    const evidenceSeq = code === 'SEQ_CONFLICT' ? batch.body.seq : batch.body.seq - 1
    const stored = await store.getSignedBatch(batch.body.publisher, evidenceSeq)
    return stored !== undefined && await equivocations.recordConflict(stored, batch)
  }
}

/** A stored batch at info, with what identifies it; a held one at debug, as it may never link. */
function logStored (logger: Logger): (outcome: IngestOutcome, source: BatchSource) => void {
  return (outcome, source) => {
    if (outcome.batch === undefined) return
    const { body, id } = outcome.batch
    const fields = { source: formatBatchSource(source), publisher: toHex(body.publisher), seq: body.seq, batchId: toHex(id), entries: body.entries.length }
    if (outcome.code === 'PENDING') logger.debug(fields, 'batch held until its predecessors arrive')
    else logger.info(fields, 'batch stored')
  }
}
