import { Bucket } from './buckets.js'
import { corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'
import type { Codec } from './repository.js'
import type { KeyRange } from './keys.js'
import { EVENT_ID_BYTES, HOOK_ID_BYTES, MAX_EVENT_JSON_BYTES, MAX_HOOK_URL_CHARS, MAX_LAST_ERROR_CHARS } from './hookLimits.js'

const EVENT_NAME = /^[a-z_]{1,32}$/
const MAX_HOOK_EVENTS = 32

const HookRecordType = storeRecordType('HookRecord')
const HookDeliveryType = storeRecordType('HookDelivery')

export interface HookRecord {
  url: string
  /** Event type names; the events layer checks them against EVENT_TYPES. */
  events: string[]
  createdAtMs: number
}

export interface HookDelivery {
  /** The exact JSON bytes sent: every retry carries the same id and body. */
  event: Uint8Array
  type: string
  createdAtMs: number
  attempts: number
  /** 0 until the first attempt. */
  firstAttemptMs: number
  lastError: string
  /** Dead letters only; 0 in the outbox. */
  deadAtMs: number
}

export interface OutboxKey { hookId: Uint8Array, dueMs: number, eventId: Uint8Array }
export interface DeadKey { eventId: Uint8Array, hookId: Uint8Array }

const TWO_POW_32 = 2 ** 32

function writeUint64BE (out: Uint8Array, offset: number, n: number): void {
  const view = new DataView(out.buffer, out.byteOffset)
  view.setUint32(offset, Math.floor(n / TWO_POW_32))
  view.setUint32(offset + 4, n >>> 0)
}

function readUint64BE (k: Uint8Array, offset: number): number {
  const view = new DataView(k.buffer, k.byteOffset)
  return view.getUint32(offset) * TWO_POW_32 + view.getUint32(offset + 4)
}

function requireLength (bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (bytes.length !== length) throw corrupt(what, `must be ${length} bytes, got ${bytes.length}`)
  return bytes
}

function hookKey (id: Uint8Array): Uint8Array {
  const key = new Uint8Array(1 + HOOK_ID_BYTES)
  key[0] = Bucket.hook
  key.set(requireLength(id, HOOK_ID_BYTES, 'hook id'), 1)
  return key
}

function parseHookKey (k: Uint8Array): Uint8Array {
  if (k[0] !== Bucket.hook || k.length !== 1 + HOOK_ID_BYTES) throw corrupt('hook key', `malformed key of ${k.length} bytes`)
  return Uint8Array.from(k.subarray(1))
}

const OUTBOX_KEY_BYTES = 1 + HOOK_ID_BYTES + 8 + EVENT_ID_BYTES

function outboxKey (k: OutboxKey): Uint8Array {
  if (!Number.isSafeInteger(k.dueMs) || k.dueMs < 0) throw corrupt('outbox key', 'due time out of range')
  const key = new Uint8Array(OUTBOX_KEY_BYTES)
  key[0] = Bucket.hookOutbox
  key.set(requireLength(k.hookId, HOOK_ID_BYTES, 'hook id'), 1)
  writeUint64BE(key, 1 + HOOK_ID_BYTES, k.dueMs)
  key.set(requireLength(k.eventId, EVENT_ID_BYTES, 'event id'), 1 + HOOK_ID_BYTES + 8)
  return key
}

function parseOutboxKey (k: Uint8Array): OutboxKey {
  if (k[0] !== Bucket.hookOutbox || k.length !== OUTBOX_KEY_BYTES) throw corrupt('outbox key', `malformed key of ${k.length} bytes`)
  return {
    hookId: Uint8Array.from(k.subarray(1, 1 + HOOK_ID_BYTES)),
    dueMs: readUint64BE(k, 1 + HOOK_ID_BYTES),
    eventId: Uint8Array.from(k.subarray(1 + HOOK_ID_BYTES + 8))
  }
}

/** Every outbox row of one hook, in due order. */
export function outboxRangeOf (hookId: Uint8Array): KeyRange {
  const gte = new Uint8Array(1 + HOOK_ID_BYTES)
  gte[0] = Bucket.hookOutbox
  gte.set(requireLength(hookId, HOOK_ID_BYTES, 'hook id'), 1)
  return { gte, lt: prefixEnd(gte) }
}

const DEAD_KEY_BYTES = 1 + EVENT_ID_BYTES + HOOK_ID_BYTES

function deadKey (k: DeadKey): Uint8Array {
  const key = new Uint8Array(DEAD_KEY_BYTES)
  key[0] = Bucket.hookDead
  key.set(requireLength(k.eventId, EVENT_ID_BYTES, 'event id'), 1)
  key.set(requireLength(k.hookId, HOOK_ID_BYTES, 'hook id'), 1 + EVENT_ID_BYTES)
  return key
}

function parseDeadKey (k: Uint8Array): DeadKey {
  if (k[0] !== Bucket.hookDead || k.length !== DEAD_KEY_BYTES) throw corrupt('dead letter key', `malformed key of ${k.length} bytes`)
  return { eventId: Uint8Array.from(k.subarray(1, 1 + EVENT_ID_BYTES)), hookId: Uint8Array.from(k.subarray(1 + EVENT_ID_BYTES)) }
}

/** Every dead letter of one event (one per hook it was for). */
export function deadRangeOf (eventId: Uint8Array): KeyRange {
  const gte = new Uint8Array(1 + EVENT_ID_BYTES)
  gte[0] = Bucket.hookDead
  gte.set(requireLength(eventId, EVENT_ID_BYTES, 'event id'), 1)
  return { gte, lt: prefixEnd(gte) }
}

/** The first key after every key that starts with `prefix` (its last byte is never 0xff here: the bucket byte is not). */
function prefixEnd (prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1
      return end.subarray(0, i + 1)
    }
  }
  throw corrupt('key prefix', 'has no end')
}

function decodeHookRecord (bytes: Uint8Array): HookRecord {
  const what = 'hook record'
  const raw = decode(HookRecordType, bytes, what)
  const { url, events } = raw
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_HOOK_URL_CHARS) throw corrupt(what, `url must be 1-${MAX_HOOK_URL_CHARS} characters`)
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_HOOK_EVENTS) throw corrupt(what, `events must be 1-${MAX_HOOK_EVENTS} names`)
  const names = events.map(e => {
    if (typeof e !== 'string' || !EVENT_NAME.test(e)) throw corrupt(what, 'an event name is malformed')
    return e
  })
  if (new Set(names).size !== names.length) throw corrupt(what, 'an event name is repeated')
  return { url, events: names, createdAtMs: safeInteger(raw.createdAtMs, what, 'created_at_ms') }
}

function decodeHookDelivery (bytes: Uint8Array): HookDelivery {
  const what = 'hook delivery'
  const raw = decode(HookDeliveryType, bytes, what)
  const { event, type, lastError } = raw
  if (!(event instanceof Uint8Array) || event.length === 0 || event.length > MAX_EVENT_JSON_BYTES) {
    throw corrupt(what, `event must be 1-${MAX_EVENT_JSON_BYTES} bytes`)
  }
  if (typeof type !== 'string' || !EVENT_NAME.test(type)) throw corrupt(what, 'type is malformed')
  if (typeof lastError !== 'string' || lastError.length > MAX_LAST_ERROR_CHARS) {
    throw corrupt(what, `last_error must be at most ${MAX_LAST_ERROR_CHARS} characters`)
  }
  return {
    event: Uint8Array.from(event),
    type,
    createdAtMs: safeInteger(raw.createdAtMs, what, 'created_at_ms'),
    attempts: safeInteger(raw.attempts, what, 'attempts'),
    firstAttemptMs: safeInteger(raw.firstAttemptMs, what, 'first_attempt_ms'),
    lastError,
    deadAtMs: safeInteger(raw.deadAtMs, what, 'dead_at_ms')
  }
}

/** The hook buckets' codecs (storeRepositories.ts). */
export const HOOK_KEY: Codec<Uint8Array> = { encode: hookKey, decode: parseHookKey }
export const HOOK_RECORD: Codec<HookRecord> = {
  encode: r => encode(HookRecordType, { url: r.url, events: r.events, createdAtMs: r.createdAtMs }),
  decode: decodeHookRecord
}
export const OUTBOX_KEY: Codec<OutboxKey> = { encode: outboxKey, decode: parseOutboxKey }
export const DEAD_KEY: Codec<DeadKey> = { encode: deadKey, decode: parseDeadKey }
export const HOOK_DELIVERY: Codec<HookDelivery> = {
  encode: d => encode(HookDeliveryType, { ...d, lastError: d.lastError.slice(0, MAX_LAST_ERROR_CHARS) }),
  decode: decodeHookDelivery
}
