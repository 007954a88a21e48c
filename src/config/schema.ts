import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { LABEL_PATTERN, NETWORK_PATTERN, PUBLIC_KEY_BYTES } from '../wire/limits.js'
import { MAX_PDQ_DISTANCE } from '../lookup/limits.js'

/** A node listens on a handful of interfaces and transports; hundreds means a generated mistake. */
export const MAX_LISTEN_ADDRS = 16

/** Announce addresses mirror listen addresses (public names for them). */
export const MAX_ANNOUNCE_ADDRS = 16

/** A forum has tens of members; a few well-connected bootstrap peers are enough for gossip. */
export const MAX_BOOTSTRAP_PEERS = 256

/** The trust set is the forum's membership, held in memory and checked on every batch. */
export const MAX_TRUSTED_PUBLISHERS = 4096

/** Real multiaddrs (DNS name, port, peer id) are under 200 characters. */
export const MAX_MULTIADDR_CHARS = 512

/** PATH_MAX on Linux. */
export const MAX_PATH_CHARS = 4096

/** The longest DNS name. */
export const MAX_HOST_CHARS = 253

/** Periodic sync rounds: more often than every second is a busy loop, less than daily a stale node. */
export const MIN_SYNC_INTERVAL_MS = 1_000
export const MAX_SYNC_INTERVAL_MS = 24 * 60 * 60 * 1000

/** More than a day of accepted skew is a broken clock, not a tolerance. */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000

/** An upload is one photo or frame: 256 MiB is past any camera's JPEG and keeps a request's memory bounded. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024

/** 16k × 16k: the decoder's own ceiling; a pixel costs ~12 bytes while hashed (8-bit colour), ~24 at 16 bits (src/hashing/decodedBytes.ts). */
export const MAX_IMAGE_PIXELS = 268_402_689

/** Hashing more files at once than this gains nothing on any machine a node runs on. */
export const MAX_MATCH_CONCURRENCY = 64

export const MAX_MATCH_WAITING = 1024

/** A forum has one root key, two or three while one is being replaced. */
export const MAX_FORUM_ROOTS = 16

/** Overrides are exceptions an operator justifies one by one; more than a few dozen is a second trust list. */
export const MAX_FORUM_OVERRIDES = 64

/** A sentence or two: why this node accepts a key against its forum. */
export const MAX_OVERRIDE_REASON_CHARS = 500

/** Counts of reports and confirmations come from organisations; a forum has tens to hundreds. */
export const MAX_POLICY_COUNT = 10_000

/** One rule per label of harm; a forum's taxonomy has tens. */
export const MAX_POLICY_LABELS = 256

export const REVOKED_ENTRY_POLICIES = ['keep', 'hide'] as const

/** Webhook delivery bounds: past these a setting is a mistake (a receiver holding a slot for an hour, a backoff of a week). */
export const MAX_HOOK_CONCURRENCY = 64
export const MAX_HOOK_TIMEOUT_MS = 60_000
export const MAX_HOOK_RETRY_CAP_MS = 24 * 60 * 60 * 1000
export const MAX_HOOK_RETRY_HOURS = 7 * 24
export const MAX_HOOK_OUTBOX_ROWS = 10_000_000
/** A deadline past a year is no deadline; under an hour no moderation team meets it. */
export const MAX_ACTION_DEADLINE_HOURS = 8760

/** Ten years: past any retention a regulator asks for, and the log stays bounded. */
export const MAX_RETENTION_DAYS = 3650

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const TRUST_KEY = new RegExp(`^[0-9a-fA-F]{${PUBLIC_KEY_BYTES * 2}}$`)

function publicKeyHex () {
  return z.string().regex(TRUST_KEY, `must be ${PUBLIC_KEY_BYTES * 2} hex characters (an Ed25519 public key)`).transform(s => s.toLowerCase())
}

const CONTROL_CHARS = /[\x00-\x1f\x7f]/

/** One forum override: a key and the operator's reason, both required. */
function forumOverride () {
  return z.strictObject({
    key: publicKeyHex(),
    reason: z.string().trim().min(1, 'must say why this key is accepted against the forum')
      .max(MAX_OVERRIDE_REASON_CHARS, `must be at most ${MAX_OVERRIDE_REASON_CHARS} characters`)
      .refine(s => !CONTROL_CHARS.test(s), 'must not hold control characters')
  })
}

/** Overrides name distinct keys and only make sense against forum roots. */
function forumSection () {
  return z.strictObject({
    roots: boundedList(publicKeyHex(), MAX_FORUM_ROOTS),
    revokedEntries: z.enum(REVOKED_ENTRY_POLICIES, { error: `must be one of ${REVOKED_ENTRY_POLICIES.join(', ')}` }),
    overrides: boundedList(forumOverride(), MAX_FORUM_OVERRIDES)
  }).superRefine((forum, ctx) => {
    if (forum.overrides.length > 0 && forum.roots.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['overrides'],
        message: 'an override only means something against forum roots; without roots list the key in trust' })
    }
    const keys = forum.overrides.map(o => o.key)
    const repeated = keys.find((k, i) => keys.indexOf(k) !== i)
    if (repeated !== undefined) ctx.addIssue({ code: 'custom', path: ['overrides'], message: `key ${repeated} is listed twice` })
  })
}

function count (min: number) {
  return z.number().int('must be an integer').min(min, `must be ${min}-${MAX_POLICY_COUNT}`).max(MAX_POLICY_COUNT, `must be ${min}-${MAX_POLICY_COUNT}`)
}

/** Why `s` is not a usable multiaddr, or undefined when it is. */
function multiaddrProblem (s: string, needPeerId: boolean): string | undefined {
  let components
  try {
    components = multiaddr(s).getComponents()
  } catch (err) {
    return `not a multiaddr: ${(err as Error).message}`
  }
  if (components.length === 0) return 'not a multiaddr: empty'
  if (!needPeerId) return undefined
  const last = components[components.length - 1]
  if (last?.name !== 'p2p' || last.value === undefined) return 'must end with /p2p/<peer id>'
  try {
    peerIdFromString(last.value)
  } catch {
    return `invalid peer id "${last.value.slice(0, 64)}"`
  }
  return undefined
}

function multiaddrString (needPeerId: boolean) {
  return z.string().max(MAX_MULTIADDR_CHARS, `must be at most ${MAX_MULTIADDR_CHARS} characters`).superRefine((s, ctx) => {
    const problem = multiaddrProblem(s, needPeerId)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
  })
}

function boundedList<T extends z.ZodType> (item: T, max: number) {
  return z.array(item).max(max, `at most ${max} items`)
}

function intIn (min: number, max: number) {
  return z.number().int('must be an integer').min(min, `must be ${min}-${max}`).max(max, `must be ${min}-${max}`)
}

/** Webhook delivery: per-hook concurrency, timeout, backoff and retry window, outbox bounds. */
function hooksSection () {
  return z.strictObject({
    concurrency: intIn(1, MAX_HOOK_CONCURRENCY),
    timeoutMs: intIn(100, MAX_HOOK_TIMEOUT_MS),
    retryBaseMs: intIn(1, MAX_HOOK_RETRY_CAP_MS),
    retryCapMs: intIn(1, MAX_HOOK_RETRY_CAP_MS),
    maxRetryHours: z.number({ error: 'must be a number of hours' })
      .positive(`must be more than 0 and at most ${MAX_HOOK_RETRY_HOURS}`).max(MAX_HOOK_RETRY_HOURS, `must be more than 0 and at most ${MAX_HOOK_RETRY_HOURS}`),
    maxOutboxRows: intIn(1, MAX_HOOK_OUTBOX_ROWS),
    maxDeadRows: intIn(1, MAX_HOOK_OUTBOX_ROWS)
  }).superRefine((hooks, ctx) => {
    if (hooks.retryCapMs < hooks.retryBaseMs) ctx.addIssue({ code: 'custom', path: ['retryCapMs'], message: 'must be at least retryBaseMs' })
  })
}
/** Watched items one node may hold: at ~100-300 bytes of memory an item, 100M is ~10-30 GB. */
const MAX_WATCH_ITEMS = 100_000_000

/** The shape of config/default.json and of a config file (where every key is optional). */
export const configSchema = z.strictObject({
  dataDir: z.string().min(1, 'must not be empty').max(MAX_PATH_CHARS, `must be at most ${MAX_PATH_CHARS} characters`),
  network: z.string().regex(NETWORK_PATTERN, 'must be 1-64 of a-z 0-9 . _ - starting with a letter or digit'),
  listen: boundedList(multiaddrString(false), MAX_LISTEN_ADDRS).min(1, 'needs at least one address'),
  announce: boundedList(multiaddrString(false), MAX_ANNOUNCE_ADDRS),
  bootstrap: boundedList(multiaddrString(true), MAX_BOOTSTRAP_PEERS),
  trust: boundedList(publicKeyHex(), MAX_TRUSTED_PUBLISHERS),
  forum: forumSection(),
  policy: z.strictObject({
    falsePositiveThreshold: count(0),
    confirmationsRequired: z.record(z.string().regex(LABEL_PATTERN, 'keys must be labels'), count(1))
      .refine(r => Object.keys(r).length <= MAX_POLICY_LABELS, `at most ${MAX_POLICY_LABELS} labels`)
  }),
  watch: z.strictObject({
    pdqMaxDistance: z.number().int('must be an integer')
      .min(0, `must be 0-${MAX_PDQ_DISTANCE}`).max(MAX_PDQ_DISTANCE, `must be 0-${MAX_PDQ_DISTANCE}`),
    maxItems: z.number().int('must be an integer')
      .min(1, `must be 1-${MAX_WATCH_ITEMS}`).max(MAX_WATCH_ITEMS, `must be 1-${MAX_WATCH_ITEMS}`)
  }),
  maxClockSkewMs: z.number().int('must be an integer').min(0, `must be 0-${MAX_CLOCK_SKEW_MS}`).max(MAX_CLOCK_SKEW_MS, `must be 0-${MAX_CLOCK_SKEW_MS}`),
  syncIntervalMs: z.number().int('must be an integer')
    .min(MIN_SYNC_INTERVAL_MS, `must be ${MIN_SYNC_INTERVAL_MS}-${MAX_SYNC_INTERVAL_MS}`)
    .max(MAX_SYNC_INTERVAL_MS, `must be ${MIN_SYNC_INTERVAL_MS}-${MAX_SYNC_INTERVAL_MS}`),
  match: z.strictObject({
    maxUploadBytes: z.number().int('must be an integer').min(1, `must be 1-${MAX_UPLOAD_BYTES}`).max(MAX_UPLOAD_BYTES, `must be 1-${MAX_UPLOAD_BYTES}`),
    maxImagePixels: z.number().int('must be an integer').min(1, `must be 1-${MAX_IMAGE_PIXELS}`).max(MAX_IMAGE_PIXELS, `must be 1-${MAX_IMAGE_PIXELS}`),
    concurrency: z.number().int('must be an integer')
      .min(1, `must be 1-${MAX_MATCH_CONCURRENCY}`).max(MAX_MATCH_CONCURRENCY, `must be 1-${MAX_MATCH_CONCURRENCY}`),
    maxWaiting: z.number().int('must be an integer').min(0, `must be 0-${MAX_MATCH_WAITING}`).max(MAX_MATCH_WAITING, `must be 0-${MAX_MATCH_WAITING}`)
  }),
  matches: z.strictObject({
    actionDeadlineHours: z.number().int('must be an integer')
      .min(1, `must be 1-${MAX_ACTION_DEADLINE_HOURS}`).max(MAX_ACTION_DEADLINE_HOURS, `must be 1-${MAX_ACTION_DEADLINE_HOURS}`),
    retentionDays: z.number().int('must be an integer').min(1, `must be 1-${MAX_RETENTION_DAYS}`).max(MAX_RETENTION_DAYS, `must be 1-${MAX_RETENTION_DAYS}`)
  }),
  http: z.strictObject({
    host: z.string().min(1, 'must not be empty').max(MAX_HOST_CHARS, `must be at most ${MAX_HOST_CHARS} characters`),
    port: z.number().int('must be an integer 0-65535').min(0, 'must be 0-65535').max(65535, 'must be 0-65535'),
    openReads: z.boolean({ error: 'must be true or false' }),
    openMetrics: z.boolean({ error: 'must be true or false' })
  }),
  hooks: hooksSection(),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
  })
})

export type ConfigFile = z.output<typeof configSchema>
