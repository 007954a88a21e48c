import { HashingError, type HashingErrorCode } from '../hashing/errors.js'
import { type FileHashes, type HashFileOptions, hashFile } from '../hashing/fileHasher.js'

export interface HashTask {
  bytes: Uint8Array
  options: HashFileOptions
}

/** A thrown error loses its class and code crossing threads, so a refusal travels as a value. */
export type HashOutcome = { hashes: FileHashes } | { refused: { code: HashingErrorCode, message: string } }

/**
 * Runs in a worker thread: decoding and PDQ take tens of milliseconds of CPU per photo (seconds for
 * the largest), which on the node's own thread would stall gossip, sync and every other request.
 */
export default async function hashInWorker (task: HashTask): Promise<HashOutcome> {
  try {
    return { hashes: await hashFile(task.bytes, task.options) }
  } catch (err) {
    if (err instanceof HashingError) return { refused: { code: err.code, message: err.message } }
    throw err
  }
}
