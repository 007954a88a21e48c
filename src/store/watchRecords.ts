import { signalTypeByCode } from '../signals/registry.js'
import { Bucket } from './buckets.js'
import { type KeyRange, type TypedValue, bucketKey, prefixRange, requireTypedValue } from './keys.js'
import { bytesOfLength, corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'
import type { Codec } from './repository.js'
import { CONTENT_ID_PATTERN } from './contentId.js'

export { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from './contentId.js'

/** md5, sha1, sha256 and pdq: at most one of each. */
export const MAX_WATCH_HASHES = 4

export interface WatchItemValue {
  /** Sorted by type code, one per type. */
  hashes: TypedValue[]
  addedAtMs: number
}

export interface WatchHashKey extends TypedValue { contentId: string }

export interface WatchMatchedHash extends TypedValue {
  distance: number
  matchId: string
}

export interface WatchMatchState { matched: WatchMatchedHash[] }

/** Match-log ids are short ASCII (matches/matchRecord.ts); anything past this is damage. */
const MAX_MATCH_ID_CHARS = 128
/** At most this many stored hashes match one item at once: the near-match answer's own bound, with room. */
export const MAX_MATCHED_PER_ITEM = 1000

const WatchItemType = storeRecordType('WatchItem')
const WatchMatchStateType = storeRecordType('WatchMatchState')

const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder('utf-8', { fatal: true })

function contentIdBytes (contentId: string): Uint8Array {
  if (!CONTENT_ID_PATTERN.test(contentId)) throw corrupt('watch key', 'content id must be 1-256 printable characters')
  return utf8.encode(contentId)
}

function parseContentId (bytes: Uint8Array, what: string): string {
  let id: string
  try {
    id = utf8Strict.decode(bytes)
  } catch {
    throw corrupt(what, 'content id is not UTF-8')
  }
  if (!CONTENT_ID_PATTERN.test(id)) throw corrupt(what, 'content id must be 1-256 printable characters')
  return id
}

/** A key of watchItem or watchMatch: the bucket, then the content id. */
function contentIdKey (bucket: Bucket.watchItem | Bucket.watchMatch): Codec<string> {
  return {
    encode: id => bucketKey(bucket, contentIdBytes(id)),
    decode: k => {
      if (k[0] !== bucket) throw corrupt('watch key', 'wrong bucket')
      return parseContentId(k.subarray(1), `${Bucket[bucket]} key`)
    }
  }
}

export const WATCH_ITEM_KEY = contentIdKey(Bucket.watchItem)
export const WATCH_MATCH_KEY = contentIdKey(Bucket.watchMatch)

/** The type fixes the value's length, so type + value is an unambiguous prefix of the content id. */
export const WATCH_HASH_KEY: Codec<WatchHashKey> = {
  encode: ({ signalTypeCode, value, contentId }) => {
    requireTypedValue(signalTypeCode, value)
    return bucketKey(Bucket.watchHash, Uint8Array.of(signalTypeCode), value, contentIdBytes(contentId))
  },
  decode: k => {
    const type = k[0] === Bucket.watchHash && k.length > 2 ? signalTypeByCode(k[1]!) : undefined
    if (type === undefined || k.length < 3 + type.length) throw corrupt('watchHash key', `malformed key of ${k.length} bytes`)
    return {
      signalTypeCode: type.code,
      value: Uint8Array.from(k.subarray(2, 2 + type.length)),
      contentId: parseContentId(k.subarray(2 + type.length), 'watchHash key')
    }
  }
}

/** Every watchHash key of one hash: the content ids that watch it. */
export function watchHashRange (hash: TypedValue): KeyRange {
  requireTypedValue(hash.signalTypeCode, hash.value)
  return prefixRange(bucketKey(Bucket.watchHash, Uint8Array.of(hash.signalTypeCode), hash.value))
}

function typedValue (raw: Record<string, unknown>, what: string): TypedValue {
  const code = raw.type
  const type = typeof code === 'number' ? signalTypeByCode(code) : undefined
  if (type === undefined) throw corrupt(what, 'unknown signal type')
  return { signalTypeCode: type.code, value: bytesOfLength(raw.value, type.length, what, 'value') }
}

function decodeWatchItem (bytes: Uint8Array): WatchItemValue {
  const what = 'watch item'
  const raw = decode(WatchItemType, bytes, what)
  const hashes = (raw.hashes as Array<Record<string, unknown>>).map(h => typedValue(h, what))
  if (hashes.length === 0 || hashes.length > MAX_WATCH_HASHES) throw corrupt(what, `must hold 1 to ${MAX_WATCH_HASHES} hashes`)
  if (new Set(hashes.map(h => h.signalTypeCode)).size !== hashes.length) throw corrupt(what, 'two hashes of one type')
  return { hashes, addedAtMs: safeInteger(raw.addedAtMs, what, 'added_at_ms') }
}

function decodeWatchMatchState (bytes: Uint8Array): WatchMatchState {
  const what = 'watch match state'
  const raw = decode(WatchMatchStateType, bytes, what)
  const matched = (raw.matched as Array<Record<string, unknown>>).map(m => {
    const matchId = m.matchId
    if (typeof matchId !== 'string' || matchId.length === 0 || matchId.length > MAX_MATCH_ID_CHARS) throw corrupt(what, 'bad match id')
    const distance = safeInteger(m.distance, what, 'distance')
    if (distance > 256) throw corrupt(what, 'distance out of range')
    return { ...typedValue(m, what), distance, matchId }
  })
  if (matched.length === 0 || matched.length > MAX_MATCHED_PER_ITEM) throw corrupt(what, `must hold 1 to ${MAX_MATCHED_PER_ITEM} matched hashes`)
  return { matched }
}

const wireHash = (h: TypedValue): { type: number, value: Uint8Array } => ({ type: h.signalTypeCode, value: h.value })

export const WATCH_ITEM_VALUE: Codec<WatchItemValue> = {
  encode: v => encode(WatchItemType, { hashes: v.hashes.map(wireHash), addedAtMs: v.addedAtMs }),
  decode: decodeWatchItem
}

export const WATCH_MATCH_VALUE: Codec<WatchMatchState> = {
  encode: v => encode(WatchMatchStateType, { matched: v.matched.map(m => ({ ...wireHash(m), distance: m.distance, matchId: m.matchId })) }),
  decode: decodeWatchMatchState
}
