import { Counter, Histogram, type Registry } from 'prom-client'

/** What a client asked: one exact or PDQ hash, a batch of them, or an uploaded file the node hashed. */
export const LOOKUP_KINDS = ['exact', 'pdq', 'batch', 'match'] as const
export type LookupKind = typeof LOOKUP_KINDS[number]

/** Each answered hash (or upload), by local verdict. */
export const LOOKUP_VERDICTS = ['match', 'listed_no_match', 'not_listed'] as const
export type LookupVerdict = typeof LOOKUP_VERDICTS[number]

/** What the verdict is read from: a LookupResult or a MatchResult. */
export interface Answered { listed: boolean, match: boolean }

/** From exact hits (well under a millisecond) to an upload hashed and matched (seconds). */
const SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Label objects made once: the hot path passes these rather than building one per call. */
const KIND_LABELS = Object.fromEntries(LOOKUP_KINDS.map(kind => [kind, { kind }])) as Record<LookupKind, { kind: LookupKind }>
const VERDICT_LABELS = Object.fromEntries(LOOKUP_KINDS.map(kind => [kind, Object.fromEntries(LOOKUP_VERDICTS.map(verdict => [verdict, { kind, verdict }]))])) as
  Record<LookupKind, Record<LookupVerdict, { kind: LookupKind, verdict: LookupVerdict }>>

export function verdictOf (answer: Answered): LookupVerdict {
  if (answer.match) return 'match'
  return answer.listed ? 'listed_no_match' : 'not_listed'
}

/** Lookups and match uploads the node answered, by kind and verdict, and how long each took. */
export class LookupMetrics {
  private readonly calls: Counter<'kind'>
  private readonly verdicts: Counter<'kind' | 'verdict'>
  private readonly seconds: Histogram<'kind'>

  constructor (registry: Registry) {
    this.calls = new Counter({
      name: 'hashmesh_lookups_total',
      help: 'Lookup calls answered, by kind (exact, pdq, batch, match upload); a batch counts once',
      labelNames: ['kind'] as const,
      registers: [registry]
    })
    this.verdicts = new Counter({
      name: 'hashmesh_lookup_verdicts_total',
      help: 'Hashes answered (one per query of a batch, one per match upload), by kind and local verdict',
      labelNames: ['kind', 'verdict'] as const,
      registers: [registry]
    })
    this.seconds = new Histogram({
      name: 'hashmesh_lookup_duration_seconds',
      help: 'Time to answer one lookup call, by kind; for match uploads it includes hashing the file',
      labelNames: ['kind'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry]
    })
    // Every series exists from the start at zero, so rate() sees the first lookup.
    for (const kind of LOOKUP_KINDS) {
      this.calls.inc(KIND_LABELS[kind], 0)
      this.seconds.zero(KIND_LABELS[kind])
      for (const verdict of LOOKUP_VERDICTS) this.verdicts.inc(VERDICT_LABELS[kind][verdict], 0)
    }
  }

  /** One call answered: its time since `startedNs` (process.hrtime.bigint()), and the verdict of its answer(s). */
  record (kind: LookupKind, startedNs: bigint, answers: Answered | readonly Answered[]): void {
    this.seconds.observe(KIND_LABELS[kind], Number(process.hrtime.bigint() - startedNs) / 1e9)
    this.calls.inc(KIND_LABELS[kind])
    if (!isList(answers)) {
      this.verdicts.inc(VERDICT_LABELS[kind][verdictOf(answers)])
      return
    }
    for (const answer of answers) this.verdicts.inc(VERDICT_LABELS[kind][verdictOf(answer)])
  }
}

function isList (answers: Answered | readonly Answered[]): answers is readonly Answered[] {
  return Array.isArray(answers)
}
