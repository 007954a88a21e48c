import { open } from 'node:fs/promises'
import { CliError } from '../errors.js'

/** A publish input, opened for its one read. */
export interface InputSource {
  name: string
  stream: AsyncIterable<Buffer | string>
}

/**
 * `-` is stdin; anything else is opened once. A pipe or FIFO is fine (it is read once); a
 * directory is named as the mistake rather than failing later with EISDIR.
 */
export async function openInput (file: string): Promise<InputSource> {
  if (file === '-') return { name: 'stdin', stream: process.stdin }
  try {
    const handle = await open(file)
    if ((await handle.stat()).isDirectory()) {
      await handle.close()
      throw new CliError('BAD_INPUT', `${file}: is a directory; publish takes a file, or - for stdin`)
    }
    return { name: file, stream: handle.createReadStream() }
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError('BAD_INPUT', `cannot read ${file}: ${(err as Error).message}`, { cause: err })
  }
}
