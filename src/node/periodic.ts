import type { Startable } from '../network/startable.js'

/** A chore the node runs every `everyMs` while it runs (and once at start with `atStart`); never keeps the process alive. */
export class Periodic implements Startable {
  private readonly everyMs: number
  private readonly chore: () => void
  private readonly atStart: boolean
  private timer: NodeJS.Timeout | undefined

  constructor (options: { everyMs: number, atStart?: boolean }, chore: () => void) {
    this.everyMs = options.everyMs
    this.atStart = options.atStart ?? false
    this.chore = chore
  }

  start (): void {
    if (this.atStart) this.chore()
    this.timer = setInterval(this.chore, this.everyMs).unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
