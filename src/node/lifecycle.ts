import type { Startable } from '../network/startable.js'

/**
 * Starts parts in the order given and stops them in reverse, so nothing runs without what it
 * depends on. Parts that are `running` already (opened while the node was built, like the store)
 * are only stopped. A start that fails stops what it had started; stop is safe to call twice.
 */
export class Lifecycle {
  private readonly toStart: readonly Startable[]
  private readonly started: Startable[]

  constructor (parts: { running: readonly Startable[], toStart: readonly Startable[] }) {
    this.started = [...parts.running]
    this.toStart = parts.toStart
  }

  async start (): Promise<void> {
    const before = this.started.length
    for (const part of this.toStart) {
      try {
        await part.start()
      } catch (err) {
        await this.stopDownTo(before)
        throw err
      }
      this.started.push(part)
    }
  }

  async stop (): Promise<void> {
    await this.stopDownTo(0)
  }

  /** Every part is stopped even if one fails, so the store still closes; the first failure is rethrown. */
  private async stopDownTo (remaining: number): Promise<void> {
    const failures: unknown[] = []
    while (this.started.length > remaining) {
      try {
        await this.started.pop()!.stop()
      } catch (err) {
        failures.push(err)
      }
    }
    if (failures.length > 0) throw failures[0]
  }
}
