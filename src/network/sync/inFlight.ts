/** Work started on behalf of the service, so that stop() returns only once none of it can touch the store. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>()

  async track<T> (work: Promise<T>): Promise<T> {
    this.running.add(work)
    try {
      return await work
    } finally {
      this.running.delete(work)
    }
  }

  async settled (): Promise<void> {
    await Promise.allSettled([...this.running])
  }
}
