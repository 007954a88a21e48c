import { readFile, stat } from 'node:fs/promises'
import { CliError } from '../errors.js'

/**
 * Largest file `hash` and `match` read: whole files are held in memory to hash them, and an image
 * past this is far beyond what the node would decode anyway.
 */
export const MAX_LOCAL_FILE_BYTES = 1024 * 1024 * 1024

/** A local file's bytes, refusing a directory or a file too large to hold. */
export async function readLocalFile (path: string): Promise<Buffer> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new CliError('BAD_INPUT', `${path}: not a regular file`)
    if (info.size > MAX_LOCAL_FILE_BYTES) {
      throw new CliError('BAD_INPUT', `${path}: ${info.size} bytes; files over ${MAX_LOCAL_FILE_BYTES} bytes are not hashed`)
    }
    return await readFile(path)
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError('BAD_INPUT', `cannot read ${path}: ${(err as Error).message}`, { cause: err })
  }
}
