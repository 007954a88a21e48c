import type { StandingView } from '../forum/standing.js'
import { MAX_MIH_DISTANCE } from '../index/pdqIndex.js'
import { parseSignalValue, toHex } from '../signals/hex.js'
import { SignalError, requireSignalType } from '../signals/registry.js'
import type { HashRow } from '../store/hashRows.js'
import type { EntryRecord, HashStore, TypedValue } from '../store/hashStore.js'
import { ACTION_NAMES } from '../wire/types.js'
import type { AllowlistView } from './allowlistView.js'
import { HashJudge, type VisibleRow } from './hashJudge.js'
import { DEFAULT_PDQ_MAX_DISTANCE, MAX_NEAR_MATCHES, MAX_PDQ_VARIANTS, MAX_SCANNING_PDQ_QUERIES } from './limits.js'
import { LookupError } from './lookupError.js'
import { checkMaxDistance } from './maxDistance.js'
import { type NearSearch, checkSearchBudget } from './searchBudget.js'
import { SearchTurns } from './searchTurns.js'
import type { LookupIndexes } from './lookupIndexes.js'
import type { LookupMatch, LookupResult, LookupSummary } from './lookupResult.js'
import type { MatchPolicyOptions } from './matchPolicy.js'

export interface LookupQuery {
  type: string
  value: string
  /** PDQ only: report stored hashes within this Hamming distance (default 31). */
  maxDistance?: number
  /** PDQ only: other forms of the same image (its dihedral variants), searched at once. */
  variants?: readonly string[]
}

/** Which publishers stand accused of equivocation; lookups flag their entries. */
export interface EquivocationView {
  isEquivocating: (publisherHex: string) => boolean
}

const NO_EQUIVOCATIONS: EquivocationView = { isEquivocating: () => false }

const PDQ = requireSignalType('pdq')

/**
 * Store reads in flight for one batch lookup. LevelDB reads run on libuv's thread pool: measured
 * here, 16 in flight answer hits ~4× faster than one at a time, and more adds little.
 */
const LOOKUP_CONCURRENCY = 16

interface ParsedQuery {
  type: ReturnType<typeof requireSignalType>
  value: Uint8Array
  near?: { maxDistance: number, variants: Uint8Array[] }
}

/** A stored hash that answers a query, and how near it is. */
interface Hit { value: Uint8Array, distance?: number, variant?: number }

/** How one visible row is listed among an answer's `matches`. */
type MatchOf<R extends HashRow> = (v: VisibleRow<R>, hit: Hit, valueHex: string) => LookupMatch

/** A query's hits, and whether more were near than one answer holds. */
interface Searched { hits: Hit[], truncated: boolean }

export interface LookupServiceComponents {
  store: HashStore
  indexes: LookupIndexes
  equivocations?: EquivocationView
  /** How each row stands under forum membership now; without it every row is trusted. */
  standing?: StandingView
  allowlist?: AllowlistView
  policy?: MatchPolicyOptions
}

/**
 * Answers "is this hash known, who said so, and does this node call it a match". The in-memory
 * indexes answer misses (the common case) without touching disk; each hit reads its hash's rows
 * from the store in one range scan. Membership, the allowlist and policy are then applied from
 * memory: rows that do not stand now (forum/standing.ts) are dropped before anything is counted,
 * and each stored hash found gets a summary and a verdict.
 *
 * PDQ is matched by distance: every listed stored hash near the query, and the query's own history.
 * The PDQ index lists by the raw store rule (any add), so a near hash whose only adds are hidden
 * is still found; its rows are all dropped here and it is reported as nothing.
 */
export class LookupService {
  private readonly store: HashStore
  private readonly indexes: LookupIndexes
  private readonly equivocations: EquivocationView
  private readonly judge: HashJudge
  private readonly turns = new SearchTurns()

  constructor (components: LookupServiceComponents) {
    this.store = components.store
    this.indexes = components.indexes
    this.equivocations = components.equivocations ?? NO_EQUIVOCATIONS
    this.judge = new HashJudge(components)
  }

  async lookup (type: string, value: string, options: Omit<LookupQuery, 'type' | 'value'> = {}): Promise<LookupResult> {
    const q = parseQuery({ type, value, ...options })
    checkSearchBudget([nearSearch(q)], this.indexes.pdq)
    return (await this.answer([q], true))[0] as LookupResult
  }

  /** Each query answered with every visible entry's full row in `matches`: one range read per hash found. */
  async lookupMany (queries: readonly LookupQuery[]): Promise<LookupResult[]> {
    return await this.answer(this.parseAll(queries), true) as LookupResult[]
  }

  /**
   * Each query answered with its summaries only, read from one HashRows record per hash found (one
   * getMany for them all): the path for checking uploads, where who listed it matters, not which batch.
   */
  async summarise (queries: readonly LookupQuery[]): Promise<LookupSummary[]> {
    return await this.answer(this.parseAll(queries), false)
  }

  /** Validates every query before answering any, so a bad one fails the request as a whole. */
  private parseAll (queries: readonly LookupQuery[]): ParsedQuery[] {
    const parsed = queries.map((q, i) => {
      try {
        return parseQuery(q)
      } catch (err) {
        if (err instanceof SignalError) throw new SignalError(err.code, `queries[${i}]: ${err.message}`)
        if (err instanceof LookupError) throw new LookupError(err.code, `queries[${i}]: ${err.message}`)
        throw err
      }
    })
    const scans = parsed.filter(q => (q.near?.maxDistance ?? 0) > MAX_MIH_DISTANCE).length
    if (scans > MAX_SCANNING_PDQ_QUERIES) {
      throw new LookupError('TOO_MANY_SCANS',
        `${scans} pdq queries have maxDistance over ${MAX_MIH_DISTANCE}, each a scan of every stored hash; at most ${MAX_SCANNING_PDQ_QUERIES} per request`)
    }
    checkSearchBudget(parsed.map(nearSearch), this.indexes.pdq)
    return parsed
  }

  private async answer (queries: readonly ParsedQuery[], withMatches: boolean): Promise<Array<LookupSummary & Partial<LookupResult>>> {
    const searched: Searched[] = []
    for (const q of queries) searched.push(await this.search(q))
    const found = searched.flatMap(({ hits }, i) => hits.map(hit => ({ signalTypeCode: queries[i]!.type.code, value: hit.value })))
    if (!withMatches) return this.results(queries, searched, await this.summaryRows(found))
    const toMatch = (v: VisibleRow<EntryRecord>, hit: Hit, valueHex: string): LookupMatch => this.toMatch(v, hit, valueHex)
    return this.results(queries, searched, await this.entryRows(found), toMatch)
  }

  /** `rows` holds each hit's rows, all queries' hits in order; with `toMatch`, entries are listed too. */
  private results<R extends HashRow> (
    queries: readonly ParsedQuery[], searched: readonly Searched[], rows: R[][], toMatch?: MatchOf<R>
  ): Array<LookupSummary & Partial<LookupResult>> {
    let next = 0
    return searched.map((s, i) => this.result(queries[i]!, s, rows.slice(next, next += s.hits.length), toMatch))
  }

  /**
   * The stored hashes that answer `q`, at most MAX_NEAR_MATCHES. A near search is CPU work on this
   * thread: between two, gossip and other requests get a turn.
   */
  private async search (q: ParsedQuery): Promise<Searched> {
    const near = q.near
    if (near === undefined) return { hits: this.exactHits(q), truncated: false }
    const hits = await this.turns.run(() => this.nearHits(q.value, near))
    const truncated = hits.length > MAX_NEAR_MATCHES
    hits.length = Math.min(hits.length, MAX_NEAR_MATCHES)
    return { hits, truncated }
  }

  private async entryRows (found: readonly TypedValue[]): Promise<EntryRecord[][]> {
    return await inParallel(found, async h => await this.store.entriesFor(h.signalTypeCode, h.value))
  }

  /** Summary rows from HashRows; a hash whose record overflowed (or is missing) is read from the index. */
  private async summaryRows (found: readonly TypedValue[]): Promise<HashRow[][]> {
    const records = await this.store.hashRowsFor(found)
    const rows: HashRow[][] = records.map(r => r === undefined || r.overflow ? [] : r.rows)
    const unsummarised = records.flatMap((r, i) => r === undefined || r.overflow ? [i] : [])
    const read = await this.entryRows(unsummarised.map(i => found[i]!))
    unsummarised.forEach((i, j) => { rows[i] = read[j]! })
    return rows
  }

  private result<R extends HashRow> (
    q: ParsedQuery, { hits, truncated }: Searched, rowsPerHit: ReadonlyArray<readonly R[]>, toMatch?: MatchOf<R>
  ): LookupSummary & Partial<LookupResult> {
    const type = q.type.name
    const value = toHex(q.value)
    const result: LookupSummary & Partial<LookupResult> = toMatch !== undefined
      ? { type, value, listed: false, matches: [], match: false, hashes: [] }
      : { type, value, listed: false, match: false, hashes: [] }
    if (q.near !== undefined) {
      result.maxDistance = q.near.maxDistance
      result.truncated = truncated
    }
    rowsPerHit.forEach((rows, i) => {
      const hit = hits[i]!
      const visible = this.judge.visibleRows(rows)
      if (visible.length === 0) return
      const valueHex = toHex(hit.value)
      const summary = this.judge.summary(q.type.code, hit.value, visible, hit.distance)
      result.listed ||= summary.listed
      result.match ||= summary.match
      result.hashes.push(summary)
      if (toMatch !== undefined) result.matches?.push(...visible.map(v => toMatch(v, hit, valueHex)))
    })
    return result
  }

  private exactHits (q: ParsedQuery): Hit[] {
    return this.indexes.exact.has(q.type.code, q.value) ? [{ value: q.value }] : []
  }

  /**
   * One more than fits, to tell whether the answer is truncated. The PDQ index holds listed hashes
   * only; the query's own value is added when the store knows it otherwise (all retracted), so an
   * exact PDQ lookup still shows the history.
   */
  private nearHits (value: Uint8Array, near: NonNullable<ParsedQuery['near']>): Hit[] {
    const { pdq, exact } = this.indexes
    const limit = MAX_NEAR_MATCHES + 1
    const hits: Hit[] = near.variants.length === 0
      ? pdq.search(value, near.maxDistance, limit)
      : pdq.searchMany([value, ...near.variants], near.maxDistance, limit).map(m => ({ value: m.value, distance: m.distance, variant: m.query }))
    const self = hits.some(h => h.distance === 0 && Buffer.compare(h.value, value) === 0)
    if (!self && exact.has(PDQ.code, value)) hits.unshift({ value, distance: 0, ...(near.variants.length > 0 ? { variant: 0 } : {}) })
    return hits
  }

  /** A hit with a distance (a PDQ one) also says which stored hash it is and how near. */
  private toMatch ({ row: r, publisher, standing, current }: VisibleRow<EntryRecord>, hit: Hit, valueHex: string): LookupMatch {
    const match: LookupMatch = {
      publisher,
      labels: r.labels,
      batchId: toHex(r.batchId),
      seq: r.seq,
      action: ACTION_NAMES[r.action],
      receivedAt: new Date(r.receivedAtMs).toISOString(),
      createdAt: new Date(r.createdAtMs).toISOString(),
      current,
      publisherEquivocating: this.equivocations.isEquivocating(publisher),
      standing: standing.status
    }
    if (standing.organisation !== undefined) match.organisation = standing.organisation
    if (r.reason !== undefined) match.reason = r.reason
    if (hit.distance === undefined) return match
    return { ...match, value: valueHex, distance: hit.distance, ...(hit.variant === undefined ? {} : { variant: hit.variant }) }
  }
}

function parseQuery (q: LookupQuery): ParsedQuery {
  const { type, value } = parseSignalValue(q.type, q.value)
  if (type.code !== PDQ.code) {
    if (q.maxDistance !== undefined || q.variants !== undefined) {
      throw new LookupError('NOT_PERCEPTUAL', `${type.name} is matched exactly; maxDistance and variants apply to pdq`)
    }
    return { type, value }
  }
  const maxDistance = q.maxDistance ?? DEFAULT_PDQ_MAX_DISTANCE
  checkMaxDistance(maxDistance)
  const variants = q.variants ?? []
  if (variants.length > MAX_PDQ_VARIANTS) {
    throw new LookupError('TOO_MANY_VARIANTS', `at most ${MAX_PDQ_VARIANTS} variants (the other dihedral forms of one image)`)
  }
  return { type, value, near: { maxDistance, variants: variants.map((v, i) => parseVariant(v, i)) } }
}

function nearSearch (q: ParsedQuery): NearSearch | undefined {
  return q.near === undefined ? undefined : { maxDistance: q.near.maxDistance, searches: 1 + q.near.variants.length }
}

function parseVariant (hex: string, i: number): Uint8Array {
  try {
    return parseSignalValue(PDQ.name, hex).value
  } catch (err) {
    if (err instanceof SignalError) throw new SignalError(err.code, `variants[${i}]: ${err.message}`)
    throw err
  }
}

/** Maps with at most LOOKUP_CONCURRENCY calls in flight, results in input order. */
async function inParallel<T, R> (items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, items.length) }, worker))
  return results
}
