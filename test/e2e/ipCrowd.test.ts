import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli } from '../../src/cli/nodeProcess.js'
import { MAX_SYNC_INTERVAL_MS } from '../../src/config/schema.js'
import type { HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import type { NodeStatus } from '../../src/node/interface.js'
import { getJson, postJson } from '../helpers/http.js'
import { roguePeerOf } from '../helpers/roguePeer.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'crowd'
/** More identities than the 14 that cut a node off in the attack (gossipsub's default P6 starts past 10 per IP). */
const CROWD = 20
/** Periodic sync this rare cannot deliver anything within the test: whatever B gets, it gets by gossip. */
const NO_PERIODIC_SYNC = { HASHMESH_SYNC_INTERVAL_MS: String(MAX_SYNC_INTERVAL_MS) }
/** Heartbeats (1 s each) for the crowd to weigh on B's scores, as it did in the attack. */
const CROWD_STAYS_MS = 3_000
/** libp2p refuses more than 5 inbound connections a second from one host; the crowd joins under that rate. */
const JOIN_SPACING_MS = 250

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

interface Via { path: string, peer?: string }

async function arrival (info: NodeInfo, value: string): Promise<Via | undefined> {
  const reply = await getJson<{ events: Array<{ via: Via }> }>(`${info.http}/v1/provenance/sha256/${value}`)
  return reply.status === 200 ? reply.body.events[0]?.via : undefined
}

describe('a crowd of peer identities on the honest node\'s IP does not cut it off (real processes, loopback)', function () {
  this.timeout(120_000)
  let base: string
  let a: NodeProcess, b: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo
  let token: string
  const crowd: HashmeshLibp2p[] = []
  /** Set from the first publish, before any crowd: generous, yet far below the 24 h periodic sync. */
  let bound = 10_000

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-crowd-'))
    const args = ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads']
    const keyA = (JSON.parse(await runCli(['init', '--data', join(base, 'a'), '--json'])) as { publisherKey: string }).publisherKey
    a = new NodeProcess(join(base, 'a'), args, NO_PERIODIC_SYNC)
    infoA = await a.start()
    b = new NodeProcess(join(base, 'b'), [...args, '--bootstrap', infoA.multiaddrs[0]!, '--trust', keyA], NO_PERIODIC_SYNC)
    infoB = await b.start()
    token = (await readFile(join(base, 'a', 'admin.token'), 'utf8')).trim()
    await waitFor('A and B in each other\'s mesh', async () =>
      (await status(infoA)).meshPeers.includes(infoB.peerId) && (await status(infoB)).meshPeers.includes(infoA.peerId), 20_000)
  })

  after(async function () {
    await Promise.all(crowd.map(async p => { await p.stop() }))
    await Promise.all([a, b].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  /** Publishes one hash on A and returns how long B took to have it, checking that it came by gossip from A. */
  async function gossipedToB (): Promise<number> {
    const value = randomBytes(32).toString('hex')
    const started = Date.now()
    const reply = await postJson(`${infoA.http}/v1/batches`, { entries: [{ type: 'sha256', value }] }, token)
    assert.equal(reply.status, 201)
    const via = await waitFor('the batch on B', async () => await arrival(infoB, value), bound)
    const ms = Date.now() - started
    assert.deepEqual(via, { path: 'gossip', peer: infoA.peerId })
    return ms
  }

  it('without a crowd, B has A\'s batch by gossip (the baseline)', async function () {
    const ms = await gossipedToB()
    bound = Math.max(5_000, 5 * ms)
    this.test!.title += ` (${ms} ms)`
  })

  it(`while ${CROWD} identities from 127.0.0.1 subscribe at B, A stays in B's mesh and its batch arrives by gossip`, async function () {
    for (let i = 0; i < CROWD; i++) {
      crowd.push(await roguePeerOf(infoB, NETWORK))
      await sleep(JOIN_SPACING_MS)
    }
    await waitFor('the crowd connected to B', async () => (await status(infoB)).connectedPeers.length === CROWD + 1)
    await sleep(CROWD_STAYS_MS)
    this.test!.title += ` (${await gossipedToB()} ms)`
    const mesh = (await status(infoB)).meshPeers
    assert.ok(crowd.some(p => mesh.includes(p.peerId.toString())), 'the crowd competes for B\'s mesh')
    assert.ok(mesh.includes(infoA.peerId), 'A is in B\'s mesh')
  })

  it('after the crowd has left, A is still in B\'s mesh and its next batch arrives by gossip', async function () {
    await Promise.all(crowd.splice(0).map(async p => { await p.stop() }))
    await waitFor('the crowd gone from B', async () => (await status(infoB)).connectedPeers.length === 1)
    await sleep(CROWD_STAYS_MS)
    this.test!.title += ` (${await gossipedToB()} ms)`
    const [sa, sb] = await Promise.all([status(infoA), status(infoB)])
    assert.deepEqual([sb.meshPeers, sa.meshPeers], [[infoA.peerId], [infoB.peerId]], 'B and A still in each other\'s mesh')
  })
})
