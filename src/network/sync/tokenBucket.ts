export interface TokenBucketOptions {
  ratePerSecond: number
  burst: number
  /** Keys remembered at most; a full bucket is the same as a forgotten one, so those go first. */
  maxKeys: number
  now?: () => number
}

interface Bucket { tokens: number, at: number }

/** Per-key token buckets: `burst` requests at once, then `ratePerSecond` on average. */
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

  /** Takes a token and returns 0, or takes nothing and returns the milliseconds until one is due. */
  tryTake (key: string): number {
    const bucket = this.refilled(key)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.ceil((1 - bucket.tokens) / this.ratePerMs)
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
