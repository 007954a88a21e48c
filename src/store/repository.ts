import type { Level } from 'level'
import { Bucket } from './buckets.js'
import { StoreError } from './errors.js'
import { type KeyRange, bucketRange } from './keys.js'

/** The LevelDB handle. Only the store's core holds it: hashStore.ts opens it, each Repository reads through it. */
export type LevelDb = Level<Uint8Array, Uint8Array>

/** A point-in-time view: a scan in several passes sees one state even while the node writes. */
export type StoreSnapshot = ReturnType<LevelDb['snapshot']>

/** One write of an atomic batch. Repositories build them; only the store's write queue writes them. */
export type StoreOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

/** Turns a bucket's keys or values into bytes and back; `decode` throws CORRUPT_RECORD on bad bytes. */
export interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (bytes: Uint8Array) => T
}

/** Bytes stored as they are: for records a caller hashes or checks byte by byte. */
export const RAW_BYTES: Codec<Uint8Array> = { encode: b => b, decode: b => b }

/** For an index bucket whose keys say everything: the value is empty, and anything else is damage. */
export const KEY_ONLY: Codec<true> = {
  encode: () => new Uint8Array(0),
  decode: b => {
    if (b.length !== 0) throw new StoreError('CORRUPT_RECORD', `an index record holds ${b.length} bytes; it must be empty`)
    return true
  }
}

export interface ReadOptions {
  /** Reads see this snapshot instead of the store as it is now. */
  snapshot?: StoreSnapshot
}

export interface ScanOptions extends ReadOptions {
  /** A range inside the bucket; the whole bucket by default. */
  range?: KeyRange
  /** Records per native call. */
  chunk?: number
  limit?: number
  reverse?: boolean
}

/** Small records per native call: ~100 KB a chunk. */
export const DEFAULT_SCAN_CHUNK = 1000

/**
 * Typed access to one bucket, as lodestar's db Repository: keys and values go through the bucket's
 * codecs. Reads go straight to LevelDB; writes are only ever returned as StoreOps, which the store
 * writes through its one serial write queue, so no repository can write around it.
 * The `*Binary` methods hand back undecoded bytes, for checks that report damage instead of throwing.
 */
export class Repository<K, V> {
  readonly bucket: Bucket
  private readonly db: LevelDb
  private readonly keys: Codec<K>
  private readonly values: Codec<V>

  constructor (db: LevelDb, bucket: Bucket, keys: Codec<K>, values: Codec<V>) {
    this.db = db
    this.bucket = bucket
    this.keys = keys
    this.values = values
  }

  /** Every key of the bucket. */
  range (): KeyRange {
    return bucketRange(this.bucket)
  }

  encodeKey (key: K): Uint8Array {
    return this.keys.encode(key)
  }

  /** Throws CORRUPT_RECORD for a key of the wrong shape. */
  decodeKey (key: Uint8Array): K {
    return this.keys.decode(key)
  }

  encodeValue (value: V): Uint8Array {
    return this.values.encode(value)
  }

  /** Throws CORRUPT_RECORD for a value that does not decode. */
  decodeValue (bytes: Uint8Array): V {
    return this.values.decode(bytes)
  }

  async get (key: K, options: ReadOptions = {}): Promise<V | undefined> {
    const bytes = await this.getBinary(key, options)
    return bytes === undefined ? undefined : this.values.decode(bytes)
  }

  async getBinary (key: K, options: ReadOptions = {}): Promise<Uint8Array | undefined> {
    return await this.db.get(this.keys.encode(key), options)
  }

  async getMany (keys: readonly K[], options: ReadOptions = {}): Promise<Array<V | undefined>> {
    return (await this.getManyBinary(keys, options)).map(b => b === undefined ? undefined : this.values.decode(b))
  }

  async getManyBinary (keys: readonly K[], options: ReadOptions = {}): Promise<Array<Uint8Array | undefined>> {
    return await this.getManyEncoded(keys.map(k => this.keys.encode(k)), options)
  }

  /** For a caller that holds the keys encoded already (encodeKey); a key of another bucket is refused. */
  async getManyEncoded (keys: readonly Uint8Array[], options: ReadOptions = {}): Promise<Array<Uint8Array | undefined>> {
    if (keys.some(k => k[0] !== this.bucket)) throw new StoreError('BAD_RANGE', `a key outside bucket ${Bucket[this.bucket]}`)
    return await this.db.getMany(keys as Uint8Array[], options)
  }

  async has (key: K, options: ReadOptions = {}): Promise<boolean> {
    return await this.db.has(this.keys.encode(key), options)
  }

  async hasMany (keys: readonly K[], options: ReadOptions = {}): Promise<boolean[]> {
    return await this.db.hasMany(keys.map(k => this.keys.encode(k)), options)
  }

  putOp (key: K, value: V): StoreOp {
    return { type: 'put', key: this.keys.encode(key), value: this.values.encode(value) }
  }

  /** For a value already encoded (a record rewritten by a migration, or copied as it is). */
  /** For a caller that holds the key encoded already; a key of another bucket is refused. */
  putEncodedOp (key: Uint8Array, value: V): StoreOp {
    if (key[0] !== this.bucket) throw new StoreError('BAD_RANGE', `a key outside bucket ${Bucket[this.bucket]}`)
    return { type: 'put', key, value: this.values.encode(value) }
  }

  putBinaryOp (key: K, bytes: Uint8Array): StoreOp {
    return { type: 'put', key: this.keys.encode(key), value: bytes }
  }

  delOp (key: K): StoreOp {
    return { type: 'del', key: this.keys.encode(key) }
  }

  /** Raw records in key order, a chunk per native call; keys are not decoded, so a malformed one still shows. */
  async * entriesBinary (options: ScanOptions = {}): AsyncGenerator<Array<[Uint8Array, Uint8Array]>> {
    yield * chunksOf(this.db.iterator(this.iteratorOptions(options)), options.chunk ?? DEFAULT_SCAN_CHUNK)
  }

  /** Raw records one at a time, read a chunk per native call. */
  async * recordsBinary (options: ScanOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const rows of this.entriesBinary(options)) yield * rows
  }

  /** Raw keys in key order without their values, a chunk per native call. */
  async * keysBinary (options: ScanOptions = {}): AsyncGenerator<Uint8Array[]> {
    yield * chunksOf(this.db.keys(this.iteratorOptions(options)), options.chunk ?? DEFAULT_SCAN_CHUNK)
  }

  /**
   * A short range read, whole. LevelDB's nextv stops early once a chunk's bytes pass the iterator's
   * high-water mark, so only a short chunk that stayed under it is the end of the range: a range
   * smaller than `chunk` (one hash's rows, say) still costs one native call, not two.
   */
  async readRange (options: ScanOptions): Promise<Array<[Uint8Array, Uint8Array]>> {
    const it = this.db.iterator({ ...this.iteratorOptions(options), highWaterMarkBytes: READ_RANGE_HIGH_WATER_BYTES })
    const chunk = options.chunk ?? DEFAULT_SCAN_CHUNK
    try {
      const rows: Array<[Uint8Array, Uint8Array]> = []
      for (;;) {
        const got = await it.nextv(chunk)
        rows.push(...got)
        if (got.length === 0 || (got.length < chunk && byteLength(got) <= READ_RANGE_HIGH_WATER_BYTES)) return rows
      }
    } finally {
      await it.close()
    }
  }

  /** Decoded records in key order. */
  async * entries (options: ScanOptions = {}): AsyncGenerator<[K, V]> {
    for await (const rows of this.entriesBinary(options)) {
      for (const [k, v] of rows) yield [this.keys.decode(k), this.values.decode(v)]
    }
  }

  /** Every decoded record of the range at once: for buckets that stay small. */
  async all (options: ScanOptions = {}): Promise<Array<[K, V]>> {
    const out: Array<[K, V]> = []
    for await (const row of this.entries(options)) out.push(row)
    return out
  }

  async isEmpty (options: ScanOptions = {}): Promise<boolean> {
    for await (const keys of this.keysBinary({ ...options, limit: 1 })) return keys.length === 0
    return true
  }

  async count (options: ScanOptions = {}): Promise<number> {
    let n = 0
    for await (const keys of this.keysBinary(options)) n += keys.length
    return n
  }

  private iteratorOptions (options: ScanOptions): KeyRange & { snapshot?: StoreSnapshot, limit?: number, reverse?: boolean } {
    const bucket = this.range()
    const range = options.range ?? bucket
    if (Buffer.compare(range.gte, bucket.gte) < 0 || Buffer.compare(range.lt, bucket.lt) > 0) {
      throw new StoreError('BAD_RANGE', `a range outside bucket ${this.bucket} was asked of its repository`)
    }
    return {
      ...range,
      ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.reverse === undefined ? {} : { reverse: options.reverse })
    }
  }
}

/** classic-level's default, set explicitly because readRange reasons about it. */
const READ_RANGE_HIGH_WATER_BYTES = 16 * 1024

function byteLength (rows: ReadonlyArray<[Uint8Array, Uint8Array]>): number {
  let n = 0
  for (const [k, v] of rows) n += k.length + v.length
  return n
}

/** Drains a LevelDB iterator `chunk` items per native call, and closes it however the caller stops. */
async function * chunksOf<T> (it: { nextv: (size: number) => Promise<T[]>, close: () => Promise<void> }, chunk: number): AsyncGenerator<T[]> {
  try {
    for (let items = await it.nextv(chunk); items.length > 0; items = await it.nextv(chunk)) yield items
  } finally {
    await it.close()
  }
}
