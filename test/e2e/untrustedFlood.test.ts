import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf, sign } from '../../src/crypto/ed25519.js'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess } from '../../src/cli/nodeProcess.js'
import type { HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import { batchTopic } from '../../src/network/topics.js'
import type { LookupResult, NodeStatus } from '../../src/node/interface.js'
import { encodeSignedBatch } from '../../src/wire/batchCodec.js'
import { MAX_SIGNED_BATCH_BYTES } from '../../src/wire/limits.js'
import { BatchBodyType } from '../../src/wire/schema.js'
import { getJson, postJson } from '../helpers/http.js'
import { roguePeerOf } from '../helpers/roguePeer.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'flood'
const FLOOD_BATCHES = 300
/** 6,500 sha256 entries with one label: ~340 KB, the size of the batches in the attack. */
const FLOOD_ENTRIES = 6_500
/** The honest batch is sent once this many flood batches are on their way: it meets nearly all of it. */
const FLOOD_LEAD = 5
const UNLOADED_RUNS = 3
/** As large as an honest platform's batch: its unloaded arrival (~0.2 s) is the figure. */
const HONEST_ENTRIES = 10_000
/**
 * On a loaded 2-core machine a 0.2 s arrival jitters by a few hundred ms whatever the flood does,
 * and 100 MB still has to cross the connection. Measured here: unloaded 130-280 ms; under the flood
 * 420-550 ms with the pre-check, 780-1,650 ms without it.
 */
const SLACK_MS = 500

function nodeArgs (extra: string[]): string[] {
  return ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads', ...extra]
}

/**
 * Validly signed batches of one key no node trusts. The entries are encoded once and appended to
 * each body's own fields (protobuf concatenates), so 300 batches take a second to build, not ten.
 */
function untrustedBatches (): Uint8Array[] {
  const key = generateSecretKey()
  const entries = Array.from({ length: FLOOD_ENTRIES }, () => ({ signalType: 'sha256', value: randomBytes(32), labels: ['flood'], action: 0 }))
  const entryBytes = BatchBodyType.encode({ entries }).finish()
  return Array.from({ length: FLOOD_BATCHES }, (_, i) => {
    const header = BatchBodyType.encode({ publisher: publicKeyOf(key), seq: 1, createdAtMs: Date.now() - i, network: NETWORK }).finish()
    const body = Buffer.concat([header, entryBytes])
    return encodeSignedBatch(body, sign(body, key))
  })
}

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

function median (values: number[]): number {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!
}

describe('a flood of validly signed batches from an untrusted key (real processes, TCP)', function () {
  this.timeout(180_000)
  let base: string
  let a: NodeProcess, b: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo
  let token: string
  let rogue: HashmeshLibp2p | undefined
  let batches: Uint8Array[]

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-flood-'))
    batches = untrustedBatches()
    a = new NodeProcess(join(base, 'a'), nodeArgs([]))
    infoA = await a.start()
    token = (await readFile(join(base, 'a', 'admin.token'), 'utf8')).trim()
    b = new NodeProcess(join(base, 'b'), nodeArgs(['--bootstrap', infoA.multiaddrs[0]!, '--trust', infoA.publisherKey]))
    infoB = await b.start()
    await waitFor('A–B mesh', async () => (await status(infoB)).meshPeers.includes(infoA.peerId), 20_000)
  })

  after(async function () {
    await rogue?.stop()
    await Promise.all([a, b].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  /**
   * Milliseconds from A's publish (A has stored the batch and handed it to gossip) to B answering a
   * lookup with its last hash: the hop the flood is on, without A's own share of the machine.
   */
  async function honestArrivalMs (): Promise<number> {
    const entries = Array.from({ length: HONEST_ENTRIES }, () => ({ type: 'sha256', value: randomBytes(32).toString('hex'), labels: ['honest'] }))
    const value = entries.at(-1)!.value
    assert.equal((await postJson(`${infoA.http}/v1/batches`, { entries }, token)).status, 201)
    const started = Date.now()
    await waitFor('the honest batch on B', async () =>
      (await getJson<LookupResult>(`${infoB.http}/v1/lookup/sha256/${value}`)).body.listed, 60_000, 20)
    return Date.now() - started
  }

  it(`an honest batch published during a flood of ${FLOOD_BATCHES} untrusted ~340 KB batches reaches B within 2x its unloaded time`, async function () {
    await honestArrivalMs() // warms both nodes' code paths: the first batch is always the slowest
    const unloaded: number[] = []
    for (let i = 0; i < UNLOADED_RUNS; i++) unloaded.push(await honestArrivalMs())
    const baseline = median(unloaded)

    // In this process, as an attacker on the same host: the nodes share the two cores with it.
    rogue = await roguePeerOf(infoB, NETWORK)
    const flooder = rogue
    let sent = 0
    const flood = (async () => {
      for (const bytes of batches) {
        await flooder.services.pubsub.publish(batchTopic(NETWORK), bytes)
        sent++
      }
    })()
    await waitFor('the flood under way', async () => sent >= FLOOD_LEAD, 30_000, 5)
    const underFlood = await honestArrivalMs()
    await flood

    const limit = Math.max(2 * baseline, baseline + SLACK_MS)
    this.test!.title += ` (unloaded ${unloaded.join('/')} ms, under flood ${underFlood} ms, limit ${limit} ms)`
    assert.ok(underFlood <= limit, `honest batch took ${underFlood} ms under the flood, unloaded ${baseline} ms`)
  })

  it('B counts the flood batches it saw as dropped, by reason, and neither bans nor penalises the relay', async function () {
    // Gossipsub itself sheds some of a 100 MB burst on the way (its stream queues are bounded), so
    // not all 300 reach the validator; wait until what did is counted and the count stops moving.
    let last = -1
    const counts = await waitFor('the flood counted', async () => {
      const { validation } = await status(infoB)
      const dropped = (validation.ignore.UNTRUSTED_PUBLISHER ?? 0) + (validation.ignore.UNTRUSTED_BUDGET ?? 0)
      const settled = dropped === last
      last = dropped
      return settled && dropped >= FLOOD_BATCHES / 2 ? validation : undefined
    }, 60_000, 1_000)
    assert.deepEqual(Object.keys(counts.ignore).sort(), ['UNTRUSTED_BUDGET', 'UNTRUSTED_PUBLISHER'])
    // The budget, 16 of the largest batches, holds ~49 of these; a few more refill during the flood.
    const budgetBatches = Math.floor(16 * MAX_SIGNED_BATCH_BYTES / batches[0]!.length)
    assert.ok(counts.ignore.UNTRUSTED_PUBLISHER! <= budgetBatches + 5, `no more than the budget refused one by one: ${JSON.stringify(counts)}`)
    assert.ok(counts.ignore.UNTRUSTED_BUDGET! > 0, `the budget dropped the rest: ${JSON.stringify(counts)}`)
    assert.deepEqual(counts.reject, {})
    const s = await status(infoB)
    assert.deepEqual(s.bannedPeers, [])
    assert.ok(s.connectedPeers.includes(rogue!.peerId.toString()), 'the relay is still connected')
  })
})
