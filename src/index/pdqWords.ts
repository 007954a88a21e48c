/**
 * A PDQ value as eight 32-bit words, the form every PDQ index structure stores and compares.
 *
 * Words are big-endian over the value's bytes (byte 0 is the top byte of word 0), so comparing words
 * as unsigned numbers in order is comparing the bytes lexicographically, and bit i of the value (0 =
 * the top bit of byte 0) is bit 31 - (i & 31) of word i >> 5. They live in Int32Arrays: V8 keeps int32
 * values unboxed, where a Uint32Array element above 2^31 would become a double.
 */
import { IndexError } from './errors.js'
import { hashWords } from './seededHash.js'

export const PDQ_BYTES = 32
export const PDQ_WORDS = 8
export const PDQ_BITS = 256

/** Set bits of a 32-bit integer: the SWAR reduction (2-, 4-, 8-bit sums, then one multiply to add the bytes). */
export function popcount32 (x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24
}

/**
 * The first two SWAR steps of a popcount: each nibble of the result counts the set bits of that
 * nibble of x (0..4). Three such results can be added before a nibble could overflow.
 */
export function nibbleCounts (x: number): number {
  x = x - ((x >>> 1) & 0x55555555)
  return (x & 0x33333333) + ((x >>> 2) & 0x33333333)
}

/** Sums the nibble pairs of a sum of up to three nibbleCounts into bytes (0..24). */
export function byteCounts (n: number): number {
  return (n & 0x0f0f0f0f) + ((n >>> 4) & 0x0f0f0f0f)
}

/** Sum of the four bytes of a sum of byteCounts (any total up to 1020). */
export function sumBytes (x: number): number {
  x = (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)
  return (x & 0xffff) + (x >>> 16)
}

/** Writes the 32 bytes of `value` as big-endian words at `into[at..at + 8)`. The caller has checked the length. */
export function loadWords (value: Uint8Array, into: Int32Array, at: number): void {
  for (let i = 0, b = 0; i < PDQ_WORDS; i++, b += 4) {
    into[at + i] = (value[b]! << 24) | (value[b + 1]! << 16) | (value[b + 2]! << 8) | value[b + 3]!
  }
}

/** A fresh 32-byte copy of the value whose words start at `words[at]`. */
export function wordsToBytes (words: Int32Array, at: number): Uint8Array {
  const out = new Uint8Array(PDQ_BYTES)
  for (let i = 0, b = 0; i < PDQ_WORDS; i++, b += 4) {
    const w = words[at + i]!
    out[b] = w >>> 24
    out[b + 1] = w >>> 16
    out[b + 2] = w >>> 8
    out[b + 3] = w
  }
  return out
}

/** True when the values at `a[ai..]` and `b[bi..]` are the same. */
export function equalAt (a: Int32Array, ai: number, b: Int32Array, bi: number): boolean {
  for (let i = 0; i < PDQ_WORDS; i++) if (a[ai + i] !== b[bi + i]) return false
  return true
}

/** Byte order of the values at `a[ai..]` and `b[bi..]`: negative, zero or positive. */
export function compareAt (a: Int32Array, ai: number, b: Int32Array, bi: number): number {
  for (let i = 0; i < PDQ_WORDS; i++) {
    const x = a[ai + i]! >>> 0
    const y = b[bi + i]! >>> 0
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** Seeded 32-bit hash of one value's words (see seededHash.ts). */
export function hashAt (words: Int32Array, at: number, seed: number): number {
  return hashWords(words, at, PDQ_WORDS, seed)
}

/** The value itself, once checked to be a PDQ value: a Uint8Array of exactly 32 bytes. */
export function requirePdqValue (value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== PDQ_BYTES) {
    throw new IndexError('BAD_PDQ_VALUE', `a PDQ value must be ${PDQ_BYTES} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`)
  }
  return value
}
