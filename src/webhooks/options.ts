/** How hooks are called. Plain data; the config layer sets it from `hooks` (config/default.json). */
export interface HookDeliveryOptions {
  /** Attempts in flight at once per hook: a slow receiver slows only its own deliveries. */
  concurrency: number
  /** From the request's start to the end of its answer. */
  timeoutMs: number
  /** Response bytes read at most, then the connection is dropped. */
  maxResponseBytes: number
  /** Backoff: the first retry waits up to this, each next one up to twice as long... */
  retryBaseMs: number
  /** ...but never more than this. */
  retryCapMs: number
  /** Counted from the first attempt; a failure after it moves the delivery to the dead letters. */
  maxRetryMs: number
}

export const DEFAULT_HOOK_DELIVERY_OPTIONS: HookDeliveryOptions = {
  concurrency: 4,
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
  retryBaseMs: 1_000,
  retryCapMs: 60 * 60 * 1000,
  maxRetryMs: 24 * 60 * 60 * 1000
}
