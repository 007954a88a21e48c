/** One publisher's catch-up from one peer, as the status output shows it. */
export interface PullProgressView {
  /** Hex public key. */
  publisher: string
  peer: string
  targetSeq: number
  /** The highest seq this pull has received or found already stored. */
  currentSeq: number
  batchesPerSecond: number
}

/** Counters of one pull, and when it last told the log about them. */
export class PullProgress {
  readonly publisher: string
  readonly peer: string
  readonly fromSeq: number
  readonly targetSeq: number
  currentSeq: number
  /** Frames received, whatever the sink made of them. */
  fetched = 0
  accepted = 0
  /** Entries in the accepted batches. */
  entries = 0
  private readonly now: () => number
  private readonly startedAt: number
  private loggedAt: number

  constructor (init: { publisher: string, peer: string, fromSeq: number, targetSeq: number, now?: () => number }) {
    this.publisher = init.publisher
    this.peer = init.peer
    this.fromSeq = init.fromSeq
    this.targetSeq = init.targetSeq
    this.currentSeq = init.fromSeq - 1
    this.now = init.now ?? Date.now
    this.startedAt = this.now()
    this.loggedAt = this.startedAt
  }

  received (): void {
    this.fetched++
  }

  advance (accepted: boolean, entries: number): void {
    this.currentSeq++
    if (!accepted) return
    this.accepted++
    this.entries += entries
  }

  /** Moves past seqs stored by other means; never past the target. */
  skipTo (storedSeq: number): void {
    this.currentSeq = Math.max(this.currentSeq, Math.min(storedSeq, this.targetSeq))
  }

  elapsedSeconds (): number {
    return (this.now() - this.startedAt) / 1000
  }

  batchesPerSecond (): number {
    const seconds = this.elapsedSeconds()
    return seconds > 0 ? this.fetched / seconds : 0
  }

  /** Undefined until the rate is known. */
  etaSeconds (): number | undefined {
    const rate = this.batchesPerSecond()
    return rate > 0 ? Math.ceil((this.targetSeq - this.currentSeq) / rate) : undefined
  }

  /** True at most once per interval, and never in a pull's first interval: short pulls stay quiet. */
  logDue (intervalMs: number): boolean {
    const now = this.now()
    if (now - this.loggedAt < intervalMs) return false
    this.loggedAt = now
    return true
  }

  view (): PullProgressView {
    const { publisher, peer, targetSeq, currentSeq } = this
    return { publisher, peer, targetSeq, currentSeq, batchesPerSecond: round1(this.batchesPerSecond()) }
  }
}

function round1 (n: number): number {
  return Math.round(n * 10) / 10
}
