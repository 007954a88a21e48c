import { type EventRecorder, NO_EVENTS } from '../events/eventRecorder.js'
import { newEvent } from '../events/hashmeshEvent.js'
import { parseSignalValue } from '../signals/hex.js'
import type { AllowlistStore } from '../store/allowlist.js'
import type { AuditEntryInput } from '../store/auditEntry.js'
import type { HashStore, StoreOp } from '../store/hashStore.js'
import type { StoredAppeal } from '../store/matchRecords.js'
import { SerialQueue } from '../store/serialQueue.js'
import { MatchLogError } from './matchError.js'
import { checkActor, checkAppealNote, checkAppealReason, checkContentId } from './matchInput.js'
import type { MatchLog } from './matchLog.js'
import type { AppealOutcome, MatchRecord } from './matchRecord.js'
import { outcomeCode } from './matchRecordCodec.js'

/** One false_positive opinion, as the node's publisher takes entries (node/interface.ts EntryInput). */
export interface OpinionEntry { type: string, value: string, action: 'false_positive', reason: string }

/** Writes that go with a publish, and their audit record (node/batchPublisher.ts PublishExtra). */
export interface WithPublish { ops: StoreOp[], audit?: AuditEntryInput }

/**
 * What an appeal needs of the node's publisher: sign and store one batch of opinions, writing
 * what `extra(batchId)` returns in the same atomic batch as it, and gossip it.
 */
export interface OpinionPublisher {
  publish: (entries: readonly OpinionEntry[], actor: string, extra: (batchId: string) => () => Promise<WithPublish>) => Promise<{ batchId: string }>
}

export interface AppealComponents {
  store: HashStore
  log: MatchLog
  allowlist: AllowlistStore
  publisher: OpinionPublisher
  /** Whether this node may publish opinions: its credential has the opine role, or there is no forum. */
  canOpine: () => boolean
  events?: EventRecorder
  now?: () => number
}

export interface AppealInput {
  contentId: string
  outcome: AppealOutcome['outcome']
  reason: string
  note?: string
}

export interface AppealResult {
  record: MatchRecord
  /** Hashes allowlisted by this appeal (upheld only), as "type value". */
  allowlisted: Array<{ type: string, value: string }>
  /** The batch carrying the false_positive opinion, when one was published. */
  opinionBatchId?: string
  /** True when the record already carried this outcome: nothing was done again. */
  already: boolean
}

/**
 * What a grievance officer's decision on a user's appeal does, as one audited act. Upheld: the
 * content's matched hashes are allowlisted here, this node publishes a signed false_positive
 * opinion with the reason (when it has the opine role), and the outcome goes on the content's
 * latest match record together with its `appeal` event and audit record, in the publish's own
 * atomic write. Rejected: the outcome, event and audit record only.
 *
 * Idempotent: the outcome is written last and atomically with the opinion, so a run cut short
 * (a crash, a refused publish) leaves either nothing or only allowlist entries, and running it
 * again completes it; once the outcome is on the record a run does nothing, and never publishes twice.
 */
export class AppealService {
  private readonly c: AppealComponents
  private readonly events: EventRecorder
  private readonly now: () => number
  /** One appeal at a time: two runs of one appeal must not both find it undone and both publish. */
  private readonly appeals = new SerialQueue()

  constructor (components: AppealComponents) {
    this.c = components
    this.events = components.events ?? NO_EVENTS
    this.now = components.now ?? Date.now
  }

  async appeal (input: AppealInput, actor: string): Promise<AppealResult> {
    const contentId = checkContentId(input.contentId)
    if (input.outcome !== 'upheld' && input.outcome !== 'rejected') throw new MatchLogError('BAD_APPEAL', 'outcome must be upheld or rejected')
    const reason = checkAppealReason(input.reason)
    const note = input.note === undefined ? undefined : checkAppealNote(input.note)
    checkActor(actor)
    return await this.appeals.run(async () => await this.decide({ contentId, outcome: input.outcome, reason, ...(note === undefined ? {} : { note }) }, actor))
  }

  private async decide (input: AppealInput, actor: string): Promise<AppealResult> {
    const record = await this.c.log.latestFor(input.contentId)
    if (record === undefined) throw new MatchLogError('NO_MATCH_FOR_CONTENT', `no match is recorded for content ${input.contentId}`)
    if (record.appeal !== undefined) {
      if (record.appeal.outcome !== input.outcome) {
        throw new MatchLogError('APPEAL_DECIDED', `the appeal on match ${record.id} was ${record.appeal.outcome} already`)
      }
      return { record, allowlisted: [], ...(record.appeal.opinionBatchId === undefined ? {} : { opinionBatchId: record.appeal.opinionBatchId }), already: true }
    }
    if (input.outcome === 'rejected') return await this.recordOnly(record, input, actor, [])
    const allowlisted = await this.allowlistMatched(record, input, actor)
    const entries = hashesOf(record).map(h => ({ ...h, action: 'false_positive' as const, reason: input.reason }))
    if (!this.c.canOpine() || entries.length === 0) return await this.recordOnly(record, input, actor, allowlisted)
    let written: MatchRecord | undefined
    const published = await this.c.publisher.publish(entries, actor, batchId => async () => {
      const built = await this.outcomeOps(record, input, actor, allowlisted, batchId)
      written = built?.record
      return built === undefined ? { ops: [] } : { ops: built.ops, audit: built.audit }
    })
    this.events.committed()
    return { record: written ?? record, allowlisted, opinionBatchId: published.batchId, already: false }
  }

  private async recordOnly (record: MatchRecord, input: AppealInput, actor: string, allowlisted: AppealResult['allowlisted']): Promise<AppealResult> {
    let written: MatchRecord | undefined
    await this.c.store.writeAtomically(async () => {
      const built = await this.outcomeOps(record, input, actor, allowlisted, undefined)
      written = built?.record
      return built === undefined ? [] : [...built.ops, ...await this.c.log.auditOps([built.audit])]
    })
    this.events.committed()
    return { record: written ?? record, allowlisted, already: false }
  }

  /** Each matched hash not yet on the allowlist goes on it (a rerun finds them there and skips them). */
  private async allowlistMatched (record: MatchRecord, input: AppealInput, actor: string): Promise<AppealResult['allowlisted']> {
    const done: AppealResult['allowlisted'] = []
    for (const h of hashesOf(record)) {
      const { type, value } = parseSignalValue(h.type, h.value)
      if (this.c.allowlist.get(type.code, value) === undefined) {
        const note = `appeal upheld for content ${input.contentId} (${input.reason})${input.note === undefined ? '' : `: ${input.note}`}`
        await this.c.allowlist.add({ signalTypeCode: type.code, value, note: note.slice(0, 512), author: actor }, actor)
      }
      done.push(h)
    }
    return done
  }

  private async outcomeOps (
    record: MatchRecord, input: AppealInput, actor: string, allowlisted: AppealResult['allowlisted'], opinionBatchId: string | undefined
  ): ReturnType<MatchLog['appealOps']> {
    const atMs = this.now()
    const appeal: StoredAppeal = {
      outcome: outcomeCode(input.outcome),
      reason: input.reason,
      ...(input.note === undefined ? {} : { note: input.note }),
      actor,
      atMs,
      ...(opinionBatchId === undefined ? {} : { opinionBatchId: Uint8Array.from(Buffer.from(opinionBatchId, 'hex')) })
    }
    const audit = {
      matchId: record.id,
      contentId: input.contentId,
      outcome: input.outcome,
      reason: input.reason,
      ...(input.note === undefined ? {} : { note: input.note }),
      allowlisted: allowlisted.map(h => `${h.type}:${h.value}`),
      ...(opinionBatchId === undefined ? {} : { opinionBatchId })
    }
    const event = (r: MatchRecord): ReturnType<typeof newEvent> => newEvent('appeal', {
      matchId: r.id,
      contentId: r.contentId,
      hash: r.matched[0] === undefined ? r.hash : { type: r.hash.type, value: r.matched[0].value },
      outcome: input.outcome,
      reason: input.reason,
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(opinionBatchId === undefined ? {} : { opinionBatchId })
    }, atMs)
    return await this.c.log.appealOps(record.id, appeal, { events: this.events, event, audit })
  }
}

/** The stored hashes a record matched (for PDQ, the near stored ones, not the platform's own). */
function hashesOf (record: MatchRecord): Array<{ type: string, value: string }> {
  return record.matched.filter(m => m.listed || m.match).map(m => ({ type: record.hash.type, value: m.value }))
}
