// Run as its own process by syncShutdown.test.ts: starts a slow catch-up, stops everything halfway,
// and then simply returns. The process exits on its own only if nothing (a timer, a socket, a
// stream) was left behind.
import { generateSecretKey } from '../../../src/crypto/ed25519.js'
import { makeChain, randomEntries } from '../../helpers/batches.js'
import { waitFor } from '../../helpers/waitFor.js'
import { connect, createSyncNode, ingestAll } from './syncFixtures.js'

const publisher = generateSecretKey()
const relay = await createSyncNode({ trusts: [publisher] })
await ingestAll(relay, makeChain(publisher, Array.from({ length: 40 }, () => randomEntries(2))))
const slow = await createSyncNode({ trusts: [publisher], options: { maxBatchesPerRange: 1, intervalMs: 1_000 } })
await connect(slow.libp2p, relay.libp2p)
const round = slow.sync.syncWith(relay.peerId).then(() => 'finished', () => 'aborted')
await waitFor('a catch-up under way', async () => (slow.sync.progress()[0]?.currentSeq ?? 0) >= 2)
await slow.close()
await relay.close()
process.stdout.write(`stopped: ${await round}\n`)
