import { verify } from '../crypto/ed25519.js'
import { type EventRecorder, NO_EVENTS } from '../events/eventRecorder.js'
import { type HashmeshEvent, newEvent } from '../events/hashmeshEvent.js'
import type { ValidationAction } from '../ingest/validationError.js'
import { type OutcomeCounts, ValidationReport } from '../ingest/validationReport.js'
import type { Logger } from '../logger.js'
import { toHex } from '../signals/hex.js'
import { ForumRecordStore } from '../store/forumRecords.js'
import type { ExtraOps, HashStore } from '../store/hashStore.js'
import { WireError, type WireErrorCode } from '../wire/errors.js'
import { decodeSignedForumRecord } from '../wire/forumCodec.js'
import type { DecodedForumRecord } from '../wire/types.js'
import { ForumError, type ForumErrorCode } from './forumError.js'
import { MAX_FORUM_RECORDS } from './limits.js'
import type { Membership } from './membership.js'
import type { ForumMetrics } from './metrics.js'
import { type BatchSource, formatBatchSource } from '../wire/batchSource.js'

export type ForumIngestCode = 'ACCEPTED' | 'INTERNAL' | ForumErrorCode | WireErrorCode

export interface ForumIngestOutcome {
  action: 'accept' | ValidationAction
  code: ForumIngestCode
  /** With ACCEPTED, and with DUPLICATE (the record this node already holds). */
  record?: DecodedForumRecord
  /** Why it was refused, for a local submitter. */
  message?: string
}

export interface ForumRecordIngesterComponents {
  store: HashStore
  membership: Membership
  logger: Logger
  metrics?: ForumMetrics
  /** Where the `revocation` event of a newly stored revocation goes, in the record's own write. */
  events?: EventRecorder
}

export interface ForumRecordIngesterOptions {
  network: string
  /** How far in the future a record's created_at may be before it is ignored. */
  maxClockSkewMs: number
  now?: () => number
}

export interface ForumSubmission {
  record: DecodedForumRecord
  /** DUPLICATE: this node held the record already; nothing was written. */
  code: 'ACCEPTED' | 'DUPLICATE'
}

export type ForumOutcomeCounts = OutcomeCounts

function refuse (action: ValidationAction, code: ForumErrorCode, message: string): never {
  throw new ForumError(action, code, message)
}

/**
 * The one path forum records take in, from gossip, sync or an administrator: checks cheapest first
 * and signatures last, then one atomic store write (with the caller's extra ops, e.g. an audit
 * record) and the in-memory membership. ingest() never throws; submit() is for a local caller and
 * throws the refusal instead.
 */
export class ForumRecordIngester {
  private readonly components: ForumRecordIngesterComponents
  private readonly options: Required<ForumRecordIngesterOptions>
  private readonly records: ForumRecordStore
  private readonly report: ValidationReport<ForumIngestOutcome, ForumErrorCode | WireErrorCode>
  /** Ids past every check and being written: a second copy arriving meanwhile is a duplicate. */
  private readonly inFlight = new Set<string>()

  constructor (components: ForumRecordIngesterComponents, options: ForumRecordIngesterOptions) {
    this.components = components
    this.options = { now: Date.now, ...options }
    this.records = new ForumRecordStore(components.store)
    const { logger, metrics } = components
    this.report = new ValidationReport('forum record', { logger, metric: metrics?.records, logAccepted: logStored(logger) })
  }

  /**
   * Rebuilds the membership from the store at start. Every record is checked again as if it just
   * arrived (signatures included: a few hundred verifications), and one that no longer passes —
   * typically signed by a root since removed from config — is skipped and logged, never deleted.
   */
  async load (): Promise<{ loaded: number, skipped: number }> {
    let loaded = 0
    let skipped = 0
    for (const row of await this.records.all()) {
      try {
        const record = this.verified(decodeSignedForumRecord(row.signed), { atLoad: true })
        if (this.components.membership.add(record)) loaded++
      } catch (err) {
        if (!(err instanceof WireError || err instanceof ForumError)) throw err
        skipped++
        this.components.logger.warn({ recordId: toHex(row.id), code: err.code, err: err.message }, 'stored forum record no longer counts; skipped')
      }
    }
    return { loaded, skipped }
  }

  async ingest (bytes: Uint8Array, source: BatchSource, extra?: ExtraOps): Promise<ForumIngestOutcome> {
    return (await this.attempt(bytes, source, extra)).outcome
  }

  /**
   * For an administrator's record: throws the WireError for bytes that are not a valid record, the
   * ForumError for any other refusal. A record already held is not an error: submitting twice is harmless.
   */
  async submit (bytes: Uint8Array, source: BatchSource, extra?: ExtraOps): Promise<ForumSubmission> {
    const { outcome, error } = await this.attempt(bytes, source, extra)
    if ((outcome.code === 'ACCEPTED' || outcome.code === 'DUPLICATE') && outcome.record !== undefined) return { record: outcome.record, code: outcome.code }
    throw error
  }

  outcomeCounts (): ForumOutcomeCounts {
    return this.report.outcomeCounts()
  }

  private async attempt (bytes: Uint8Array, source: BatchSource, extra: ExtraOps | undefined): Promise<{ outcome: ForumIngestOutcome, error?: unknown }> {
    let record: DecodedForumRecord | undefined
    const { outcome, error } = await this.report.run(source, async () => {
      record = decodeSignedForumRecord(bytes)
      await this.store(this.verified(record, { atLoad: false }), source, extra)
      return { action: 'accept', code: 'ACCEPTED', record }
    })
    if (outcome.action === 'accept') return { outcome }
    const held = outcome.code === 'DUPLICATE' && record !== undefined ? { record } : {}
    const message = error instanceof WireError || error instanceof ForumError ? error.message : 'internal error'
    return { outcome: { ...outcome, message, ...held }, error }
  }

  private async store (record: DecodedForumRecord, source: BatchSource, extra: ExtraOps | undefined): Promise<void> {
    const id = toHex(record.id)
    this.inFlight.add(id)
    try {
      const events = this.components.events ?? NO_EVENTS
      const event = this.revocationEvent(record)
      // Called by the store only for a record that is new, so a duplicate emits nothing.
      const withEvent = event === undefined ? extra : async () => [...(await extra?.() ?? []), ...await events.opsFor([event])]
      const stored = await this.records.put(record, { receivedAtMs: this.options.now(), source }, withEvent)
      if (stored === 'duplicate') refuse('ignore', 'DUPLICATE', `forum record ${id} is already stored`)
      if (event !== undefined) events.committed()
      this.components.membership.add(record)
    } finally {
      this.inFlight.delete(id)
    }
  }

  private revocationEvent (record: DecodedForumRecord): HashmeshEvent<'revocation'> | undefined {
    const revocation = record.body.revocation
    if (revocation === undefined) return undefined
    const organisation = this.components.membership.organisationOf(revocation.member)
    return newEvent('revocation', {
      member: toHex(revocation.member),
      ...(organisation === undefined ? {} : { organisation }),
      recordId: toHex(record.id),
      effectiveAt: new Date(revocation.effectiveAtMs).toISOString()
    }, this.options.now())
  }

  /** Every check but the store's, cheapest first and the signatures last. At load, only what can have changed since. */
  private verified (record: DecodedForumRecord, { atLoad }: { atLoad: boolean }): DecodedForumRecord {
    const { network, maxClockSkewMs, now } = this.options
    const { membership } = this.components
    const { body } = record
    const id = toHex(record.id)
    if (body.network !== network) refuse('reject', 'WRONG_NETWORK', `forum record is for network "${body.network}", this node is on "${network}"`)
    if (!membership.isRoot(body.signer)) refuse('ignore', 'UNKNOWN_ROOT', `forum record signed by ${toHex(body.signer)}, which is not a root of this forum`)
    if (!atLoad) {
      if (body.createdAtMs > now() + maxClockSkewMs) {
        refuse('ignore', 'FUTURE_TIMESTAMP', `forum record created_at ${body.createdAtMs} is more than ${maxClockSkewMs} ms in the future`)
      }
      if (membership.has(record.id) || this.inFlight.has(id)) refuse('ignore', 'DUPLICATE', `forum record ${id} is already held`)
      if (membership.size + this.inFlight.size >= MAX_FORUM_RECORDS) {
        refuse('ignore', 'FORUM_FULL', `this node holds ${MAX_FORUM_RECORDS} forum records, the most it keeps`)
      }
    }
    if (!verify(record.signature, record.bodyBytes, body.signer)) refuse('reject', 'BAD_SIGNATURE', `signature of forum record ${id} does not verify`)
    const rotation = body.credential?.rotation
    if (rotation !== undefined) {
      if (rotation.body.network !== network) {
        refuse('reject', 'BAD_ROTATION', `the key rotation in forum record ${id} is for network "${rotation.body.network}"`)
      }
      if (!verify(rotation.signature, rotation.bodyBytes, rotation.body.oldKey)) {
        refuse('reject', 'BAD_ROTATION', `the key rotation in forum record ${id} is not signed by its old key`)
      }
    }
    return record
  }
}

/** An accepted record at info, with who signed it for whom. */
function logStored (logger: Logger): (outcome: ForumIngestOutcome, source: BatchSource) => void {
  return (outcome, source) => {
    if (outcome.record === undefined) return
    const { body, id } = outcome.record
    const member = body.credential?.member ?? body.revocation?.member
    logger.info({
      source: formatBatchSource(source),
      recordId: toHex(id),
      kind: body.credential !== undefined ? 'credential' : 'revocation',
      root: toHex(body.signer),
      member: member === undefined ? undefined : toHex(member)
    }, 'forum record stored')
  }
}
