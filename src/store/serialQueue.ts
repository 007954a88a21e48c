/**
 * Runs one task at a time, in call order. A task that fails rejects only its own call: later tasks
 * still run. What a caller checks and then writes inside one task cannot interleave with another
 * task of the same queue, which is how every check-then-write in the node stays race-free.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  /** Queues `task` after every task queued before it and resolves or rejects with its outcome. */
  async run<T> (task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task)
    this.tail = run.catch(() => undefined)
    return await run
  }

  /** Resolves once every task queued so far has settled; tasks queued later are not waited for. */
  async drain (): Promise<void> {
    await this.tail
  }
}
