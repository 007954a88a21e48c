import { Counter, Histogram, type Registry } from 'prom-client'

/** What a client asked: one exact or PDQ hash, a batch of them, or an uploaded file the node hashed. */
export const LOOKUP_KINDS = ['exact', 'pdq', 'batch', 'match'] as const
export type LookupKind = typeof LOOKUP_KINDS[number]

/** Each answered hash (or upload), by local verdict. */
export const LOOKUP_VERDICTS = ['match', 'listed_no_match', 'not_listed'] as const

/** What the verdict is read from: a LookupResult or a MatchResult. */
export interface Answered { listed: boolean, match: boolean }

/** From exact hits (well under a millisecond) to an upload hashed and matched (seconds). */
const SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const KIND_INDEX = Object.fromEntries(LOOKUP_KINDS.map((kind, i) => [kind, i])) as Record<LookupKind, number>
/** Label objects made once: the hot path passes these rather than building one per call. */
const KIND_LABELS = LOOKUP_KINDS.map(kind => ({ kind }))

function verdictIndex (answer: Answered): number {
  if (answer.match) return 0
  return answer.listed ? 1 : 2
}

/**
 * Lookups and match uploads the node answered, by kind and verdict, and how long each took.
 * prom-client hashes the labels of every update (about a microsecond each here), so calls and
 * verdicts are tallied in plain arrays and handed to their counters when /metrics is scraped: a
 * batch of many queries pays an array increment per query. Only the latency is observed per call.
 */
export class LookupMetrics {
  private readonly calls = new Float64Array(LOOKUP_KINDS.length)
  /** Indexed kind * LOOKUP_VERDICTS.length + verdict. */
  private readonly verdicts = new Float64Array(LOOKUP_KINDS.length * LOOKUP_VERDICTS.length)
  private readonly seconds: Histogram<'kind'>

  constructor (registry: Registry) {
    const { calls, verdicts } = this
    registry.registerMetric(new Counter({
      name: 'hashmesh_lookups_total',
      help: 'Lookup calls answered, by kind (exact, pdq, batch, match upload); a batch counts once',
      labelNames: ['kind'] as const,
      registers: [],
      collect () {
        this.reset()
        LOOKUP_KINDS.forEach((kind, k) => { this.inc({ kind }, calls[k]) })
      }
    }))
    registry.registerMetric(new Counter({
      name: 'hashmesh_lookup_verdicts_total',
      help: 'Hashes answered (one per query of a batch, one per match upload), by kind and local verdict',
      labelNames: ['kind', 'verdict'] as const,
      registers: [],
      collect () {
        this.reset()
        LOOKUP_KINDS.forEach((kind, k) => LOOKUP_VERDICTS.forEach((verdict, v) => { this.inc({ kind, verdict }, verdicts[k * LOOKUP_VERDICTS.length + v]) }))
      }
    }))
    this.seconds = new Histogram({
      name: 'hashmesh_lookup_duration_seconds',
      help: 'Time to answer one lookup call, by kind; for match uploads it includes hashing the file',
      labelNames: ['kind'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry]
    })
    // Every series exists from the start, so rate() sees the first lookup.
    for (const labels of KIND_LABELS) this.seconds.zero(labels)
  }

  /** Runs one call of `kind` and records it. */
  async timed<A extends Answered | readonly Answered[]> (kind: LookupKind, call: () => Promise<A>): Promise<A> {
    const started = process.hrtime.bigint()
    const answers = await call()
    this.record(kind, started, answers)
    return answers
  }

  /** One call answered: its time since `startedNs` (process.hrtime.bigint()), and the verdict of its answer(s). */
  record (kind: LookupKind, startedNs: bigint, answers: Answered | readonly Answered[]): void {
    const k = KIND_INDEX[kind]
    this.seconds.observe(KIND_LABELS[k]!, Number(process.hrtime.bigint() - startedNs) / 1e9)
    this.calls[k]!++
    const base = k * LOOKUP_VERDICTS.length
    if (!isList(answers)) {
      this.verdicts[base + verdictIndex(answers)]!++
      return
    }
    for (const answer of answers) this.verdicts[base + verdictIndex(answer)]!++
  }
}

function isList (answers: Answered | readonly Answered[]): answers is readonly Answered[] {
  return Array.isArray(answers)
}
