import { IndexError } from './errors.js'
import { PDQ_WORDS, loadWords } from './pdqWords.js'

/** Ids are int32 and every posting list is an Int32Array; 2^27 values are 4 GiB of words, far past a node's 10M. */
export const MAX_VALUES = 2 ** 27

/** Growth factor of the word array's committed size; in-place growth makes a larger factor pointless. */
const GROWTH = 1.25

/** Room for the first values; small, since most indexes in tests hold a few thousand. */
const INITIAL_CAPACITY = 1024

/**
 * Address space reserved for a small index's words (64K values, 2 MiB). Past it the words move,
 * once, to a buffer reserving room for MAX_VALUES (4 GiB of address space, committed only as used):
 * so the many small indexes of a test run reserve little, and a large one grows without copying.
 */
const SMALL_RESERVE = 65_536

/** ES2024 resizable ArrayBuffer (Node 20 has it; the project's lib setting predates its types). */
interface ResizableArrayBuffer extends ArrayBuffer {
  readonly maxByteLength: number
  resize: (byteLength: number) => void
}
const ResizableArrayBuffer = ArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => ResizableArrayBuffer

/**
 * Every PDQ value the index has been given since the last compaction, by id (its position), 8
 * big-endian words each, plus a tombstone bitmap. Ids are handed out in order and never reused: a
 * removed value keeps its id and words, marked dead, until `compact` renumbers. The words live in
 * a resizable ArrayBuffer viewed by a length-tracking Int32Array, so growing never copies them (a
 * copy of a 10M-value array would be a ~1 s pause, mostly page faults).
 */
export class PdqValues {
  private buffer: ResizableArrayBuffer
  words: Int32Array
  /** Bit id is set when value id has been removed. */
  dead: Int32Array
  /** Ids in use are 0..count-1. */
  count = 0
  deadCount = 0

  constructor (capacity = INITIAL_CAPACITY) {
    const rounded = roundCapacity(capacity)
    this.buffer = new ResizableArrayBuffer(rounded * BYTES_PER_VALUE, { maxByteLength: reserveFor(rounded) * BYTES_PER_VALUE })
    this.words = new Int32Array(this.buffer)
    this.dead = new Int32Array(rounded >>> 5)
  }

  get capacity (): number {
    return this.words.length / PDQ_WORDS
  }

  get live (): number {
    return this.count - this.deadCount
  }

  /** Makes room for ids below `needed`, growing by GROWTH at least so that appends are amortised O(1). */
  reserve (needed: number): void {
    if (needed <= this.capacity) return
    if (needed > MAX_VALUES) throw new IndexError('INDEX_FULL', `a PDQ index holds at most ${MAX_VALUES} values`)
    const capacity = roundCapacity(Math.min(MAX_VALUES, Math.max(needed, Math.ceil(this.capacity * GROWTH))))
    this.resizeTo(capacity)
    const dead = new Int32Array(capacity >>> 5)
    dead.set(this.dead)
    this.dead = dead
  }

  private resizeTo (capacity: number): void {
    const bytes = capacity * BYTES_PER_VALUE
    if (bytes <= this.buffer.maxByteLength) {
      this.buffer.resize(bytes)
      return
    }
    const buffer = new ResizableArrayBuffer(bytes, { maxByteLength: reserveFor(capacity) * BYTES_PER_VALUE })
    const words = new Int32Array(buffer)
    words.set(this.words) // all of it: values staged past count must survive too
    this.buffer = buffer
    this.words = words
  }

  /** Writes `value` at id `id` (>= count) without making it part of the set: for staging a batch. */
  stage (id: number, value: Uint8Array): void {
    this.reserve(id + 1)
    loadWords(value, this.words, id * PDQ_WORDS)
  }

  /** Appends the value staged (or copied) at id `from` >= count as id `count`, and returns that id. */
  commitStaged (from: number): number {
    const id = this.count
    if (from !== id) this.words.copyWithin(id * PDQ_WORDS, from * PDQ_WORDS, (from + 1) * PDQ_WORDS)
    this.count++
    return id
  }

  isDead (id: number): boolean {
    return ((this.dead[id >>> 5]! >>> (id & 31)) & 1) === 1
  }

  kill (id: number): void {
    this.dead[id >>> 5]! |= 1 << (id & 31)
    this.deadCount++
  }

  /**
   * Drops dead values, renumbering the live ones 0..live-1 in their old order, and returns memory
   * when the array is mostly empty. Every id held elsewhere is invalid afterwards.
   */
  compact (): void {
    const { words, dead } = this
    let to = 0
    for (let id = 0; id < this.count; id++) {
      if (((dead[id >>> 5]! >>> (id & 31)) & 1) === 1) continue
      if (to !== id) words.copyWithin(to * PDQ_WORDS, id * PDQ_WORDS, (id + 1) * PDQ_WORDS)
      to++
    }
    this.count = to
    this.deadCount = 0
    if (this.capacity > 2 * to + INITIAL_CAPACITY) {
      const capacity = roundCapacity(Math.ceil(to * GROWTH) + INITIAL_CAPACITY)
      this.buffer.resize(capacity * BYTES_PER_VALUE)
      this.dead = new Int32Array(capacity >>> 5)
    } else {
      this.dead.fill(0)
    }
  }

  /** Committed bytes: the words' buffer as resized so far, and the bitmap. */
  byteLength (): number {
    return this.buffer.byteLength + this.dead.byteLength
  }
}

const BYTES_PER_VALUE = PDQ_WORDS * 4

/** A whole number of 32-value bitmap words. */
function roundCapacity (n: number): number {
  return Math.ceil(Math.max(n, 32) / 32) * 32
}

/** Values' worth of address space to reserve for a buffer of `capacity` values. */
function reserveFor (capacity: number): number {
  return capacity <= SMALL_RESERVE ? SMALL_RESERVE : MAX_VALUES
}
