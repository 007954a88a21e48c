import { verify } from '../crypto/ed25519.js'
import { type EventRecorder, NO_EVENTS } from '../events/eventRecorder.js'
import { type HashmeshEvent, newEvent } from '../events/hashmeshEvent.js'
import type { Logger } from '../logger.js'
import { parseHexBytes, toHex } from '../signals/hex.js'
import type { ExtraOps, HashStore, StoreOp } from '../store/hashStore.js'
import { Decision, type EquivocationRecord } from '../store/records.js'
import { decodeEquivocationProof, encodeEquivocationProof } from '../wire/equivocationCodec.js'
import { WireError } from '../wire/errors.js'
import { PUBLIC_KEY_BYTES } from '../wire/limits.js'
import type { DecodedBatch } from '../wire/types.js'
import { EquivocationError } from './equivocationError.js'
import type { TrustPolicy } from './trustPolicy.js'
import { BatchValidationError, actionForWireError, type ValidationAction, type ValidationCode } from './validationError.js'
import { ValidationReport } from './validationReport.js'
import { type BatchSource, formatBatchSource } from '../wire/batchSource.js'

export { Decision }

export interface KnownEquivocation {
  publisher: Uint8Array
  forkSeq: number
  a: DecodedBatch
  b: DecodedBatch
  proof: Uint8Array
  detectedAtMs: number
  decision: Decision
}

export interface ProofOutcome { action: 'accept' | ValidationAction, code: 'ACCEPTED' | ValidationCode }

export interface EquivocationTrackerComponents {
  store: HashStore
  trust: TrustPolicy
  logger: Logger
  /** Called with the proof bytes when this node finds a new equivocation itself, so it can spread them. */
  onNewProof?: (proof: Uint8Array) => void
  /** Where the `equivocation` event of a new proof goes, in the proof's own write. */
  events?: EventRecorder
}

/**
 * The lowest seq two batches of one publisher disagree about, or undefined when they can share a
 * chain: the same seq with different ids, or consecutive seqs where the later one's prev is not the
 * earlier one's id.
 */
export function forkSeqOf (a: DecodedBatch, b: DecodedBatch): number | undefined {
  if (Buffer.compare(a.body.publisher, b.body.publisher) !== 0) return undefined
  const [lo, hi] = a.body.seq <= b.body.seq ? [a, b] : [b, a]
  if (lo.body.seq === hi.body.seq) return Buffer.compare(lo.id, hi.id) !== 0 ? lo.body.seq : undefined
  if (hi.body.seq === lo.body.seq + 1 && Buffer.compare(hi.body.prev, lo.id) !== 0) return lo.body.seq
  return undefined
}

function equivocationEvent (publisher: Uint8Array, r: EquivocationRecord): HashmeshEvent<'equivocation'> {
  const { a, b } = decodeEquivocationProof(r.proof)
  return newEvent('equivocation', {
    publisher: toHex(publisher),
    forkSeq: r.forkSeq,
    batchA: { batchId: toHex(a.id), seq: a.body.seq },
    batchB: { batchId: toHex(b.id), seq: b.body.seq },
    detectedAt: new Date(r.detectedAtMs).toISOString()
  }, r.detectedAtMs)
}

/**
 * Publishers caught forking their log. A proof is two signed batches that cannot share a chain;
 * the first one per publisher is kept (the store holds it, so it survives restarts) and the
 * publisher is frozen at the fork until an administrator decides: follow the chain this node
 * holds, or block the publisher for good.
 */
export class EquivocationTracker {
  private readonly c: EquivocationTrackerComponents
  private readonly network: string
  private readonly known = new Map<string, KnownEquivocation>()
  private readonly proofReport: ValidationReport<ProofOutcome, ValidationCode>

  private constructor (components: EquivocationTrackerComponents, network: string) {
    this.c = components
    this.network = network
    this.proofReport = new ValidationReport('equivocation proof', { logger: components.logger })
  }

  static async load (components: EquivocationTrackerComponents, options: { network: string }): Promise<EquivocationTracker> {
    const tracker = new EquivocationTracker(components, options.network)
    for (const r of await components.store.equivocations()) tracker.remember(r.publisher, r)
    return tracker
  }

  isEquivocating (publisherHex: string): boolean {
    return this.known.has(publisherHex)
  }

  /** Whether a batch at this seq must wait for an administrator's decision (or never come in). */
  blocks (publisher: Uint8Array, seq: number): boolean {
    const known = this.known.get(toHex(publisher))
    return known !== undefined && known.decision !== Decision.FOLLOW_STORED && seq >= known.forkSeq
  }

  list (): KnownEquivocation[] {
    return [...this.known.values()]
  }

  /** A validly signed batch that conflicts with this node's own chain; true if it is news. */
  async recordConflict (storedSigned: Uint8Array, batch: DecodedBatch): Promise<boolean> {
    const proof = encodeEquivocationProof(storedSigned, batch.signedBytes)
    const isNews = await this.record(proof)
    // A proof from a peer is forwarded by gossip itself; one found here must be announced.
    if (isNews) this.c.onNewProof?.(proof)
    return isNews
  }

  /** A proof from a peer: verified in full, since a forged one would freeze an honest publisher. */
  async ingestProof (bytes: Uint8Array, source: BatchSource): Promise<ProofOutcome> {
    const { outcome } = await this.proofReport.run(source, async () => {
      const { publisher } = this.verifyProof(bytes)
      if (this.known.has(toHex(publisher))) throw new BatchValidationError('ignore', 'DUPLICATE', 'this node holds a proof about this publisher already')
      await this.record(bytes)
      this.c.logger.warn({ source: formatBatchSource(source), publisher: toHex(publisher) }, 'equivocation proof received from a peer')
      return { action: 'accept', code: 'ACCEPTED' }
    })
    return outcome
  }

  /** `extra` (the decision's audit record) is written in the same atomic batch as the decision. */
  async decide (publisherHex: string, decision: Decision, extra?: ExtraOps): Promise<KnownEquivocation> {
    const publisher = parseHexBytes(publisherHex, PUBLIC_KEY_BYTES)
    if (publisher === undefined) throw new EquivocationError('BAD_PUBLISHER_KEY', 'publisher must be 64 hex characters')
    const known = this.known.get(toHex(publisher))
    if (known === undefined) throw new EquivocationError('NO_SUCH_EQUIVOCATION', `no equivocation is recorded for publisher ${toHex(publisher)}`)
    await this.c.store.putEquivocation(publisher, { proof: known.proof, forkSeq: known.forkSeq, detectedAtMs: known.detectedAtMs, decision }, extra)
    known.decision = decision
    this.c.logger.warn({ publisher: toHex(publisher), decision }, 'equivocation decided')
    return known
  }

  private async record (proof: Uint8Array): Promise<boolean> {
    const { publisher, forkSeq } = this.verifyProof(proof)
    if (this.known.has(toHex(publisher))) return false
    const record: EquivocationRecord = { proof, forkSeq, detectedAtMs: Date.now(), decision: Decision.UNDECIDED }
    const events = this.c.events ?? NO_EVENTS
    const { repositories } = this.c.store
    // Checked in the write queue: of two proofs about one publisher racing in, only the first is news.
    const event = async (): Promise<StoreOp[]> =>
      await repositories.equivocation.has(publisher) ? [] : await events.opsFor([equivocationEvent(publisher, record)])
    await this.c.store.putEquivocation(publisher, record, event)
    events.committed()
    this.remember(publisher, record)
    this.c.logger.warn({ publisher: toHex(publisher), forkSeq },
      'publisher equivocated: two conflicting signed batches; its batches from the fork on wait for an administrator')
    return true
  }

  private verifyProof (bytes: Uint8Array): { publisher: Uint8Array, forkSeq: number } {
    let a: DecodedBatch, b: DecodedBatch
    try {
      ({ a, b } = decodeEquivocationProof(bytes))
    } catch (err) {
      if (err instanceof WireError) throw new BatchValidationError(actionForWireError(err.code), err.code, `proof: ${err.message}`)
      throw err
    }
    if (a.body.network !== this.network || b.body.network !== this.network) {
      throw new BatchValidationError('reject', 'WRONG_NETWORK', 'proof batches are for another network')
    }
    const forkSeq = forkSeqOf(a, b)
    if (forkSeq === undefined) throw new BatchValidationError('reject', 'NOT_EQUIVOCATION', 'the two batches do not conflict')
    if (!this.c.trust.isTrusted(a.body.publisher)) {
      throw new BatchValidationError('ignore', 'UNTRUSTED_PUBLISHER', 'proof about a publisher this node does not trust')
    }
    for (const batch of [a, b]) {
      if (!verify(batch.signature, batch.bodyBytes, batch.body.publisher)) {
        throw new BatchValidationError('reject', 'BAD_SIGNATURE', 'a proof batch is not validly signed')
      }
    }
    return { publisher: a.body.publisher, forkSeq }
  }

  private remember (publisher: Uint8Array, r: EquivocationRecord): void {
    const { a, b } = decodeEquivocationProof(r.proof)
    this.known.set(toHex(publisher), { publisher, forkSeq: r.forkSeq, a, b, proof: r.proof, detectedAtMs: r.detectedAtMs, decision: r.decision })
  }
}
