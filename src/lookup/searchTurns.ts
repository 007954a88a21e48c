import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Runs CPU-bound searches one per turn of the event loop, in order of arrival, across every request.
 * Awaiting a turn in each of several concurrent callers is not enough: their setImmediate callbacks
 * all fire in one check phase, so 16 searches would run back to back before any socket is read.
 */
export class SearchTurns {
  private last: Promise<unknown> = Promise.resolve()

  async run<T> (search: () => T): Promise<T> {
    const result = this.last.then(async () => {
      await nextTurn()
      return search()
    })
    this.last = result.catch(() => undefined)
    return await result
  }
}
