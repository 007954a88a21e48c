import { DCT_SIDE } from './dct.js'
import { torbenMedian } from './median.js'

export const PDQ_HASH_BITS = DCT_SIDE * DCT_SIDE
export const PDQ_HASH_BYTES = PDQ_HASH_BITS / 8

/**
 * Bit k (= row × 16 + column of the DCT) lives in 16-bit word k >> 4 at bit k & 15, and the reference
 * prints the words from 15 down to 0: so the 32 bytes of its hex are one big-endian 256-bit number whose
 * bit k is hash bit k. Byte 31 holds bits 0..7.
 */
function byteOf (k: number): number {
  return PDQ_HASH_BYTES - 1 - (k >> 3)
}

export function getHashBit (hash: Uint8Array, k: number): boolean {
  return (hash[byteOf(k)]! & (1 << (k & 7))) !== 0
}

export function setHashBit (hash: Uint8Array, k: number): void {
  hash[byteOf(k)]! |= 1 << (k & 7)
}

/** A 1 bit for every coefficient strictly above the 16×16 DCT's median (so about half the bits are set). */
export function hashFromDct (dct16: Float32Array): Uint8Array {
  const median = torbenMedian(dct16)
  const hash = new Uint8Array(PDQ_HASH_BYTES)
  for (let k = 0; k < PDQ_HASH_BITS; k++) {
    if (dct16[k]! > median) setHashBit(hash, k)
  }
  return hash
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => {
  let c = 0
  for (let x = v; x !== 0; x &= x - 1) c++
  return c
})

/** Number of differing bits between two hashes of the same length. */
export function hammingDistance (a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`hash lengths differ: ${a.length} vs ${b.length}`)
  let d = 0
  for (let i = 0; i < a.length; i++) d += POPCOUNT[a[i]! ^ b[i]!]!
  return d
}
