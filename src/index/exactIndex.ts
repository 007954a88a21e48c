import { randomBytes } from 'node:crypto'
import { SIGNAL_TYPES, SignalError } from '../signals/registry.js'
import { IndexError } from './errors.js'
import { hashWords } from './seededHash.js'

/**
 * Slots per table at start: most signal types hold few or no hashes, and doubling is cheap early.
 * A power of two (slots are found by masking) and a multiple of 32 (one bitmap word per 32 slots).
 */
const INITIAL_SLOTS = 1024

/**
 * Grow by doubling past this load. Linear probing costs ~2 probes per hit and ~6 per miss at 0.7;
 * lower would speed misses a little but cost up to twice the memory, and memory is the constraint.
 */
const MAX_LOAD = 0.7

/** 2^28 slots hold ~188M values of one type; for a 32-byte type that is already 8 GiB of slots. */
const MAX_SLOTS = 2 ** 28

const WORD_BYTES = 4

function wordsFor (length: number): number {
  return Math.ceil(length / WORD_BYTES)
}

/**
 * Open-addressing set of fixed-width values with linear probing. Values live packed in one
 * Uint32Array (`words` per slot) and occupancy in a bitmap, so a hash costs its own bytes divided by
 * the load factor and nothing per object.
 */
class Table {
  /** Bytes per value, as the registry fixes it for the table's signal type. */
  readonly length: number
  readonly words: number
  size = 0
  private readonly seed: number
  private slots: Uint32Array
  private occupied: Uint32Array
  private mask: number
  /** The value being added or looked up, as words; reused so that a call allocates nothing. */
  private readonly key: Uint32Array

  constructor (length: number, seed: number) {
    this.length = length
    this.words = wordsFor(length)
    this.seed = seed
    this.slots = new Uint32Array(INITIAL_SLOTS * this.words)
    this.occupied = new Uint32Array(INITIAL_SLOTS / 32)
    this.mask = INITIAL_SLOTS - 1
    this.key = new Uint32Array(this.words)
  }

  /** Bytes of the typed arrays the table holds. */
  byteLength (): number {
    return this.slots.byteLength + this.occupied.byteLength + this.key.byteLength
  }

  has (value: Uint8Array): boolean {
    const key = this.load(value)
    return this.isOccupied(this.probe(key, hashWords(key, 0, this.words, this.seed)))
  }

  add (value: Uint8Array): boolean {
    const key = this.load(value)
    const hash = hashWords(key, 0, this.words, this.seed)
    let slot = this.probe(key, hash)
    if (this.isOccupied(slot)) return false
    if (this.size + 1 > (this.mask + 1) * MAX_LOAD) {
      this.grow()
      slot = this.probe(key, hash)
    }
    this.place(slot, key, 0)
    this.size++
    return true
  }

  /** Little-endian words; a length that is not a multiple of 4 pads with zeros, the same for every value. */
  private load (value: Uint8Array): Uint32Array {
    const key = this.key
    for (let i = 0, b = 0; i < this.words; i++, b += WORD_BYTES) {
      key[i] = ((value[b] ?? 0) | (value[b + 1] ?? 0) << 8 | (value[b + 2] ?? 0) << 16 | (value[b + 3] ?? 0) << 24) >>> 0
    }
    return key
  }

  /** The slot holding `key`, or the empty slot where it would go; the load bound guarantees one exists. */
  private probe (key: Uint32Array, hash: number): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      if (!this.isOccupied(slot) || this.holds(slot, key)) return slot
    }
  }

  private holds (slot: number, key: Uint32Array): boolean {
    const base = slot * this.words
    for (let i = 0; i < this.words; i++) {
      if (this.slots[base + i] !== key[i]) return false
    }
    return true
  }

  private isOccupied (slot: number): boolean {
    return testBit(this.occupied, slot)
  }

  private place (slot: number, from: Uint32Array, at: number): void {
    const base = slot * this.words
    for (let i = 0; i < this.words; i++) this.slots[base + i] = from[at + i] ?? 0
    this.occupied[slot >>> 5] = (this.occupied[slot >>> 5] ?? 0) | (1 << (slot & 31))
  }

  /** Doubles and reinserts; every stored value is distinct, so only an empty slot is looked for. */
  private grow (): void {
    const capacity = (this.mask + 1) * 2
    if (capacity > MAX_SLOTS) throw new IndexError('INDEX_FULL', `a signal type's table would exceed ${MAX_SLOTS} slots`)
    const { slots, occupied } = this
    this.slots = new Uint32Array(capacity * this.words)
    this.occupied = new Uint32Array(capacity / 32)
    this.mask = capacity - 1
    for (let from = 0; from < capacity / 2; from++) {
      if (!testBit(occupied, from)) continue
      const at = from * this.words
      let to = hashWords(slots, at, this.words, this.seed) & this.mask
      while (this.isOccupied(to)) to = (to + 1) & this.mask
      this.place(to, slots, at)
    }
  }
}

function testBit (bitmap: Uint32Array, i: number): boolean {
  return (((bitmap[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1
}

/**
 * Every (signal type, value) the store holds, in memory, so that a negative lookup (the common
 * case) never touches disk. One table per signal type; no deletion, since a retracted hash stays
 * known and its details come from the store.
 */
export class ExactIndex {
  private readonly tables: Array<Table | undefined> = []

  constructor () {
    const seed = randomBytes(4).readUInt32LE()
    for (const type of SIGNAL_TYPES) this.tables[type.code] = new Table(type.length, seed)
  }

  /** True if the value was not known before. */
  add (signalTypeCode: number, value: Uint8Array): boolean {
    return this.tableFor(signalTypeCode, value).add(value)
  }

  has (signalTypeCode: number, value: Uint8Array): boolean {
    return this.tableFor(signalTypeCode, value).has(value)
  }

  sizeOf (signalTypeCode: number): number {
    const table = this.tables[signalTypeCode]
    if (table === undefined) throw unknownType(signalTypeCode)
    return table.size
  }

  get size (): number {
    return this.tables.reduce((n, t) => n + (t?.size ?? 0), 0)
  }

  /** Bytes of the typed arrays every table holds: what the set costs in memory. */
  memoryBytes (): number {
    return this.tables.reduce((n, t) => n + (t?.byteLength() ?? 0), 0)
  }

  private tableFor (signalTypeCode: number, value: Uint8Array): Table {
    const table = this.tables[signalTypeCode]
    if (table === undefined) throw unknownType(signalTypeCode)
    if (value.length !== table.length) {
      throw new SignalError('BAD_SIGNAL_VALUE', `value for type code ${signalTypeCode} must be ${table.length} bytes, got ${value.length}`)
    }
    return table
  }
}

function unknownType (code: number): SignalError {
  return new SignalError('UNKNOWN_SIGNAL_TYPE', `unknown signal type code ${code}`)
}
