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
  /** Workers are stopped this long after the last upload finished (default IDLE_WORKER_MS). */
  idleMs?: number
}

export interface UploadHashOptions {
  mode?: PdqMode
  dihedral?: boolean
  /** The caller says the bytes are an image: one that does not decode is an error rather than "no PDQ". */
  image?: boolean
}

/**
 * Workers are stopped this long after the last upload, so a node that is not asked to match holds
 * no threads, and no memory: the allocator keeps what a large image took (1.7 GB after two 25 MP
 * 16-bit uploads, bench/uploadMemory.ts) until its thread ends, whatever the GC frees.
 */
const IDLE_WORKER_MS = 5_000

/** Resolved next to this file: hashWorker.ts under tsx, hashWorker.js in dist. */
const WORKER = new URL(`./hashWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href

/** Hashes uploaded files in memory, never keeping them, on a pool of worker threads with a bounded queue. */
export class UploadHasher {
  private readonly options: UploadHasherOptions
  private pool: Piscina<HashTask, HashOutcome> | undefined
  private inFlight = 0
  private idleTimer: NodeJS.Timeout | undefined

  constructor (options: UploadHasherOptions) {
    this.options = options
  }

  /** Worker threads running now (none once idle). */
  get threads (): number {
    return this.pool?.threads.length ?? 0
  }

  async hash (bytes: Uint8Array, options: UploadHashOptions = {}): Promise<FileHashes> {
    const task: HashTask = { bytes, options: { mode: options.mode, dihedral: options.dihedral, maxPixels: this.options.maxPixels } }
    const outcome = await this.run(task)
    if ('refused' in outcome) throw new HashingError(outcome.refused.code, outcome.refused.message)
    const { hashes } = outcome
    if (options.image === true && hashes.pdq === undefined) {
      throw new HashingError('UNSUPPORTED_IMAGE', 'the upload is declared an image but is not one this node decodes (JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF)')
    }
    return hashes
  }

  async close (): Promise<void> {
    clearTimeout(this.idleTimer)
    await this.retire()
  }

  /**
   * Piscina's own idleTimeout did not always stop idle workers (piscina 5.3: two threads still ran
   * 36 s after two uploads, with a 30 s timeout), so the whole pool is also retired once nothing has
   * run for idleMs, and a new one started by the next upload.
   */
  private async run (task: HashTask): Promise<HashOutcome> {
    clearTimeout(this.idleTimer)
    const pool = this.pool ??= this.newPool()
    this.inFlight++
    try {
      return await pool.run(task).catch((err: unknown) => { throw busyOr(err, pool) })
    } finally {
      if (--this.inFlight === 0) this.idleTimer = setTimeout(() => { void this.retire() }, this.options.idleMs ?? IDLE_WORKER_MS).unref()
    }
  }

  private newPool (): Piscina<HashTask, HashOutcome> {
    const { concurrency, maxWaiting, idleMs = IDLE_WORKER_MS } = this.options
    return new Piscina({ filename: WORKER, minThreads: 0, maxThreads: concurrency, maxQueue: maxWaiting, idleTimeout: idleMs })
  }

  private async retire (): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    await pool?.destroy()
  }
}

/** Piscina says its queue is full only in the message. */
function busyOr (err: unknown, pool: Piscina): unknown {
  if ((err as Error | undefined)?.message !== 'Task queue is at limit') return err
  return new MatchError('BUSY', `${pool.threads.length} files are being hashed and ${pool.queueSize} are waiting; retry later`)
}
