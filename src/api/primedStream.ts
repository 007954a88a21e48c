import { Readable } from 'node:stream'

/**
 * A streamed answer that reads its first piece before the response starts, so that a failure at
 * the outset (a damaged first record) is still an error status; a failure later can only cut the
 * stream short.
 */
export async function primed (pieces: AsyncGenerator<string>): Promise<Readable> {
  const first = await pieces.next()
  async function * all (): AsyncGenerator<string> {
    if (first.done !== true) yield first.value
    yield * pieces
  }
  return Readable.from(all())
}
