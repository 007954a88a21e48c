import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf, sign } from '../../src/crypto/ed25519.js'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli } from '../../src/cli/nodeProcess.js'
import type { HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import { batchTopic } from '../../src/network/topics.js'
import type { EquivocationInfo, LookupResult, NodeStatus } from '../../src/node/interface.js'
import { encodeBatchBody, encodeSignedBatch } from '../../src/wire/batchCodec.js'
import { Action } from '../../src/wire/types.js'
import { getJson, postJson } from '../helpers/http.js'
import { roguePeerOf } from '../helpers/roguePeer.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'e2e'
const HASHES = 10_000
/** Only a hung test waits this long; how fast gossip crosses the line is bench/propagation's question. */
const HUNG_AFTER_MS = 90_000

function nodeArgs (extra: string[]): string[] {
  return ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads', ...extra]
}

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

async function lookupAll (info: NodeInfo, queries: Array<{ type: string, value: string }>): Promise<LookupResult[]> {
  // Every entry, not only the summaries: the tests below read who published what, in which batch.
  const body = { queries: queries.map(({ type, value }) => ({ type, value })), matches: true }
  const reply = await postJson<{ results: LookupResult[] }>(`${info.http}/v1/lookup`, body)
  assert.equal(reply.status, 200)
  return reply.body.results
}

function randomEntries (n: number, label: string): Array<{ type: string, value: string, labels: string[] }> {
  return Array.from({ length: n }, (_, i) => i % 2 === 0
    ? { type: 'sha256', value: randomBytes(32).toString('hex'), labels: [label] }
    : { type: 'md5', value: randomBytes(16).toString('hex'), labels: [label, 'e2e'] })
}

/** A signed batch built by hand, as a hostile or a third-party peer would put it on the wire. */
function handMadeBatch (o: { publisher: Uint8Array, signer: Uint8Array, seq: number, prev: Uint8Array, value: Uint8Array }): Uint8Array {
  const body = encodeBatchBody({
    publisher: o.publisher, seq: o.seq, prev: o.prev, createdAtMs: Date.now(), network: NETWORK,
    entries: [{ signalType: 'sha256', value: o.value, labels: ['rogue'], action: Action.ADD }]
  })
  return encodeSignedBatch(body, sign(body, o.signer))
}

describe('three nodes in a line A–B–C (real processes, TCP, noise, yamux, LevelDB)', function () {
  this.timeout(HUNG_AFTER_MS + 30_000)
  let base: string
  const dirs = { a: '', b: '', c: '' }
  let a: NodeProcess, b: NodeProcess, c: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo, infoC: NodeInfo
  const rogues: HashmeshLibp2p[] = []

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-e2e-'))
    for (const k of ['a', 'b', 'c'] as const) dirs[k] = join(base, k)
    const initA = JSON.parse(await runCli(['init', '--data', dirs.a, '--json'])) as { publisherKey: string }
    a = new NodeProcess(dirs.a, nodeArgs([]))
    infoA = await a.start()
    assert.equal(infoA.publisherKey, initA.publisherKey)
    b = new NodeProcess(dirs.b, nodeArgs(['--bootstrap', infoA.multiaddrs[0]!, '--trust', infoA.publisherKey]))
    infoB = await b.start()
    c = new NodeProcess(dirs.c, nodeArgs(['--bootstrap', infoB.multiaddrs[0]!, '--trust', infoA.publisherKey]))
    infoC = await c.start()
    // Gossip flows once each link is in the topic mesh (a heartbeat or two after connecting).
    await waitFor('A–B–C mesh', async () => {
      const [sa, sb, sc] = await Promise.all([status(infoA), status(infoB), status(infoC)])
      return sa.meshPeers.includes(infoB.peerId) && sb.meshPeers.includes(infoA.peerId) &&
        sb.meshPeers.includes(infoC.peerId) && sc.meshPeers.includes(infoB.peerId)
    }, 20_000)
  })

  after(async function () {
    await Promise.all(rogues.map(async r => { await r.stop() }))
    await Promise.all([a, b, c].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  it('C is connected to B only, so everything it learns crossed a hop', async function () {
    assert.deepEqual((await status(infoC)).connectedPeers, [infoB.peerId])
  })

  const published = randomEntries(HASHES, 'category:test')

  it(`finds on C every one of ${HASHES} hashes A published over HTTP`, async function () {
    const token = (await readFile(join(dirs.a, 'admin.token'), 'utf8')).trim()
    const denied = await postJson(`${infoA.http}/v1/batches`, { entries: published.slice(0, 1) })
    assert.equal(denied.status, 401)

    const reply = await postJson<{ batchId: string, seq: number, entries: number }>(`${infoA.http}/v1/batches`, { entries: published }, token)
    assert.equal(reply.status, 201)
    assert.equal(reply.body.entries, HASHES)
    assert.equal(reply.body.seq, 1)

    const results = await waitFor('all hashes on C', async () => {
      const r = await lookupAll(infoC, published)
      return r.every(x => x.listed) ? r : undefined
    }, HUNG_AFTER_MS, 250)
    for (const [i, r] of results.entries()) {
      assert.equal(r.value, published[i]!.value)
      assert.equal(r.matches.length, 1)
      assert.equal(r.matches[0]!.publisher, infoA.publisherKey)
      assert.equal(r.matches[0]!.batchId, reply.body.batchId)
      assert.deepEqual(r.matches[0]!.labels, published[i]!.labels)
    }
    const miss = await getJson<LookupResult>(`${infoC.http}/v1/lookup/md5/${randomBytes(16).toString('hex')}`)
    assert.equal(miss.status, 200)
    assert.equal(miss.body.listed, false)
    assert.deepEqual(miss.body.matches, [])
  })

  async function roguePeer (target: NodeInfo): Promise<HashmeshLibp2p> {
    const peer = await roguePeerOf(target, NETWORK)
    rogues.push(peer)
    return peer
  }

  it('a forged signature and an untrusted publisher never reach C; a valid batch on the same path does', async function () {
    const rogue = await roguePeer(infoA)
    const topic = batchTopic(NETWORK)

    const aSecret = Buffer.from((await readFile(join(dirs.a, 'publisher.key'), 'utf8')).trim(), 'hex')
    const aPublic = publicKeyOf(aSecret)
    const head = (await status(infoA)).publishers.find(p => p.publisher === infoA.publisherKey)!
    const outsider = generateSecretKey()
    const forgedValue = randomBytes(32)
    const untrustedValue = randomBytes(32)
    const controlValue = randomBytes(32)

    const forged = handMadeBatch({ publisher: aPublic, signer: outsider, seq: head.seq + 1, prev: Buffer.from(head.headId, 'hex'), value: forgedValue })
    const untrusted = handMadeBatch({ publisher: publicKeyOf(outsider), signer: outsider, seq: 1, prev: new Uint8Array(0), value: untrustedValue })
    const control = handMadeBatch({ publisher: aPublic, signer: aSecret, seq: head.seq + 1, prev: Buffer.from(head.headId, 'hex'), value: controlValue })
    for (const bytes of [control, forged, untrusted]) await rogue.services.pubsub.publish(topic, bytes)

    const found = async (value: Uint8Array): Promise<boolean> =>
      (await getJson<LookupResult>(`${infoC.http}/v1/lookup/sha256/${Buffer.from(value).toString('hex')}`)).body.listed
    await waitFor('the control batch on C', async () => await found(controlValue), HUNG_AFTER_MS)
    const counts = (await status(infoA)).validation
    assert.ok((counts.reject.BAD_SIGNATURE ?? 0) >= 1, `A counted the forgery: ${JSON.stringify(counts)}`)
    assert.ok((counts.ignore.UNTRUSTED_PUBLISHER ?? 0) >= 1, `A counted the untrusted batch: ${JSON.stringify(counts)}`)
    for (const info of [infoA, infoB, infoC]) {
      const [f, u] = await lookupAll(info, [
        { type: 'sha256', value: Buffer.from(forgedValue).toString('hex') },
        { type: 'sha256', value: Buffer.from(untrustedValue).toString('hex') }
      ])
      assert.equal(f!.matches.length, 0, 'forged batch stored')
      assert.equal(u!.matches.length, 0, 'untrusted batch stored')
    }
  })

  it('a retraction published on A unlists the hash on C and keeps its history', async function () {
    const token = (await readFile(join(dirs.a, 'admin.token'), 'utf8')).trim()
    const { type, value } = published[0]!
    const reply = await postJson<{ seq: number }>(`${infoA.http}/v1/batches`, { entries: [{ type, value, action: 'retract' }] }, token)
    assert.equal(reply.status, 201)
    const r = await waitFor('the retraction on C', async () => {
      const [x] = await lookupAll(infoC, [{ type, value }])
      return x!.listed ? undefined : x
    })
    assert.deepEqual(r.matches.map(m => [m.seq, m.action, m.current]), [[1, 'add', false], [reply.body.seq, 'retract', true]])
  })

  it('never logs the admin token or a private key', async function () {
    const secrets = await Promise.all(['admin.token', 'publisher.key', 'peer.key'].map(async f => (await readFile(join(dirs.a, f), 'utf8')).trim()))
    assert.match(a.log(), /"adminTokenPath"/, 'the start line names where the token is')
    for (const secret of secrets) assert.equal(a.log().includes(secret), false)
  })

  it('C killed with SIGKILL and restarted keeps everything', async function () {
    await c.kill()
    infoC = await c.start()
    const results = await lookupAll(infoC, published)
    assert.equal(results.filter(r => r.listed).length, HASHES - 1, 'all but the retracted one')
    assert.equal(results[0]!.matches.length, 2)
    const s = await status(infoC)
    assert.equal(s.hashes.sha256! + s.hashes.md5!, HASHES + 1)
  })

  it('a peer flooding invalid batches is disconnected, and a valid batch published meanwhile still reaches everyone', async function () {
    const flooder = await roguePeer(infoB)
    const aPublic = Buffer.from(infoA.publisherKey, 'hex')
    const forgery = (): Uint8Array => {
      return handMadeBatch({ publisher: aPublic, signer: generateSecretKey(), seq: 1, prev: new Uint8Array(0), value: randomBytes(32) })
    }
    const flood = (async () => {
      for (let i = 0; i < 2_000; i++) await flooder.services.pubsub.publish(batchTopic(NETWORK), forgery()).catch(() => undefined)
    })()
    const token = (await readFile(join(dirs.a, 'admin.token'), 'utf8')).trim()
    const meanwhile = { type: 'sha256', value: randomBytes(32).toString('hex') }
    assert.equal((await postJson(`${infoA.http}/v1/batches`, { entries: [meanwhile] }, token)).status, 201)
    await flood
    await waitFor('the valid batch on C', async () => (await lookupAll(infoC, [meanwhile]))[0]!.listed)
    const sb = await waitFor('B to ban the flooder', async () => {
      const s = await status(infoB)
      return s.bannedPeers.includes(flooder.peerId.toString()) ? s : undefined
    })
    assert.equal(sb.connectedPeers.includes(flooder.peerId.toString()), false)
    assert.ok((sb.validation.reject.BAD_SIGNATURE ?? 0) > 5)
    assert.equal((await status(infoC)).validation.reject.BAD_SIGNATURE, undefined, 'nothing forged was relayed to C')
  })

  it('a publisher signing two batches for one seq is caught: every node stores the proof and marks it, until an admin decides', async function () {
    const aSecret = Buffer.from((await readFile(join(dirs.a, 'publisher.key'), 'utf8')).trim(), 'hex')
    const head = (await status(infoA)).publishers.find(p => p.publisher === infoA.publisherKey)!
    const fork = (value: Uint8Array): Uint8Array => {
      return handMadeBatch({ publisher: publicKeyOf(aSecret), signer: aSecret, seq: head.seq + 1, prev: Buffer.from(head.headId, 'hex'), value })
    }
    const toB = await roguePeer(infoB)
    const toC = await roguePeer(infoC)
    await Promise.all([
      toB.services.pubsub.publish(batchTopic(NETWORK), fork(randomBytes(32))),
      toC.services.pubsub.publish(batchTopic(NETWORK), fork(randomBytes(32)))
    ])

    for (const info of [infoA, infoB, infoC]) {
      const proofs = await waitFor(`the proof on ${info.peerId}`, async () => {
        const list = (await getJson<{ equivocations: EquivocationInfo[] }>(`${info.http}/v1/equivocations`)).body.equivocations
        return list.length > 0 ? list : undefined
      })
      assert.deepEqual(proofs.map(p => [p.publisher, p.forkSeq, p.decision]), [[infoA.publisherKey, head.seq + 1, 'undecided']])
      assert.equal((await status(info)).publishers.find(p => p.publisher === infoA.publisherKey)?.equivocating, true)
    }
    const [anyHash] = await lookupAll(infoC, published.slice(1, 2))
    assert.equal(anyHash!.matches[0]!.publisherEquivocating, true)

    const token = (await readFile(join(dirs.b, 'admin.token'), 'utf8')).trim()
    const url = `${infoB.http}/v1/equivocations/${infoA.publisherKey}/decision`
    assert.equal((await postJson(url, { decision: 'follow-stored' })).status, 401)
    const decided = await postJson<EquivocationInfo>(url, { decision: 'follow-stored' }, token)
    assert.equal(decided.status, 200)
    assert.equal(decided.body.decision, 'follow-stored')
    const log = await getJson<{ records: Array<{ action: string, details: Record<string, unknown> }> }>(`${infoB.http}/v1/audit/log`, token)
    assert.deepEqual(log.body.records.filter(r => r.action === 'equivocation.decide').map(r => r.details),
      [{ publisher: infoA.publisherKey, decision: 'follow-stored' }], 'the decision is in the audit log')
  })
})
