import { setImmediate as nextTurn } from 'node:timers/promises'
import { SerialQueue } from '../store/serialQueue.js'

/**
 * Runs CPU-bound searches one per turn of the event loop, in order of arrival, across every request.
 * Awaiting a turn in each of several concurrent callers is not enough: their setImmediate callbacks
 * all fire in one check phase, so 16 searches would run back to back before any socket is read.
 */
export class SearchTurns {
  private readonly queue = new SerialQueue()

  async run<T> (search: () => T): Promise<T> {
    return await this.queue.run(async () => {
      await nextTurn()
      return search()
    })
  }
}
