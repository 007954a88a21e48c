import { EVENT_ID_BYTES, HOOK_ID_BYTES, MAX_HOOK_URL_CHARS } from '../store/hookLimits.js'
import { EVENT_TYPES, type EventType } from './hashmeshEvent.js'
import { HookError } from './hookError.js'

/**
 * What a hook may be, checked the same way by the node and by the CLI before it sends one. No
 * store or network imports: the CLI loads this file.
 */

/** A receiver per platform system and a few for testing; each costs a delivery per event. */
export const MAX_HOOKS = 64

/** HMAC-SHA256 wants at least 128 bits of key to mean anything; 1 KiB is past any generator's output. */
export const MIN_SECRET_BYTES = 16
export const MAX_SECRET_BYTES = 1024

const HOOK_ID = new RegExp(`^hook_[0-9a-f]{${HOOK_ID_BYTES * 2}}$`)
const EVENT_ID = new RegExp(`^evt_[0-9a-f]{${EVENT_ID_BYTES * 2}}$`)

/** The URL as the node will call it; only http: and https:, and no user:password (a secret would then sit in listings and logs). */
export function checkHookUrl (text: string): string {
  if (text.length === 0 || text.length > MAX_HOOK_URL_CHARS) throw new HookError('BAD_URL', `url must be 1-${MAX_HOOK_URL_CHARS} characters`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new HookError('BAD_URL', 'url is not a valid absolute URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HookError('BAD_URL', `url must be http: or https:, not ${url.protocol}`)
  if (url.username !== '' || url.password !== '') throw new HookError('BAD_URL', 'url must not carry credentials: the signature authenticates the node')
  if (url.hostname === '') throw new HookError('BAD_URL', 'url names no host')
  if (url.href.length > MAX_HOOK_URL_CHARS) throw new HookError('BAD_URL', `url must be at most ${MAX_HOOK_URL_CHARS} characters once normalised`)
  return url.href
}

/** Distinct names from EVENT_TYPES, in EVENT_TYPES order. */
export function checkHookEvents (names: readonly string[]): EventType[] {
  if (names.length === 0) throw new HookError('BAD_EVENTS', `name at least one event type: ${EVENT_TYPES.join(', ')}`)
  const unknown = names.find(n => !(EVENT_TYPES as readonly string[]).includes(n))
  if (unknown !== undefined) throw new HookError('BAD_EVENTS', `unknown event type "${unknown.slice(0, 40)}"; known: ${EVENT_TYPES.join(', ')}`)
  return EVENT_TYPES.filter(t => names.includes(t))
}

/** The secret as HMAC key bytes (UTF-8). */
export function checkHookSecret (secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret)
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    throw new HookError('BAD_SECRET', `secret must be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${bytes.length}`)
  }
  return bytes
}

export function hookIdText (id: Uint8Array): string {
  return `hook_${Buffer.from(id).toString('hex')}`
}

export function parseHookId (text: string): Uint8Array {
  if (!HOOK_ID.test(text)) throw new HookError('BAD_HOOK_ID', `hook id must be hook_ followed by ${HOOK_ID_BYTES * 2} lowercase hex digits`)
  return Uint8Array.from(Buffer.from(text.slice(5), 'hex'))
}

export function eventIdText (id: Uint8Array): string {
  return `evt_${Buffer.from(id).toString('hex')}`
}

export function parseEventId (text: string): Uint8Array {
  if (!EVENT_ID.test(text)) throw new HookError('BAD_EVENT_ID', `event id must be evt_ followed by ${EVENT_ID_BYTES * 2} lowercase hex digits`)
  return Uint8Array.from(Buffer.from(text.slice(4), 'hex'))
}
