// Run as its own process by untrustedFlood.test.ts, as an attacker runs on its own machine: a rogue
// libp2p peer connected to one node. It builds its flood of validly signed batches from a key no
// node trusts, prints "ready <peer id>", floods when a line arrives on stdin, printing "sent <n>"
// as it goes and "done" at the end, and stays connected until stdin closes.
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { generateSecretKey, publicKeyOf, sign } from '../../src/crypto/ed25519.js'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { batchTopic } from '../../src/network/topics.js'
import { encodeSignedBatch } from '../../src/wire/batchCodec.js'
import { BatchBodyType } from '../../src/wire/schema.js'
import { roguePeerOf } from '../helpers/roguePeer.js'

const [targetJson, network, batchesArg, entriesArg] = process.argv.slice(2)
const target = JSON.parse(targetJson!) as NodeInfo
const count = Number(batchesArg)

/** The entries are encoded once and appended to each body's own fields (protobuf concatenates). */
function untrustedBatches (): Uint8Array[] {
  const key = generateSecretKey()
  const entries = Array.from({ length: Number(entriesArg) }, () => ({ signalType: 'sha256', value: randomBytes(32), labels: ['flood'], action: 0 }))
  const entryBytes = BatchBodyType.encode({ entries }).finish()
  return Array.from({ length: count }, (_, i) => {
    const header = BatchBodyType.encode({ publisher: publicKeyOf(key), seq: 1, createdAtMs: Date.now() - i, network }).finish()
    const body = Buffer.concat([header, entryBytes])
    return encodeSignedBatch(body, sign(body, key))
  })
}

const batches = untrustedBatches()
const peer = await roguePeerOf(target, network!)
process.stdout.write(`ready ${peer.peerId.toString()} ${batches[0]!.length}\n`)
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
await lines.next()
for (const [i, bytes] of batches.entries()) {
  await peer.services.pubsub.publish(batchTopic(network!), bytes)
  process.stdout.write(`sent ${i + 1}\n`)
}
process.stdout.write('done\n')
await lines.next()
await peer.stop()
