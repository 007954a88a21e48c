import { HashmeshError } from '../errors.js'

export type HookErrorCode =
  /** Not an http: or https: URL, longer than MAX_HOOK_URL_CHARS, or with credentials in it. */
  | 'BAD_URL'
  /** No event types, or a name that is not in EVENT_TYPES. */
  | 'BAD_EVENTS'
  /** Shorter than MIN_SECRET_BYTES or longer than MAX_SECRET_BYTES. */
  | 'BAD_SECRET'
  /** MAX_HOOKS are registered already. */
  | 'TOO_MANY_HOOKS'
  /** Not of the form hook_<16 hex>. */
  | 'BAD_HOOK_ID'
  | 'NO_SUCH_HOOK'
  /** Not of the form evt_<32 hex>. */
  | 'BAD_EVENT_ID'
  /** No dead letter holds this event. */
  | 'NO_SUCH_DEAD_EVENT'

export class HookError extends HashmeshError<HookErrorCode> {}
