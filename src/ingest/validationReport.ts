import type { Counter } from 'prom-client'
import type { Logger } from '../logger.js'
import { type BatchSource, formatBatchSource } from '../wire/batchSource.js'
import { WireError } from '../wire/errors.js'
import { RefusalError, actionForWireError, type ValidationAction } from './validationError.js'

export type OutcomeAction = 'accept' | ValidationAction

/** Outcomes seen so far: { accept: { ACCEPTED: n }, ignore: { DUPLICATE: n, ... }, reject: { ... } }. */
export type OutcomeCounts = Record<OutcomeAction, Record<string, number>>

export interface Outcome {
  action: OutcomeAction
  code: string
}

/** What was refused and why; INTERNAL is this node's own failure, never the sender's. */
export interface Refused<Code extends string = string> {
  action: ValidationAction
  code: Code | 'INTERNAL'
}

export interface ValidationReportComponents<Accepted> {
  logger: Logger
  /** Counted by action and reason code. */
  metric?: Counter<'action' | 'code'>
  /** The log line of an accepted outcome; refusals are logged here, at debug. */
  logAccepted?: (accepted: Accepted, source: BatchSource) => void
}

/**
 * The one wrapper every validation of what arrives (batches, forum records, equivocation proofs,
 * from gossip, sync or a local caller) goes through, as lodestar's gossipValidatorFn: the validator
 * returns what it accepted or throws a typed refusal carrying ignore or reject (a WireError carries
 * its own); anything else thrown is this node's failure, INTERNAL and ignored, since the sender is
 * not to blame. Each outcome is counted, metered by action and code, and logged with structured
 * fields. Gossip turns the action into its verdict (GossipTopic), the policer acts on rejects.
 */
export class ValidationReport<Accepted extends Outcome, Code extends string = string> {
  /** What the log lines call the thing validated: 'batch', 'forum record'. */
  private readonly subject: string
  private readonly c: ValidationReportComponents<Accepted>
  private readonly counts: OutcomeCounts = { accept: {}, ignore: {}, reject: {} }

  constructor (subject: string, components: ValidationReportComponents<Accepted>) {
    this.subject = subject
    this.c = components
  }

  /** Never throws: the refusal's error comes back beside it, for a local caller that wants it thrown. */
  async run (source: BatchSource, validate: () => Promise<Accepted>): Promise<{ outcome: Accepted | Refused<Code>, error?: unknown }> {
    try {
      const outcome = await validate()
      this.record(outcome, source)
      return { outcome }
    } catch (error) {
      const outcome = this.refusalOf(error, source)
      this.record(outcome, source)
      return { outcome, error }
    }
  }

  /** For an outcome reached outside run (a held batch that linked, or failed to, when its gap filled). */
  record (outcome: Accepted | Refused<Code>, source: BatchSource): void {
    const byCode = this.counts[outcome.action]
    byCode[outcome.code] = (byCode[outcome.code] ?? 0) + 1
    this.c.metric?.inc({ action: outcome.action, code: outcome.code })
    // Refusals at debug: a hostile peer must not be able to flood the log.
    if (outcome.action !== 'accept') {
      this.c.logger.debug({ source: formatBatchSource(source), action: outcome.action, code: outcome.code }, `${this.subject} not stored`)
    } else {
      this.c.logAccepted?.(outcome, source)
    }
  }

  outcomeCounts (): OutcomeCounts {
    return structuredClone(this.counts)
  }

  /** `Code` is what the validator's refusals carry: its RefusalError's codes and the WireError codes. */
  private refusalOf (err: unknown, source: BatchSource): Refused<Code> {
    if (err instanceof RefusalError) return { action: err.action, code: err.code as Code }
    if (err instanceof WireError) return { action: actionForWireError(err.code), code: err.code as Code }
    this.c.logger.error({ err, source: formatBatchSource(source) }, `${this.subject} ingest failed`)
    return { action: 'ignore', code: 'INTERNAL' }
  }
}
