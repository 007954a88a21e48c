import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { freePort } from '../helpers/freePort.js'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli } from '../../src/cli/nodeProcess.js'
import type { HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import { batchTopic } from '../../src/network/topics.js'
import type { NodeStatus } from '../../src/node/interface.js'
import { generateSecretKey, publicKeyOf } from '../../src/crypto/ed25519.js'
import { makeChain, randomEntries } from '../helpers/batches.js'
import { getJson, postJson } from '../helpers/http.js'
import { roguePeerOf } from '../helpers/roguePeer.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'converge'
/** Short, so that periodic sync (not just sync on connect) is exercised within a test's time. */
const FAST_SYNC = { HASHMESH_SYNC_INTERVAL_MS: '2000' }
/** The bound we state for convergence after a late join or a heal, on a busy 2-core CI machine. */
const CONVERGE_MS = 30_000

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

class Forum {
  readonly nodes = new Map<string, { proc: NodeProcess, info: NodeInfo, publisherKey: string }>()
  constructor (readonly base: string) {}

  dir (name: string): string { return join(this.base, name) }

  async init (name: string): Promise<string> {
    return (await this.identity(name)).publisherKey
  }

  async identity (name: string): Promise<{ publisherKey: string, peerId: string }> {
    return JSON.parse(await runCli(['init', '--data', this.dir(name), '--json'])) as { publisherKey: string, peerId: string }
  }

  async start (name: string, o: { trust: string[], bootstrap?: string[], bootstrapAddrs?: string[], port?: number }): Promise<NodeInfo> {
    const args = ['--network', NETWORK, '--listen', `/ip4/127.0.0.1/tcp/${o.port ?? 0}`, '--http', '127.0.0.1:0', '--open-reads',
      ...o.trust.flatMap(k => ['--trust', k]),
      ...[...(o.bootstrap ?? []).map(b => this.addr(b)), ...(o.bootstrapAddrs ?? [])].flatMap(b => ['--bootstrap', b])]
    const proc = new NodeProcess(this.dir(name), args, FAST_SYNC)
    const info = await proc.start()
    this.nodes.set(name, { proc, info, publisherKey: info.publisherKey })
    return info
  }

  info (name: string): NodeInfo { return this.nodes.get(name)!.info }
  addr (name: string): string { return this.info(name).multiaddrs[0]! }

  async publish (name: string, batches: number, perBatch: number): Promise<void> {
    const token = (await readFile(join(this.dir(name), 'admin.token'), 'utf8')).trim()
    for (let i = 0; i < batches; i++) {
      const entries = Array.from({ length: perBatch }, () => ({ type: 'sha256', value: randomBytes(32).toString('hex'), labels: [`from:${name}`] }))
      const reply = await postJson(`${this.info(name).http}/v1/batches`, { entries }, token)
      assert.equal(reply.status, 201)
    }
  }

  /** Waits until every named node reports the same state digest, and returns it. */
  async converged (names: string[], timeoutMs = CONVERGE_MS): Promise<NodeStatus[]> {
    return await waitFor(`equal state digests on ${names.join(', ')}`, async () => {
      const all = await Promise.all(names.map(async n => await status(this.info(n))))
      return all.every(s => s.stateDigest === all[0]!.stateDigest) ? all : undefined
    }, timeoutMs, 250)
  }

  async stopAll (): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async n => await n.proc.stop()))
    await Promise.all(this.rogues.map(async r => { await r.stop() }))
  }

  readonly rogues: HashmeshLibp2p[] = []

  async rogue (name: string): Promise<HashmeshLibp2p> {
    const peer = await roguePeerOf(this.info(name), NETWORK)
    this.rogues.push(peer)
    return peer
  }
}

describe('convergence: real processes catch up by sync, not only by gossip', function () {
  this.timeout(180_000)
  let forum: Forum

  beforeEach(async function () { forum = new Forum(await mkdtemp(join(tmpdir(), 'hashmesh-converge-'))) })
  afterEach(async function () {
    await forum.stopAll()
    await rm(forum.base, { recursive: true, force: true })
  })

  it('a node started after 50 batches were published reaches the publisher\'s digest, pulling only from a relay', async function () {
    const pKey = await forum.init('publisher')
    await forum.start('publisher', { trust: [] })
    await forum.start('relay', { trust: [pKey], bootstrap: ['publisher'] })
    await forum.publish('publisher', 50, 100)
    await forum.converged(['publisher', 'relay'])

    const started = Date.now()
    await forum.start('late', { trust: [pKey], bootstrap: ['relay'] })
    const [p, , late] = await forum.converged(['publisher', 'relay', 'late'])
    this.test!.title += ` (${Date.now() - started} ms after start)`
    assert.equal(late!.publishers.find(x => x.publisher === pKey)?.seq, 50)
    assert.equal(late!.hashes.sha256, 5_000)
    assert.equal(late!.stateDigest, p!.stateDigest)
    assert.deepEqual(late!.connectedPeers, [forum.info('relay').peerId], 'it never talked to the publisher')
    assert.equal(late!.validation.accept.ACCEPTED, 50)
  })

  it('five nodes in two groups that each took batches from their own publisher converge once joined', async function () {
    const keys = { n1: await forum.init('n1'), n4: await forum.init('n4') }
    const trust = Object.values(keys)
    await forum.start('n1', { trust })
    await forum.start('n2', { trust, bootstrap: ['n1'] })
    await forum.start('n3', { trust, bootstrap: ['n2'] })
    await forum.start('n4', { trust })
    await forum.start('n5', { trust, bootstrap: ['n4'] })
    await Promise.all([forum.publish('n1', 12, 50), forum.publish('n4', 9, 50)])
    await forum.converged(['n1', 'n2', 'n3'])
    await forum.converged(['n4', 'n5'])
    assert.notEqual((await status(forum.info('n1'))).stateDigest, (await status(forum.info('n4'))).stateDigest)

    // Heal: n4 comes back knowing n3 as well (a restart, as an operator would add a peer). It also
    // dials n5, whose configured address for n4 went stale with n4's new port.
    await forum.nodes.get('n4')!.proc.stop()
    const started = Date.now()
    await forum.start('n4', { trust, bootstrap: ['n3', 'n5'] })
    const all = await forum.converged(['n1', 'n2', 'n3', 'n4', 'n5'])
    this.test!.title += ` (${Date.now() - started} ms after healing)`
    for (const s of all) {
      assert.deepEqual(s.publishers.map(p => [p.publisher, p.seq]).sort(), [[keys.n1, 12], [keys.n4, 9]].sort())
    }
  })

  it('batches delivered shuffled and with holes end linked and complete once a peer that has them appears', async function () {
    const key = generateSecretKey()
    const publisher = Buffer.from(publicKeyOf(key)).toString('hex')
    const chain = makeChain(key, Array.from({ length: 30 }, () => randomEntries(20)), NETWORK)
    const holder = await forum.identity('holder')
    const holderPort = await freePort()
    // The holder is down at first; the keeper redials its configured address until it is up.
    await forum.start('x', { trust: [publisher], bootstrapAddrs: [`/ip4/127.0.0.1/tcp/${holderPort}/p2p/${holder.peerId}`] })

    const delivered = chain.filter(b => b.body.seq % 5 !== 0).sort(() => Math.random() - 0.5)
    const toX = await forum.rogue('x')
    for (const b of delivered) await toX.services.pubsub.publish(batchTopic(NETWORK), b.signedBytes)
    const held = await waitFor('x holding early batches', async () => {
      const p = (await status(forum.info('x'))).publishers.find(x => x.publisher === publisher)
      return p !== undefined && p.pending > 0 && p.seq < 5 ? p : undefined
    })
    assert.ok(held.seq < 5, 'nothing past the first hole is stored')

    await forum.start('holder', { trust: [publisher], port: holderPort })
    const toHolder = await forum.rogue('holder')
    for (const b of chain) await toHolder.services.pubsub.publish(batchTopic(NETWORK), b.signedBytes)
    const [x] = await forum.converged(['x', 'holder'])
    const p = x!.publishers.find(y => y.publisher === publisher)!
    assert.deepEqual([p.seq, p.pending, p.batches], [30, 0, 30])
    assert.equal(x!.hashes.sha256, 600)
  })
})
