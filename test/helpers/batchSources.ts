import fc from 'fast-check'
import { type BatchSource, LOCAL_SOURCE, MAX_PEER_CHARS } from '../../src/wire/batchSource.js'

/** Every source a store may hold: local, or gossip/sync from a peer id of printable ASCII. */
export function batchSourceArbitrary (): fc.Arbitrary<BatchSource> {
  const peer = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map(c => String.fromCharCode(c)), minLength: 1, maxLength: MAX_PEER_CHARS })
  // Mapped to a plain object: fc.record may build one without a prototype, which deepEqual tells apart.
  const fromPeer = fc.record({ kind: fc.constantFrom('gossip' as const, 'sync' as const), peer }).map(({ kind, peer }) => ({ kind, peer }))
  return fc.oneof(fc.constant(LOCAL_SOURCE), fromPeer)
}
