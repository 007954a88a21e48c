/**
 * Bounds of the webhook records, in a file with no imports so that the CLI can check a hook
 * before sending it without loading the store.
 */

/** A hook id: 8 random bytes; shown as hook_<16 hex>. */
export const HOOK_ID_BYTES = 8

/** An event id: 16 random bytes; shown as evt_<32 hex> (newEventId). */
export const EVENT_ID_BYTES = 16

/** Longest URL a hook may have: far above a real endpoint, far below a memory problem. */
export const MAX_HOOK_URL_CHARS = 2048

/** An event's JSON: a match names a handful of labels and ids; 64 KiB leaves room for growth and bounds a row. */
export const MAX_EVENT_JSON_BYTES = 64 * 1024

/** Why the last attempt failed, as kept: a status or an error code, never a response body. */
export const MAX_LAST_ERROR_CHARS = 200
