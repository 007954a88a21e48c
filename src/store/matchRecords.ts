import { MAX_CONTENT_ID_CHARS } from './contentId.js'
import { Bucket } from './buckets.js'
import { StoreError } from './errors.js'
import { type KeyRange, prefixRange } from './keys.js'
import { bytesOfLength, corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'
import type { Codec } from './repository.js'

/**
 * The match log's three buckets (src/matches): records by id, an index by content id, and a small
 * summary per record for filters, stats and pruning. A match id is `m_` + 28 hex digits (the first
 * 12 the millisecond, the rest random), stored as its 14 bytes, so key order is time order.
 */

export const MATCH_ID_BYTES = 14
export const MATCH_ID_PATTERN = /^m_[0-9a-f]{28}$/
const MS_BYTES = 6

/** Summaries of stored hashes one record keeps: a PDQ may come near more, the nearest are what matter. */
export const MAX_MATCHED_PER_RECORD = 16
/** One HashSummary as JSON: a handful of publishers with their labels and organisations. */
export const MAX_MATCHED_JSON_BYTES = 16 * 1024
/** Labels of one record: every current add's labels over at most 16 hashes. */
export const MAX_RECORD_LABELS = 64
/** Actions one record keeps: a history, not a log of every click. */
export const MAX_ACTIONS_PER_RECORD = 32
export const MAX_ACTOR_CHARS = 128
export const MAX_APPEAL_NOTE_CHARS = 512
const MAX_LABEL_CHARS = 64
const MAX_REASON_CHARS = 32
const MAX_HASH_TYPE_CHARS = 16
const MAX_HASH_VALUE_CHARS = 128

const MatchRecordType = storeRecordType('MatchRecord')
const MatchSummaryRowType = storeRecordType('MatchSummaryRow')

export interface StoredMatchAction { action: number, actor: string, atMs: number }
export interface StoredAppeal { outcome: number, reason: string, note?: string, actor: string, atMs: number, opinionBatchId?: Uint8Array }

/** A match record as stored: numbers for enums and times; `matchedJson` is decoded by the match log. */
export interface StoredMatch {
  contentId: string
  source: number
  hashType: string
  hashValue: string
  matchedJson: string[]
  labels: string[]
  listedAtMs?: number
  atMs: number
  unlistedAtMs?: number
  actions: StoredMatchAction[]
  appeal?: StoredAppeal
}

export interface MatchSummaryRow {
  labels: string[]
  listedAtMs?: number
  firstActionAtMs?: number
  unlisted: boolean
  /** 0 none, 1 upheld, 2 rejected. */
  appeal: number
}

/** Stored enums: 0 is what an absent field decodes to, so it never names a value. */
export const SOURCE_CODES = 3
export const ACTION_CODES = 5
export const OUTCOME_CODES = 2

const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u

/** Counted in code points, as the faces' patterns count them. */
function codePoints (s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

function text (v: unknown, what: string, field: string, min: number, max: number): string {
  if (typeof v !== 'string' || !PRINTABLE.test(v)) throw corrupt(what, `${field} out of bounds`)
  const n = codePoints(v)
  if (n < min || n > max) throw corrupt(what, `${field} out of bounds`)
  return v
}

function code (v: unknown, what: string, field: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw corrupt(what, `${field} unknown`)
  return v
}

function optionalMs (v: unknown, what: string, field: string): number | undefined {
  const ms = safeInteger(v ?? 0, what, field)
  return ms === 0 ? undefined : ms
}

function labelsOf (v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length > MAX_RECORD_LABELS) throw corrupt(what, 'labels out of bounds')
  return v.map(l => text(l, what, 'label', 1, MAX_LABEL_CHARS))
}

/** 'm_' + hex → the 14 key bytes; StoreError BAD_RANGE for anything else. */
export function matchIdBytes (id: string): Uint8Array {
  if (!MATCH_ID_PATTERN.test(id)) throw new StoreError('BAD_RANGE', 'not a match id')
  return Uint8Array.from(Buffer.from(id.slice(2), 'hex'))
}

export function matchIdOf (bytes: Uint8Array): string {
  return `m_${Buffer.from(bytes).toString('hex')}`
}

/** The millisecond a match id starts with. */
export function matchIdMs (bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, MS_BYTES).readUIntBE(0, MS_BYTES)
}

/** The smallest id key at or after `ms`: where a since/until range starts or ends. */
export function matchIdAtMs (ms: number): Uint8Array {
  const id = new Uint8Array(MATCH_ID_BYTES)
  Buffer.from(id.buffer).writeUIntBE(Math.max(0, Math.min(ms, 2 ** 48 - 1)), 0, MS_BYTES)
  return id
}

function idKey (bucket: Bucket, id: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + MATCH_ID_BYTES)
  k[0] = bucket
  k.set(bytesOfLength(id, MATCH_ID_BYTES, 'match id', 'id'), 1)
  return k
}

function parseIdKey (bucket: Bucket, k: Uint8Array): Uint8Array {
  if (k[0] !== bucket || k.length !== 1 + MATCH_ID_BYTES) throw corrupt('match key', `malformed key of ${k.length} bytes`)
  return Uint8Array.from(k.subarray(1))
}

/** Keys of records with ids in [fromMs, toMs). */
export function matchTimeRange (bucket: Bucket.matchRecord | Bucket.matchSummary, fromMs: number, toMs: number): KeyRange {
  return { gte: idKey(bucket, matchIdAtMs(fromMs)), lt: idKey(bucket, matchIdAtMs(toMs)) }
}

/** Keys after `afterId` (exclusive) up to `toMs`: a page's range. */
export function matchRangeAfter (bucket: Bucket.matchRecord | Bucket.matchSummary, afterId: Uint8Array, toMs: number): KeyRange {
  const gte = idKey(bucket, afterId)
  const next = new Uint8Array(gte.length + 1)
  next.set(gte)
  return { gte: next, lt: idKey(bucket, matchIdAtMs(toMs)) }
}

export interface ContentKey { contentId: string, id: Uint8Array }

function contentKey ({ contentId, id }: ContentKey): Uint8Array {
  const name = Buffer.from(contentId, 'utf8')
  const k = new Uint8Array(1 + name.length + 1 + MATCH_ID_BYTES)
  k[0] = Bucket.matchByContent
  k.set(name, 1)
  k[1 + name.length] = 0
  k.set(bytesOfLength(id, MATCH_ID_BYTES, 'match id', 'id'), 2 + name.length)
  return k
}

function parseContentKey (k: Uint8Array): ContentKey {
  const sep = k.length - MATCH_ID_BYTES - 1
  if (k[0] !== Bucket.matchByContent || sep < 2 || k[sep] !== 0) throw corrupt('match content key', `malformed key of ${k.length} bytes`)
  return { contentId: Buffer.from(k.subarray(1, sep)).toString('utf8'), id: Uint8Array.from(k.subarray(sep + 1)) }
}

/** Every index key of one content id (the 0x00 separator never occurs in a content id). */
export function contentRange (contentId: string): KeyRange {
  const name = Buffer.from(contentId, 'utf8')
  const prefix = new Uint8Array(2 + name.length)
  prefix[0] = Bucket.matchByContent
  prefix.set(name, 1)
  return prefixRange(prefix)
}

function encodeStoredMatch (m: StoredMatch): Uint8Array {
  return encode(MatchRecordType, {
    contentId: m.contentId,
    source: m.source,
    hashType: m.hashType,
    hashValue: m.hashValue,
    matchedJson: m.matchedJson,
    labels: m.labels,
    listedAtMs: m.listedAtMs ?? 0,
    atMs: m.atMs,
    unlisted: m.unlistedAtMs !== undefined,
    unlistedAtMs: m.unlistedAtMs ?? 0,
    actions: m.actions,
    ...(m.appeal === undefined
      ? {}
      : { appeal: { ...m.appeal, note: m.appeal.note ?? '', opinionBatchId: m.appeal.opinionBatchId ?? new Uint8Array(0) } })
  })
}

function decodeAction (raw: unknown, what: string): StoredMatchAction {
  const a = (raw ?? {}) as Record<string, unknown>
  return {
    action: code(a.action, what, 'action', ACTION_CODES),
    actor: text(a.actor, what, 'actor', 1, MAX_ACTOR_CHARS),
    atMs: safeInteger(a.atMs, what, 'action at_ms')
  }
}

function decodeAppeal (raw: unknown, what: string): StoredAppeal | undefined {
  if (raw === undefined || raw === null) return undefined
  const a = raw as Record<string, unknown>
  const note = text(a.note ?? '', what, 'appeal note', 0, MAX_APPEAL_NOTE_CHARS)
  const hasBatch = a.opinionBatchId instanceof Uint8Array && a.opinionBatchId.length > 0
  const batch = hasBatch ? bytesOfLength(a.opinionBatchId, 32, what, 'opinion_batch_id') : undefined
  return {
    outcome: code(a.outcome, what, 'appeal outcome', OUTCOME_CODES),
    reason: text(a.reason, what, 'appeal reason', 1, MAX_REASON_CHARS),
    ...(note === '' ? {} : { note }),
    actor: text(a.actor, what, 'appeal actor', 1, MAX_ACTOR_CHARS),
    atMs: safeInteger(a.atMs, what, 'appeal at_ms'),
    ...(batch === undefined ? {} : { opinionBatchId: Uint8Array.from(batch) })
  }
}

function matchedJsonOf (v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_MATCHED_PER_RECORD) throw corrupt(what, 'matched out of bounds')
  return v.map(j => {
    if (typeof j !== 'string' || Buffer.byteLength(j) > MAX_MATCHED_JSON_BYTES) throw corrupt(what, 'a matched summary is too large')
    return j
  })
}

function decodeStoredMatch (bytes: Uint8Array): StoredMatch {
  const what = 'match record'
  const raw = decode(MatchRecordType, bytes, what)
  if (!Array.isArray(raw.actions) || raw.actions.length > MAX_ACTIONS_PER_RECORD) throw corrupt(what, 'actions out of bounds')
  const unlistedAtMs = optionalMs(raw.unlistedAtMs, what, 'unlisted_at_ms')
  if ((raw.unlisted === true) !== (unlistedAtMs !== undefined)) throw corrupt(what, 'unlisted without its time, or the reverse')
  const listedAtMs = optionalMs(raw.listedAtMs, what, 'listed_at_ms')
  const appeal = decodeAppeal(raw.appeal, what)
  return {
    contentId: text(raw.contentId, what, 'content_id', 1, MAX_CONTENT_ID_CHARS),
    source: code(raw.source, what, 'source', SOURCE_CODES),
    hashType: text(raw.hashType, what, 'hash_type', 1, MAX_HASH_TYPE_CHARS),
    hashValue: text(raw.hashValue, what, 'hash_value', 1, MAX_HASH_VALUE_CHARS),
    matchedJson: matchedJsonOf(raw.matchedJson, what),
    labels: labelsOf(raw.labels, what),
    ...(listedAtMs === undefined ? {} : { listedAtMs }),
    atMs: safeInteger(raw.atMs, what, 'at_ms'),
    ...(unlistedAtMs === undefined ? {} : { unlistedAtMs }),
    actions: raw.actions.map(a => decodeAction(a, what)),
    ...(appeal === undefined ? {} : { appeal })
  }
}

function encodeSummaryRow (s: MatchSummaryRow): Uint8Array {
  return encode(MatchSummaryRowType, {
    labels: s.labels, listedAtMs: s.listedAtMs ?? 0, firstActionAtMs: s.firstActionAtMs ?? 0, unlisted: s.unlisted, appeal: s.appeal
  })
}

function decodeSummaryRow (bytes: Uint8Array): MatchSummaryRow {
  const what = 'match summary'
  const raw = decode(MatchSummaryRowType, bytes, what)
  const listedAtMs = optionalMs(raw.listedAtMs, what, 'listed_at_ms')
  const firstActionAtMs = optionalMs(raw.firstActionAtMs, what, 'first_action_at_ms')
  const appeal = raw.appeal ?? 0
  if (appeal !== 0) code(appeal, what, 'appeal', OUTCOME_CODES)
  return {
    labels: labelsOf(raw.labels, what),
    ...(listedAtMs === undefined ? {} : { listedAtMs }),
    ...(firstActionAtMs === undefined ? {} : { firstActionAtMs }),
    unlisted: raw.unlisted === true,
    appeal: appeal as number
  }
}

/** What the summary bucket holds of a record. */
export function summaryRowOf (m: StoredMatch): MatchSummaryRow {
  const first = m.actions.reduce<number | undefined>((min, a) => min === undefined || a.atMs < min ? a.atMs : min, undefined)
  return {
    labels: m.labels,
    ...(m.listedAtMs === undefined ? {} : { listedAtMs: m.listedAtMs }),
    ...(first === undefined ? {} : { firstActionAtMs: first }),
    unlisted: m.unlistedAtMs !== undefined,
    appeal: m.appeal?.outcome ?? 0
  }
}

export const MATCH_RECORD_KEY: Codec<Uint8Array> = { encode: id => idKey(Bucket.matchRecord, id), decode: k => parseIdKey(Bucket.matchRecord, k) }
export const MATCH_SUMMARY_KEY: Codec<Uint8Array> = { encode: id => idKey(Bucket.matchSummary, id), decode: k => parseIdKey(Bucket.matchSummary, k) }
export const MATCH_CONTENT_KEY: Codec<ContentKey> = { encode: contentKey, decode: parseContentKey }
export const STORED_MATCH: Codec<StoredMatch> = { encode: encodeStoredMatch, decode: decodeStoredMatch }
export const MATCH_SUMMARY_ROW: Codec<MatchSummaryRow> = { encode: encodeSummaryRow, decode: decodeSummaryRow }
