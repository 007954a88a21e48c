import type { EventRecorder } from '../events/eventRecorder.js'
import type { AuditAppender, AuditEntryInput } from '../store/auditEntry.js'
import { Bucket } from '../store/buckets.js'
import type { HashStore, StoreOp } from '../store/hashStore.js'
import {
  MATCH_ID_PATTERN, MAX_ACTIONS_PER_RECORD, type StoredAppeal, type StoredMatch,
  contentRange, matchIdBytes, matchIdMs, matchRangeAfter, matchTimeRange, summaryRowOf
} from '../store/matchRecords.js'
import type { HashmeshEvent } from '../events/hashmeshEvent.js'
import { MatchLogError } from './matchError.js'
import { checkAction, checkActionTime, checkActor, checkContentId, parseInstant } from './matchInput.js'
import { type MatchFilter, MAX_SCANNED_PER_PAGE, type MatchTimeRange, matchesStatus } from './matchQuery.js'
import {
  type MatchLogView, type MatchRecord, type MatchRecordInput, type MatchRecorder, newMatchId
} from './matchRecord.js'
import { actionCode, boundedMatched, boundedSummaryJson, labelsOf, recordOf, sourceCode } from './matchRecordCodec.js'
import { MatchStatsAccumulator, type MatchStats } from './matchStats.js'

export interface MatchLogOptions {
  /** A match not acted on within this is overdue (matches.actionDeadlineHours). */
  actionDeadlineMs: number
  /** Records older than this are pruned (matches.retentionDays). */
  retentionMs: number
}

export const defaultMatchLogOptions: MatchLogOptions = { actionDeadlineMs: 24 * 3_600_000, retentionMs: 365 * 24 * 3_600_000 }

export interface MatchLogComponents {
  store: HashStore
  /** Every action reported is audited, in the same write as the record. */
  audit?: AuditAppender
  now?: () => number
}

export interface MatchActionInput { action: string, actor: string, at?: string }

/** Summary rows (or records) per native call and per write while scanning or pruning. */
const SCAN_CHUNK = 1000
const PRUNE_CHUNK = 500

/** Lets other work run between chunks of a long scan, so one request never holds the event loop. */
async function yieldToLoop (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

/**
 * The match log: every match recorded (retroactive, from an upload, from a lookup that names its
 * content), what the platform did about it, and the appeal's outcome. Three buckets (store/
 * matchRecords.ts): records by time-ordered id, an index by content id, and a small summary per
 * record that filters, stats and pruning scan. Every read-modify-write runs inside the store's
 * write queue, so two updates of one record never lose one another.
 */
export class MatchLog implements MatchRecorder, MatchLogView {
  private readonly store: HashStore
  private readonly audit: AuditAppender | undefined
  readonly options: MatchLogOptions
  private readonly now: () => number

  constructor (components: MatchLogComponents, options: Partial<MatchLogOptions> = {}) {
    this.store = components.store
    this.audit = components.audit
    this.now = components.now ?? Date.now
    this.options = { ...defaultMatchLogOptions, ...options }
  }

  private get repos (): HashStore['repositories'] {
    return this.store.repositories
  }

  /** Writes for the caller's atomic batch; runs inside the store's write queue (see MatchRecorder). */
  async recordOps (input: MatchRecordInput): Promise<{ record: MatchRecord, ops: StoreOp[] }> {
    const stored = storedOf(input)
    const id = matchIdBytes(newMatchId(input.atMs))
    return { record: recordOf(id, stored), ops: this.writeOps(id, stored, true) }
  }

  /** Marks the record unlisted (once: a second call leaves the first time). Nothing for an unknown id. */
  async unlistedOps (matchId: string, atMs: number): Promise<StoreOp[]> {
    if (!MATCH_ID_PATTERN.test(matchId)) return []
    const id = matchIdBytes(matchId)
    const stored = await this.repos.matchRecord.get(id)
    if (stored === undefined || stored.unlistedAtMs !== undefined) return []
    return this.writeOps(id, { ...stored, unlistedAtMs: Math.max(atMs, stored.atMs) }, false)
  }

  /** Records a match on its own: the upload and lookup paths, which change no other state. */
  async record (input: MatchRecordInput): Promise<MatchRecord> {
    return (await this.recordAll([input]))[0]!
  }

  /** Several records in one write: a request that matched many contents takes one turn of the write queue, not one each. */
  async recordAll (inputs: readonly MatchRecordInput[]): Promise<MatchRecord[]> {
    const records: MatchRecord[] = []
    await this.store.writeAtomically(async () => {
      const ops = []
      for (const input of inputs) {
        const built = await this.recordOps(input)
        records.push(built.record)
        ops.push(...built.ops)
      }
      return ops
    })
    return records
  }

  async get (id: string): Promise<MatchRecord | undefined> {
    if (!MATCH_ID_PATTERN.test(id)) return undefined
    const bytes = matchIdBytes(id)
    const stored = await this.repos.matchRecord.get(bytes)
    return stored === undefined ? undefined : recordOf(bytes, stored)
  }

  async latestFor (contentId: string): Promise<MatchRecord | undefined> {
    const id = await this.latestIdFor(contentId)
    return id === undefined ? undefined : await this.get(id)
  }

  /** The newest match id recorded for the content, from the content index. */
  async latestIdFor (contentId: string): Promise<string | undefined> {
    checkContentId(contentId)
    const index = this.repos.matchByContent
    for await (const keys of index.keysBinary({ range: contentRange(contentId), reverse: true, limit: 1 })) {
      const key = keys[0]
      if (key !== undefined) return `m_${Buffer.from(index.decodeKey(key).id).toString('hex')}`
    }
    return undefined
  }

  /**
   * Adds an action to the record's history, audited under `auditActor` (who called the API) in
   * the same write. `actor` is who acted on the platform, `at` when (default now).
   */
  async act (matchId: string, input: MatchActionInput, auditActor: string): Promise<MatchRecord> {
    const action = checkAction(input.action)
    const actor = checkActor(input.actor)
    const nowMs = this.now()
    const requestedMs = input.at === undefined ? undefined : parseInstant(input.at, 'at')
    const id = this.requireId(matchId)
    let record: MatchRecord | undefined
    await this.store.writeAtomically(async () => {
      const stored = await this.requireStored(id, matchId)
      if (stored.actions.length >= MAX_ACTIONS_PER_RECORD) {
        throw new MatchLogError('TOO_MANY_ACTIONS', `match ${matchId} holds ${MAX_ACTIONS_PER_RECORD} actions, the most one record keeps`)
      }
      const atMs = checkActionTime(requestedMs ?? Math.max(nowMs, stored.atMs), stored.atMs, nowMs)
      const next: StoredMatch = { ...stored, actions: [...stored.actions, { action: actionCode(action), actor, atMs }] }
      record = recordOf(id, next)
      const details = { matchId, contentId: stored.contentId, action, actor, at: new Date(atMs).toISOString() }
      return [...this.writeOps(id, next, false), ...await this.auditOps([{ actor: auditActor, action: 'match.action', details }])]
    })
    return record as MatchRecord
  }

  /**
   * The writes that put an appeal's outcome on a record, with its event, and the audit record that
   * goes with them: for the caller's atomic write, inside the store's write queue. Nothing when the
   * record carries an outcome already.
   */
  async appealOps (
    matchId: string, appeal: StoredAppeal, extra: { events: EventRecorder, event: (record: MatchRecord) => HashmeshEvent, audit: Record<string, unknown> }
  ): Promise<{ record: MatchRecord, ops: StoreOp[], audit: AuditEntryInput } | undefined> {
    const id = this.requireId(matchId)
    const stored = await this.requireStored(id, matchId)
    if (stored.appeal !== undefined) return undefined
    const next: StoredMatch = { ...stored, appeal }
    const record = recordOf(id, next)
    const ops = [...this.writeOps(id, next, false), ...await extra.events.opsFor([extra.event(record)])]
    return { record, ops, audit: { actor: appeal.actor, action: 'appeal', details: extra.audit } }
  }

  /** The audit records of a write that has no other audited act. */
  async auditOps (entries: readonly AuditEntryInput[]): Promise<StoreOp[]> {
    if (this.audit === undefined || entries.length === 0) return []
    return this.audit.opsForAll === undefined ? await this.audit.opsFor(entries[0]!) : await this.audit.opsForAll(entries)
  }

  /** One page of records in time order, oldest first; `next` continues it (also after a scan bound). */
  async list (filter: MatchFilter): Promise<{ matches: MatchRecord[], next?: string }> {
    const nowMs = this.now()
    const summaries = this.repos.matchSummary
    const range = filter.after === undefined
      ? matchTimeRange(Bucket.matchSummary, filter.fromMs, filter.toMs)
      : matchRangeAfter(Bucket.matchSummary, matchIdBytes(filter.after), filter.toMs)
    const ids: Uint8Array[] = []
    let scanned = 0
    let last: Uint8Array | undefined
    // Unfiltered, a page is its first rows; filtered, it may take many, read a full chunk at a time.
    const chunk = filter.status === undefined && filter.label === undefined ? Math.min(SCAN_CHUNK, filter.limit) : SCAN_CHUNK
    for await (const rows of summaries.entriesBinary({ range, chunk })) {
      for (const [k, v] of rows) {
        const id = summaries.decodeKey(k)
        last = id
        scanned++
        const row = summaries.decodeValue(v)
        if (this.passes(filter, id, row, nowMs)) ids.push(id)
        if (ids.length === filter.limit || scanned >= MAX_SCANNED_PER_PAGE) return await this.page(ids, last)
      }
    }
    return await this.page(ids, undefined)
  }

  private passes (filter: MatchFilter, id: Uint8Array, row: ReturnType<typeof summaryRowOf>, nowMs: number): boolean {
    if (filter.label !== undefined && !row.labels.includes(filter.label)) return false
    return matchesStatus(row, matchIdMs(id), filter.status, this.options.actionDeadlineMs, nowMs)
  }

  private async page (ids: Uint8Array[], last: Uint8Array | undefined): Promise<{ matches: MatchRecord[], next?: string }> {
    const stored = await this.repos.matchRecord.getMany(ids)
    const matches = stored.flatMap((s, i) => s === undefined ? [] : [recordOf(ids[i]!, s)])
    return last === undefined ? { matches } : { matches, next: `m_${Buffer.from(last).toString('hex')}` }
  }

  /** Every record of the range, a chunk at a time, for a streamed export. */
  async * records (range: MatchTimeRange): AsyncGenerator<MatchRecord[]> {
    const repo = this.repos.matchRecord
    for await (const rows of repo.entriesBinary({ range: matchTimeRange(Bucket.matchRecord, range.fromMs, range.toMs), chunk: SCAN_CHUNK })) {
      yield rows.map(([k, v]) => recordOf(repo.decodeKey(k), repo.decodeValue(v)))
    }
  }

  /**
   * Counts, percentiles and overdue matches over the range, read from the summary rows a chunk at
   * a time with a turn of the event loop between chunks: memory stays constant and other requests
   * keep being answered, however many records the range holds.
   */
  async stats (range: MatchTimeRange, labels: { since?: string, until?: string } = {}): Promise<MatchStats> {
    const acc = new MatchStatsAccumulator(this.options.actionDeadlineMs, this.now())
    const summaries = this.repos.matchSummary
    for await (const rows of summaries.entriesBinary({ range: matchTimeRange(Bucket.matchSummary, range.fromMs, range.toMs), chunk: SCAN_CHUNK })) {
      for (const [k, v] of rows) acc.add(matchIdMs(summaries.decodeKey(k)), summaries.decodeValue(v))
      await yieldToLoop()
    }
    return acc.result(labels)
  }

  /**
   * Deletes records matched before now minus the retention, with their index keys, PRUNE_CHUNK per
   * atomic write and a turn of the event loop between writes. Returns how many went.
   */
  async prune (): Promise<number> {
    const cutoff = this.now() - this.options.retentionMs
    if (cutoff <= 0) return 0
    let pruned = 0
    for (;;) {
      const removed = await this.pruneChunk(cutoff)
      pruned += removed
      if (removed === 0) return pruned
      await yieldToLoop()
    }
  }

  private async pruneChunk (cutoffMs: number): Promise<number> {
    let removed = 0
    await this.store.writeAtomically(async () => {
      const repo = this.repos.matchRecord
      const rows: Array<[Uint8Array, Uint8Array]> = []
      const range = matchTimeRange(Bucket.matchRecord, 0, cutoffMs)
      for await (const chunk of repo.entriesBinary({ range, limit: PRUNE_CHUNK, chunk: PRUNE_CHUNK })) rows.push(...chunk)
      removed = rows.length
      return rows.flatMap(([k, v]) => {
        const id = repo.decodeKey(k)
        const { contentId } = repo.decodeValue(v)
        return [repo.delOp(id), this.repos.matchSummary.delOp(id), this.repos.matchByContent.delOp({ contentId, id })]
      })
    })
    return removed
  }

  private requireId (matchId: string): Uint8Array {
    if (!MATCH_ID_PATTERN.test(matchId)) throw new MatchLogError('NO_SUCH_MATCH', 'not a match id (m_ and 28 hex digits)')
    return matchIdBytes(matchId)
  }

  private async requireStored (id: Uint8Array, matchId: string): Promise<StoredMatch> {
    const stored = await this.repos.matchRecord.get(id)
    if (stored === undefined) throw new MatchLogError('NO_SUCH_MATCH', `no match ${matchId}`)
    return stored
  }

  private writeOps (id: Uint8Array, stored: StoredMatch, isNew: boolean): StoreOp[] {
    const r = this.repos
    return [
      r.matchRecord.putOp(id, stored),
      r.matchSummary.putOp(id, summaryRowOf(stored)),
      ...(isNew ? [r.matchByContent.putOp({ contentId: stored.contentId, id }, true)] : [])
    ]
  }
}

/** What a caller hands the log, checked and bounded as stored. */
function storedOf (input: MatchRecordInput): StoredMatch {
  checkContentId(input.contentId)
  if (input.matched.length === 0) throw new MatchLogError('BAD_MATCH_INPUT', 'a match record needs at least one matched hash')
  if (!Number.isSafeInteger(input.atMs) || input.atMs < 0) throw new MatchLogError('BAD_MATCH_INPUT', 'atMs out of range')
  const matched = boundedMatched(input.matched)
  const listedAtMs = input.listedAtMs
  return {
    contentId: input.contentId,
    source: sourceCode(input.source),
    hashType: input.hash.type.slice(0, 16),
    hashValue: input.hash.value.toLowerCase().slice(0, 128),
    matchedJson: matched.map(boundedSummaryJson),
    labels: labelsOf(matched),
    ...(listedAtMs === undefined || !Number.isSafeInteger(listedAtMs) || listedAtMs <= 0 ? {} : { listedAtMs }),
    atMs: input.atMs,
    actions: []
  }
}
