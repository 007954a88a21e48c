import { parseSignalValue } from '../signals/hex.js'
import { SignalError, findSignalType } from '../signals/registry.js'
import type { TypedValue } from '../store/keys.js'
import { CONTENT_ID_PATTERN, MAX_CONTENT_ID_CHARS } from '../store/contentId.js'
import { WatchError } from './watchError.js'

/** Items per POST /v1/watch or per chunk the CLI sends: one atomic write of at most ~10 MB. */
export const MAX_WATCH_ITEMS_PER_REQUEST = 10_000

/** The hash types an item may name, at most one of each. */
export const WATCH_HASH_TYPES = ['md5', 'sha1', 'sha256', 'pdq'] as const
export type WatchHashType = typeof WATCH_HASH_TYPES[number]

/** As the API takes it: hex values, either case. */
export interface WatchItemInput {
  id: string
  hashes: Partial<Record<WatchHashType, string>>
}

/** A validated item: hashes sorted by type code. */
export interface WatchItem {
  contentId: string
  hashes: TypedValue[]
}

export function checkContentId (id: unknown, where = 'id'): string {
  if (typeof id !== 'string' || !CONTENT_ID_PATTERN.test(id)) {
    throw new WatchError('BAD_CONTENT_ID', `${where} must be 1-${MAX_CONTENT_ID_CHARS} printable characters`)
  }
  return id
}

/** One item checked: a known id, 1-4 hashes of known types with values of their type's length. */
export function parseWatchItem (input: WatchItemInput, where = 'item'): WatchItem {
  const contentId = checkContentId(input.id, `${where}.id`)
  const hashes: TypedValue[] = []
  const entries = Object.entries(input.hashes ?? {}) as Array<[string, unknown]>
  if (entries.length === 0) throw new WatchError('BAD_WATCH_HASHES', `${where}.hashes must name at least one of ${WATCH_HASH_TYPES.join(', ')}`)
  for (const [name, hex] of entries) {
    if (!(WATCH_HASH_TYPES as readonly string[]).includes(name) || findSignalType(name) === undefined) {
      throw new WatchError('BAD_WATCH_HASHES', `${where}.hashes: unknown hash type "${name.slice(0, 32)}"; known: ${WATCH_HASH_TYPES.join(', ')}`)
    }
    if (typeof hex !== 'string') throw new WatchError('BAD_WATCH_HASHES', `${where}.hashes.${name} must be hex text`)
    try {
      const { type, value } = parseSignalValue(name, hex)
      hashes.push({ signalTypeCode: type.code, value })
    } catch (err) {
      if (err instanceof SignalError) throw new WatchError('BAD_WATCH_HASHES', `${where}.hashes.${name}: ${err.message}`)
      throw err
    }
  }
  hashes.sort((a, b) => a.signalTypeCode - b.signalTypeCode)
  return { contentId, hashes }
}

/** A request's items, all checked before any is used: one bad item refuses the request. */
export function parseWatchItems (items: readonly WatchItemInput[]): WatchItem[] {
  if (items.length === 0 || items.length > MAX_WATCH_ITEMS_PER_REQUEST) {
    throw new WatchError('TOO_MANY_ITEMS', `items must hold 1 to ${MAX_WATCH_ITEMS_PER_REQUEST} items, got ${items.length}`)
  }
  const seen = new Set<string>()
  return items.map((item, i) => {
    const parsed = parseWatchItem(item, `items[${i}]`)
    if (seen.has(parsed.contentId)) throw new WatchError('DUPLICATE_CONTENT_ID', `items[${i}].id repeats an earlier item's id`)
    seen.add(parsed.contentId)
    return parsed
  })
}
