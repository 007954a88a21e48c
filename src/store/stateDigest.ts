import { sha256 } from '@noble/hashes/sha2.js'
import type { HeadRecord } from './hashStore.js'

/** Domain separation: this digest can never collide with a batch id or another hash of ours. */
const DOMAIN = new TextEncoder().encode('hashmesh/state-digest/v1')

/**
 * One digest over every publisher's head. Each head id commits to its whole chain (every body names
 * its predecessor's id), so two nodes with the same digest hold the same accepted history.
 * SHA-256(domain || for each head in publisher-key order: publisher(32) || seq(8, big-endian) || head id(32)).
 */
export function stateDigest (heads: readonly HeadRecord[]): Uint8Array {
  const sorted = [...heads].sort((a, b) => Buffer.compare(a.publisher, b.publisher))
  const parts: Uint8Array[] = [DOMAIN]
  for (const h of sorted) {
    const seq = new Uint8Array(8)
    new DataView(seq.buffer).setBigUint64(0, BigInt(h.seq))
    parts.push(h.publisher, seq, h.headId)
  }
  return sha256(Buffer.concat(parts))
}
