import { MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH, PUBLIC_KEY_BYTES } from '../wire/limits.js'

/** Queries in one POST /v1/lookup: a platform checks an upload queue per request, not its archive. */
export const MAX_LOOKUP_QUERIES = 10_000

/** Entries in one POST /v1/batches: exactly what one signed batch may hold. */
export const MAX_PUBLISH_ENTRIES = MAX_ENTRIES_PER_BATCH

/** Longest accepted signal type name: today's are at most 6; room for new ones, not for junk. */
export const MAX_TYPE_CHARS = 16

/** Longest accepted hash value: twice the longest hex value (64); the node reports the exact rule. */
export const MAX_VALUE_CHARS = 128

/** Longest accepted publisher key parameter: twice a key's hex length; the node reports the exact rule. */
export const MAX_PUBLISHER_CHARS = 4 * PUBLIC_KEY_BYTES

/**
 * Longest route parameter. Above it the router answers 414 URL_TOO_LONG, so it sits above
 * MAX_VALUE_CHARS and MAX_PUBLISHER_CHARS to let the schema answer 400 for a long value or key instead.
 */
export const MAX_PARAM_CHARS = 2 * Math.max(MAX_VALUE_CHARS, MAX_PUBLISHER_CHARS)

/**
 * POST /v1/batches. The largest publishable batch (within both MAX_ENTRIES_PER_BATCH and
 * MAX_BODY_BYTES) is at most ~2.8 MB as JSON even with whitespace: hex doubles each value, and key
 * names and escaped label characters add the rest (test/unit/api/limits.test.ts builds the worst
 * shapes). 4x MAX_BODY_BYTES admits all of them and refuses, before parsing, bodies far beyond.
 */
export const PUBLISH_BODY_LIMIT = 4 * MAX_BODY_BYTES

/**
 * POST /v1/lookup: 10,000 of the longest queries without variants (pdq with maxDistance, ~1.4 MB
 * pretty-printed; an exact sha256 query is ~93 bytes compact), or ~3,000 that carry all seven
 * variants (test/unit/api/limits.test.ts builds both). Every byte admitted here is a byte parsed on
 * the node's thread, so the bound is what a full request needs, not more.
 */
export const LOOKUP_BODY_LIMIT = 2 * 1024 * 1024

/** Every other route takes no body or a tiny one; a little room keeps odd but harmless clients working. */
export const DEFAULT_BODY_LIMIT = 16 * 1024

/**
 * POST /v1/watch: 10,000 items each with all four hashes (200 hex characters) and a 256-character
 * ASCII id are ~5.3 MB compact; 8 MiB leaves room for longer UTF-8 ids and whitespace, and refuses,
 * before parsing, bodies far beyond.
 */
export const WATCH_BODY_LIMIT = 8 * 1024 * 1024
