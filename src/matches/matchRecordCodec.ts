import { z } from 'zod'
import type { HashSummary } from '../lookup/lookupResult.js'
import { StoreError } from '../store/errors.js'
import {
  MAX_MATCHED_JSON_BYTES, MAX_MATCHED_PER_RECORD, MAX_RECORD_LABELS, type StoredAppeal, type StoredMatch, matchIdOf
} from '../store/matchRecords.js'
import { MATCH_ACTIONS, type AppealOutcome, type MatchAction, type MatchRecord, type MatchSource } from './matchRecord.js'

/**
 * A match record between its stored form (numbers, milliseconds, summaries as JSON text) and the
 * JSON shape the faces and the evidence bundle see. A stored summary is checked against the
 * HashSummary shape on the way out, so a damaged record is reported, never passed on.
 */

const SOURCES: readonly MatchSource[] = ['retroactive', 'match', 'lookup']
const OUTCOMES: ReadonlyArray<AppealOutcome['outcome']> = ['upheld', 'rejected']

/** Publishers one summary keeps in each list: the verdict rests on counts, the names are for people. */
const MAX_REFS_PER_SUMMARY = 32
const MAX_REASONS_PER_SUMMARY = 16

const shortText = z.string().max(256)
const tally = z.strictObject({ count: z.number().int().min(0), organisations: z.array(shortText).max(1024), publishers: z.number().int().min(0) })
const ref = { publisher: z.string().regex(/^[0-9a-f]{64}$/), organisation: shortText.optional() }
const hashSummarySchema = z.strictObject({
  value: z.string().regex(/^[0-9a-f]{1,128}$/),
  distance: z.number().int().min(0).max(256).optional(),
  listed: z.boolean(),
  addedBy: z.array(z.strictObject({ ...ref, labels: z.array(z.string().max(64)).max(16) })).max(MAX_REFS_PER_SUMMARY),
  retractedBy: z.array(z.strictObject(ref)).max(MAX_REFS_PER_SUMMARY),
  opinions: z.strictObject({ confirm: tally, falsePositive: tally, dispute: tally }),
  disputed: z.boolean(),
  allowlisted: z.strictObject({ note: z.string().max(512), author: z.string().max(128), addedAt: z.string().max(40) }).optional(),
  match: z.boolean(),
  reasons: z.array(z.string().max(1024)).max(MAX_REASONS_PER_SUMMARY)
})

export function sourceCode (s: MatchSource): number {
  return SOURCES.indexOf(s) + 1
}

export function actionCode (a: MatchAction): number {
  return MATCH_ACTIONS.indexOf(a) + 1
}

export function outcomeCode (o: AppealOutcome['outcome']): number {
  return OUTCOMES.indexOf(o) + 1
}

export function outcomeOf (code: number): AppealOutcome['outcome'] {
  return OUTCOMES[code - 1] ?? 'rejected'
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}

/** Lists cut to what a record keeps, halved further while the JSON is still over its bound. */
export function boundedSummaryJson (s: HashSummary): string {
  let keep = MAX_REFS_PER_SUMMARY
  for (;;) {
    const trimmed: HashSummary = {
      ...s,
      addedBy: s.addedBy.slice(0, keep),
      retractedBy: s.retractedBy.slice(0, keep),
      reasons: s.reasons.slice(0, MAX_REASONS_PER_SUMMARY)
    }
    const json = JSON.stringify(trimmed)
    if (Buffer.byteLength(json) <= MAX_MATCHED_JSON_BYTES || keep === 0) return json
    keep = Math.floor(keep / 2)
  }
}

/** The summaries a record keeps: the listed ones first (the ones that matter), nearest first, at most 16. */
export function boundedMatched (matched: readonly HashSummary[]): HashSummary[] {
  return [...matched]
    .sort((a, b) => Number(b.match) - Number(a.match) || (a.distance ?? 0) - (b.distance ?? 0))
    .slice(0, MAX_MATCHED_PER_RECORD)
}

/** Labels of every current add of the listed matched hashes, sorted, distinct. */
export function labelsOf (matched: readonly HashSummary[]): string[] {
  const labels = new Set<string>()
  for (const s of matched) for (const a of s.addedBy) for (const l of a.labels) labels.add(l)
  return [...labels].sort().slice(0, MAX_RECORD_LABELS)
}

function parseSummary (json: string): HashSummary {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (err) {
    throw new StoreError('CORRUPT_RECORD', 'match record: a matched summary is not JSON', { cause: err })
  }
  const parsed = hashSummarySchema.safeParse(raw)
  if (!parsed.success) throw new StoreError('CORRUPT_RECORD', 'match record: a matched summary is not a hash summary')
  return parsed.data
}

function appealOf (a: StoredAppeal): AppealOutcome {
  return {
    outcome: outcomeOf(a.outcome),
    reason: a.reason,
    ...(a.note === undefined ? {} : { note: a.note }),
    actor: a.actor,
    at: iso(a.atMs),
    ...(a.opinionBatchId === undefined ? {} : { opinionBatchId: Buffer.from(a.opinionBatchId).toString('hex') })
  }
}

/** The JSON shape of a stored record; `unlistedAt` is this log's addition to the contract's fields. */
export function recordOf (id: Uint8Array, m: StoredMatch): MatchRecord & { unlistedAt?: string } {
  return {
    id: matchIdOf(id),
    contentId: m.contentId,
    source: SOURCES[m.source - 1] ?? 'lookup',
    hash: { type: m.hashType, value: m.hashValue },
    matched: m.matchedJson.map(parseSummary),
    labels: m.labels,
    ...(m.listedAtMs === undefined ? {} : { listedAt: iso(m.listedAtMs) }),
    at: iso(m.atMs),
    listing: m.unlistedAtMs === undefined ? 'listed' : 'unlisted',
    ...(m.unlistedAtMs === undefined ? {} : { unlistedAt: iso(m.unlistedAtMs) }),
    actions: m.actions.map(a => ({ action: MATCH_ACTIONS[a.action - 1] ?? 'kept', actor: a.actor, at: iso(a.atMs) })),
    ...(m.appeal === undefined ? {} : { appeal: appealOf(m.appeal) })
  }
}
