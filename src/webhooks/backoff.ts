/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * the wait before retry `attempt` (1 for the first retry) is uniform in [0, min(cap, base·2^(attempt-1))).
 * Full jitter spreads the retries of many events that failed together, so a receiver coming back
 * is not hit by all of them at once.
 */
export function retryDelayMs (attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 52))
  return Math.floor(random() * ceiling)
}
