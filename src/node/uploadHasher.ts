import { Piscina } from 'piscina'
import { HashingError } from '../hashing/errors.js'
import type { FileHashes, PdqMode } from '../hashing/fileHasher.js'
import { HashmeshError } from '../errors.js'
import type { HashOutcome, HashTask } from './hashWorker.js'

export type MatchErrorCode =
  /** More uploads are being hashed and waiting than the node takes on; retry later. */
  | 'BUSY'

export class MatchError extends HashmeshError<MatchErrorCode> {}

export interface UploadHasherOptions {
  /**
   * Worker threads hashing at once. Each holds several full-size pixel buffers while it works, and
   * more than one per core only costs memory.
   */
  concurrency: number
  /** Uploads allowed to wait (each holds its bytes); past this the node answers BUSY at once. */
  maxWaiting: number
  /** Largest image decoded, in pixels (bounds the memory one upload can take). */
  maxPixels: number
}

export interface UploadHashOptions {
  mode?: PdqMode
  dihedral?: boolean
  /** The caller says the bytes are an image: one that does not decode is an error rather than "no PDQ". */
  image?: boolean
}

/** An idle worker is stopped after this long, so a node that is not asked to match holds no threads. */
const IDLE_WORKER_MS = 30_000

/** Resolved next to this file: hashWorker.ts under tsx, hashWorker.js in dist. */
const WORKER = new URL(`./hashWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href

/** Hashes uploaded files in memory, never keeping them, on a pool of worker threads with a bounded queue. */
export class UploadHasher {
  private readonly options: UploadHasherOptions
  private readonly pool: Piscina<HashTask, HashOutcome>

  constructor (options: UploadHasherOptions) {
    this.options = options
    this.pool = new Piscina({
      filename: WORKER,
      minThreads: 0,
      maxThreads: options.concurrency,
      maxQueue: options.maxWaiting,
      idleTimeout: IDLE_WORKER_MS
    })
  }

  async hash (bytes: Uint8Array, options: UploadHashOptions = {}): Promise<FileHashes> {
    const task: HashTask = { bytes, options: { mode: options.mode, dihedral: options.dihedral, maxPixels: this.options.maxPixels } }
    const outcome = await this.pool.run(task).catch((err: unknown) => { throw busyOr(err, this.pool) })
    if ('refused' in outcome) throw new HashingError(outcome.refused.code, outcome.refused.message)
    const { hashes } = outcome
    if (options.image === true && hashes.pdq === undefined) {
      throw new HashingError('UNSUPPORTED_IMAGE', 'the upload is declared an image but is not one this node decodes (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF)')
    }
    return hashes
  }

  async close (): Promise<void> {
    await this.pool.destroy()
  }
}

/** Piscina says its queue is full only in the message. */
function busyOr (err: unknown, pool: Piscina): unknown {
  if ((err as Error | undefined)?.message !== 'Task queue is at limit') return err
  return new MatchError('BUSY', `${pool.threads.length} files are being hashed and ${pool.queueSize} are waiting; retry later`)
}
