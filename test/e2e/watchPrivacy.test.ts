import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { routeAuth } from '../../src/api/routeAuth.js'
import { buildHttpServer } from '../../src/api/server.js'
import { loadConfig } from '../../src/config/loadConfig.js'
import type { ConfigFlags } from '../../src/config/flags.js'
import type { BatchIngester } from '../../src/ingest/batchIngester.js'
import { type HashmeshNode, createHashmeshNode } from '../../src/node/hashmeshNode.js'
import type { NodeComponents } from '../../src/node/nodeComponents.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'watch-privacy'

/** Every line a logger writes, kept: the node under test logs at trace, its most talkative. */
class LogCapture extends Writable {
  readonly lines: string[] = []
  override _write (chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(l => l !== ''))
    done()
  }
}

interface Started { node: HashmeshNode, logs: LogCapture, registry: Registry, dir: string }

async function startNode (flags: Omit<ConfigFlags, 'dataDir' | 'listen' | 'network'>): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-watch-privacy-'))
  const config = await loadConfig({ env: {}, flags: { ...flags, dataDir: dir, network: NETWORK, listen: ['/ip4/127.0.0.1/tcp/0'] } })
  const logs = new LogCapture()
  const registry = new Registry()
  const node = await createHashmeshNode(config.node, { logger: pino({ level: 'trace' }, logs), registry })
  await node.start()
  return { node, logs, registry, dir }
}

function componentsOf (node: HashmeshNode): NodeComponents {
  return (node as unknown as { c: NodeComponents }).c
}

/** A PDQ `bits` bits away from `hex`. */
function near (hex: string, bits: number): string {
  const out = Buffer.from(hex, 'hex')
  for (let i = 0; i < bits; i++) out[i >> 3]! ^= 1 << (i & 7)
  return out.toString('hex')
}

const rand = (bytes: number): string => randomBytes(bytes).toString('hex')

describe('watch list with two real nodes: retroactive matching, and no watched hash ever leaves B', function () {
  this.timeout(60_000)
  let a: Started
  let b: Started
  let app: FastifyInstance
  /** Every batch, forum record and gossip message A took in from a peer, as bytes. */
  const received: Uint8Array[] = []

  before(async function () {
    a = await startNode({})
    b = await startNode({ bootstrap: [a.node.multiaddrs()[0]!], trust: [a.node.publisherKey] })
    const ingester: BatchIngester = componentsOf(a.node).ingester
    const ingest = ingester.ingest.bind(ingester)
    ingester.ingest = async (bytes, source, extra) => {
      if (source.kind !== 'local') received.push(Uint8Array.from(bytes))
      return await ingest(bytes, source, extra)
    }
    componentsOf(a.node).libp2p.services.pubsub.addEventListener('message', e => { received.push(Uint8Array.from(e.detail.data)) })
    const { adminToken, readToken } = b.node.dataDir
    const auth = routeAuth({ adminToken, readToken, openReads: false })
    app = buildHttpServer({ node: b.node, auth, registry: b.registry, logger: pino({ level: 'trace' }, b.logs), maxUploadBytes: 1024 * 1024 })
    await app.ready()
    await waitFor('B to connect to A', async () => b.node.multiaddrs().length > 0 && (await b.node.status()).connectedPeers.includes(a.node.peerId), 15_000)
  })

  after(async function () {
    await app?.close()
    for (const n of [b, a]) {
      await n?.node.stop()
      if (n !== undefined) await rm(n.dir, { recursive: true, force: true })
    }
  })

  it('B hears of A\'s later publish for exactly the watched items listed; no watched hash reaches A or any log line', async function () {
    const listedSha256 = rand(32)
    const watchedPdq = rand(32)
    const onlyWatched = { md5: rand(16), sha1: rand(20), pdq: watchedPdq, md5b: rand(16), sha256: rand(32) }
    const items = [
      { id: 'video/1', hashes: { sha256: listedSha256, md5: onlyWatched.md5 } },
      { id: 'img/edited copy.jpg', hashes: { pdq: watchedPdq, sha1: onlyWatched.sha1 } },
      { id: 'never/listed', hashes: { md5: onlyWatched.md5b, sha256: onlyWatched.sha256 } }
    ]
    const res = await app.inject({ method: 'POST', url: '/v1/watch', headers: { authorization: `Bearer ${b.node.dataDir.adminToken}` }, payload: { items } })
    assert.equal(res.statusCode, 200, res.body)
    assert.deepEqual(res.json(), { added: 3, replaced: 0, matched: 0 })

    // B publishes too, so that what B sends A (gossip and sync) is exercised, not just absent.
    await b.node.publish([{ type: 'md5', value: rand(16) }])
    const storedPdq = near(watchedPdq, 9)
    await a.node.publish([
      { type: 'sha256', value: listedSha256, labels: ['csam'] },
      { type: 'pdq', value: storedPdq, labels: ['csam'] },
      ...Array.from({ length: 20 }, () => ({ type: 'sha256', value: rand(32) })),
      { type: 'pdq', value: near(watchedPdq, 50) }
    ])

    const matchedOf = async (id: string): Promise<string[]> => (await b.node.watchGet(id))!.matched.map(m => `${m.type}:${m.value}:${m.distance}`)
    const bothMatched = async (): Promise<boolean> => (await matchedOf('video/1')).length === 1 && (await matchedOf('img/edited copy.jpg')).length === 1
    await waitFor('B to match both listed items', bothMatched, 15_000)
    assert.deepEqual(await matchedOf('video/1'), [`sha256:${listedSha256}:0`])
    assert.deepEqual(await matchedOf('img/edited copy.jpg'), [`pdq:${storedPdq}:9`])
    assert.deepEqual(await matchedOf('never/listed'), [])
    // A does not trust B, so it refuses B's batch; it still receives it, which is what is checked.
    const bKey = Buffer.from(b.node.publisherKey, 'hex')
    await waitFor('A to receive B\'s batch', async () => received.some(bytes => Buffer.from(bytes).indexOf(bKey) !== -1), 15_000)
    const metrics = await b.registry.metrics()
    assert.match(metrics, /hashmesh_watch_items 3/)

    const secrets = Object.values(onlyWatched)
    const logText = [...a.logs.lines, ...b.logs.lines].join('\n')
    const captured = b.logs.lines.some(l => l.includes('watch list loaded from store')) && b.logs.lines.some(l => l.includes('batch stored'))
    assert.ok(captured, 'B\'s logging was captured')
    for (const hex of secrets) {
      for (const form of [hex, hex.toUpperCase()]) {
        assert.ok(!logText.includes(form), 'a watched hash appears in a log line')
        assert.ok(!metrics.includes(form), 'a watched hash appears in the metrics')
      }
      const raw = Buffer.from(hex, 'hex')
      assert.ok(received.length > 0, 'A took in nothing from B')
      for (const bytes of received) {
        assert.equal(Buffer.from(bytes).indexOf(raw), -1, 'a watched hash reached A in a message')
        assert.ok(!Buffer.from(bytes).toString('latin1').toLowerCase().includes(hex), 'a watched hash reached A as text')
      }
    }
    assert.ok(!b.logs.lines.some(l => l.includes(listedSha256)), 'B logs no hash it watches, even one that is listed')
  })
})
