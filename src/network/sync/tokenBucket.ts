export interface TokenBucketOptions {
  ratePerSecond: number
  burst: number
  /** Keys remembered at most; a full bucket is the same as a forgotten one, so those go first. */
  maxKeys: number
  now?: () => number
}

interface Bucket { tokens: number, at: number }

/** Per-key token buckets: `burst` tokens at once, then `ratePerSecond` on average (tokens: requests, or bytes). */
export class TokenBucket {
  private readonly buckets = new Map<string, Bucket>()
  private readonly ratePerMs: number
  private readonly burst: number
  private readonly maxKeys: number
  private readonly now: () => number

  constructor (options: TokenBucketOptions) {
    this.ratePerMs = options.ratePerSecond / 1000
    this.burst = options.burst
    this.maxKeys = options.maxKeys
    this.now = options.now ?? Date.now
  }

  /**
   * Takes `cost` tokens and returns 0, or takes nothing and returns the milliseconds until they are
   * due (Infinity when `cost` is over the burst: never).
   */
  tryTake (key: string, cost = 1): number {
    const bucket = this.refilled(key)
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost
      return 0
    }
    return cost > this.burst ? Infinity : Math.ceil((cost - bucket.tokens) / this.ratePerMs)
  }

  /** Whether `cost` tokens are there now; takes nothing. */
  has (key: string, cost: number): boolean {
    return this.refilled(key).tokens >= cost
  }

  private refilled (key: string): Bucket {
    const now = this.now()
    const bucket = this.buckets.get(key)
    if (bucket === undefined) return this.add(key, now)
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.ratePerMs)
    bucket.at = now
    return bucket
  }

  private add (key: string, now: number): Bucket {
    if (this.buckets.size >= this.maxKeys) this.evict(now)
    const bucket = { tokens: this.burst, at: now }
    this.buckets.set(key, bucket)
    return bucket
  }

  private evict (now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.ratePerMs >= this.burst) this.buckets.delete(key)
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
  }
}
