/**
 * Seeded hash over 32-bit words, for the indexes' hash tables. Each word is absorbed into the seeded
 * state before its multiply/xorshift round (unlike MurmurHash3, whose per-block step ignores the
 * state and so admits seed-independent collisions), so a publisher cannot pick values offline that
 * share a bucket. It is not a keyed PRF such as SipHash; at worst hostile values slow probing, never
 * change an answer. The finaliser is MurmurHash3's.
 */
export function hashWords (words: Uint32Array | Int32Array, at: number, count: number, seed: number): number {
  let h = seed
  for (let i = at; i < at + count; i++) {
    h = Math.imul(h ^ (words[i] ?? 0), 0x9e3779b1)
    h ^= h >>> 15
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
