import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli, runCliProcess } from '../../src/cli/nodeProcess.js'
import type { HashmeshEvent, MatchEventData, UnlistedEventData } from '../../src/events/hashmeshEvent.js'
import type { HookInfo } from '../../src/node/hooksApi.js'
import type { LookupResult, NodeStatus } from '../../src/node/interface.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'
import { freePort } from '../helpers/freePort.js'
import { getJson } from '../helpers/http.js'
import { vectorPath } from '../helpers/pdqVectors.js'
import { waitFor } from '../helpers/waitFor.js'
import { Receiver } from '../helpers/webhookReceiver.js'

const NETWORK = 'moderation-e2e'
const SECRET = `whsec_${randomBytes(24).toString('hex')}`
const WATCHED = 1000
const ORIGINAL = vectorPath('images', 'bridge-mods', 'aaa-orig.jpg')
/** A blurred copy of ORIGINAL: byte-different, within PDQ distance 31 of it. */
const EDITED = vectorPath('images', 'bridge-mods', 'blur-a-lot.jpg')

const sha256s = Array.from({ length: WATCHED }, () => randomBytes(32).toString('hex'))
const contentOf = (i: number): string => `posts/${i}`

function nodeArgs (extra: string[], port = 0): string[] {
  return ['--network', NETWORK, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--http', '127.0.0.1:0', '--open-reads', ...extra]
}

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

function eventsOf<T extends HashmeshEvent['type']> (receiver: Receiver, type: T): Array<HashmeshEvent<T>> {
  const byId = new Map<string, HashmeshEvent<T>>()
  for (const d of receiver.deliveries) {
    if (d.status !== 200 || d.type !== type) continue
    byId.set(d.id, JSON.parse(d.body) as HashmeshEvent<T>)
  }
  return [...byId.values()]
}

/**
 * The moderation loop of issue 12 with real processes in an A–B–C line: B watches what it hosts,
 * A publishes later, B's webhook receiver (a real HTTP server checking signatures) hears of it, and
 * the match goes on to an appeal, an opinion C sees, and an evidence bundle that verifies offline.
 */
describe('moderation loop end to end: watch list, signed webhooks, appeal, evidence (real processes, A–B–C)', function () {
  this.timeout(300_000)
  let base: string
  let a: NodeProcess, b: NodeProcess, c: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo, infoC: NodeInfo
  let dirA: string, dirB: string
  const receiver = new Receiver(SECRET)

  async function publishOnA (name: string, rows: string[]): Promise<void> {
    const csv = join(base, `${name}.csv`)
    await writeFile(csv, `type,value,labels,action\n${rows.join('\n')}\n`)
    await runCli(['publish', csv, '--data', dirA])
  }

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-moderation-e2e-'))
    dirA = join(base, 'a')
    dirB = join(base, 'b')
    a = new NodeProcess(dirA, nodeArgs([]))
    infoA = await a.start()
    const config = join(base, 'b.json')
    await writeFile(config, JSON.stringify({ hooks: { retryBaseMs: 200, retryCapMs: 1000 } }))
    // A fixed port: C, bootstrapped to B only, finds B again after B is killed and restarted.
    b = new NodeProcess(dirB, nodeArgs(['--config', config, '--bootstrap', infoA.multiaddrs[0]!, '--trust', infoA.publisherKey], await freePort()))
    infoB = await b.start()
    c = new NodeProcess(join(base, 'c'), nodeArgs(['--bootstrap', infoB.multiaddrs[0]!, '--trust', infoA.publisherKey, '--trust', infoB.publisherKey]))
    infoC = await c.start()
    await waitFor('the A–B–C mesh', async () => {
      const [sa, sb, sc] = await Promise.all([status(infoA), status(infoB), status(infoC)])
      return sa.meshPeers.includes(infoB.peerId) && sb.meshPeers.length === 2 && sc.meshPeers.includes(infoB.peerId)
    }, 30_000)
    await receiver.listen()
  })

  after(async function () {
    await Promise.all([a, b, c].filter(n => n !== undefined).map(async n => await n.stop()))
    await receiver.close()
    await rm(base, { recursive: true, force: true })
  })

  it('1. B watches 1,000 items, one of them the PDQ of an edited copy of an image, and hooks a receiver', async function () {
    const edited = JSON.parse(await runCli(['hash', EDITED, '--json'])) as Array<{ pdq: { hash: string } }>
    const rows = sha256s.map((h, i) => `${contentOf(i)},sha256,${h}`)
    rows.push(`posts/edited-image,pdq,${edited[0]!.pdq.hash}`)
    const csv = join(base, 'hosted.csv')
    await writeFile(csv, `content_id,type,value\n${rows.join('\n')}\n`)
    await runCli(['watch', 'add', csv, '--data', dirB])
    const listed = JSON.parse(await runCli(['watch', 'list', '--data', dirB, '--limit', '1', '--json'])) as { count: number }
    assert.equal(listed.count, WATCHED + 1)

    const secretFile = join(base, 'hook.secret')
    await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 })
    const hook = JSON.parse(await runCli(['hooks', 'add', receiver.url, '--events', 'match,unlisted,appeal', '--secret-file', secretFile,
      '--data', dirB, '--json'])) as HookInfo
    assert.deepEqual(hook.events, ['match', 'unlisted', 'appeal'])
  })

  it('2. A publishes later: B\'s receiver gets valid signed match events for exactly the watched items listed', async function () {
    const hashed = await runCli(['hash', ORIGINAL, '--csv', '--labels', 'terror'])
    const originalRows = hashed.trim().split('\n').slice(1).map(l => `${l.split(',').slice(0, 2).join(',')},terror,add`)
    const unrelated = Array.from({ length: 20 }, () => `sha256,${randomBytes(32).toString('hex')},terror,add`)
    await publishOnA('first', [...sha256s.slice(0, 10).map(h => `sha256,${h},terror,add`), ...originalRows, ...unrelated])
    const expected = [...Array.from({ length: 10 }, (_, i) => contentOf(i)), 'posts/edited-image'].sort()
    const matches = await waitFor('11 match events', async () => {
      const got = eventsOf(receiver, 'match')
      return got.length >= expected.length ? got : undefined
    }, 30_000)
    assert.deepEqual(receiver.badSignatures, [])
    assert.deepEqual(matches.map(m => m.data.contentId).sort(), expected)
    const image = matches.find(m => m.data.contentId === 'posts/edited-image')!.data
    assert.equal(image.hash.type, 'pdq')
    assert.ok(image.distance > 0 && image.distance <= 31, `distance ${image.distance}`)
    for (const m of matches) {
      const d: MatchEventData = m.data
      assert.deepEqual([d.publisher, d.labels, d.cause], [infoA.publisherKey, ['terror'], 'listed'])
      assert.match(d.batchId, /^[0-9a-f]{64}$/)
      assert.match(d.matchId, /^m_[0-9a-f]+$/)
    }
  })

  it('3. receiver down and B killed -9 with events pending: after a restart every one is delivered, duplicates with the same id', async function () {
    await receiver.close()
    const before = eventsOf(receiver, 'match').length
    await publishOnA('second', sha256s.slice(10, 15).map(h => `sha256,${h},terror,add`))
    const admin = (await readFile(dataDirPaths(dirB).adminToken, 'utf8')).trim()
    await waitFor('five deliveries pending on B', async () => {
      const hooks = (await getJson<{ hooks: HookInfo[] }>(`${infoB.http}/v1/hooks`, admin)).body.hooks
      return hooks[0]?.pending === 5
    }, 30_000)
    await b.kill()
    await receiver.listen()
    infoB = await b.start()
    const matches = await waitFor('the five pending events', async () => {
      const got = eventsOf(receiver, 'match')
      return got.length === before + 5 ? got : undefined
    }, 30_000)
    assert.deepEqual(matches.slice(before).map(m => m.data.contentId).sort(), Array.from({ length: 5 }, (_, i) => contentOf(10 + i)).sort())
    for (const id of new Set(receiver.deliveries.map(d => d.id))) {
      assert.equal(new Set(receiver.deliveries.filter(d => d.id === id).map(d => d.body)).size, 1, `every delivery of ${id} carries one body`)
    }
  })

  it('4. a receiver answering 500 is retried with backoff until it answers', async function () {
    receiver.failFirst = 2
    const before = receiver.deliveries.length
    await publishOnA('third', [`sha256,${sha256s[15]!},terror,add`])
    const id = await waitFor('the event delivered after two failures', async () => {
      return receiver.deliveries.slice(before).find(d => d.status === 200)?.id
    }, 30_000)
    const attempts = receiver.deliveries.slice(before).filter(d => d.id === id)
    assert.deepEqual(attempts.map(d => d.status), [500, 500, 200])
    assert.equal((JSON.parse(attempts[2]!.body) as HashmeshEvent<'match'>).data.contentId, contentOf(15))
    receiver.failFirst = 0
  })

  it('5. A retracts: B emits unlisted for the watched item', async function () {
    await publishOnA('retract', [`sha256,${sha256s[0]!},,retract`])
    const unlisted = await waitFor('an unlisted event', async () => eventsOf(receiver, 'unlisted')[0])
    const d: UnlistedEventData = unlisted.data
    assert.deepEqual([d.contentId, d.hash.value, d.cause], [contentOf(0), sha256s[0], 'retracted'])
  })

  it('6. B\'s appeal puts a signed false-positive opinion on C, and emits an appeal event', async function () {
    await runCli(['appeal', contentOf(1), '--upheld', '--reason', 'not_violating', '--note', 'a holiday photo', '--data', dirB])
    const seen = await waitFor('B\'s opinion on C', async () => {
      const res = await getJson<LookupResult>(`${infoC.http}/v1/lookup/sha256/${sha256s[1]!}`)
      const opinion = res.body.matches.find(m => m.action === 'false_positive')
      return opinion?.publisher === infoB.publisherKey ? res.body : undefined
    }, 30_000)
    assert.equal(seen.hashes[0]!.opinions.falsePositive.count, 1)
    assert.equal(seen.matches.find(m => m.action === 'false_positive')!.reason, 'not_violating')
    const appeal = await waitFor('the appeal event', async () => eventsOf(receiver, 'appeal')[0])
    assert.deepEqual([appeal.data.contentId, appeal.data.outcome, appeal.data.reason], [contentOf(1), 'upheld', 'not_violating'])
  })

  it('7. the evidence bundle of the match verifies offline, and fails after one altered byte', async function () {
    const file = join(base, 'evidence.json')
    await runCli(['evidence', contentOf(1), '--out', file, '--data', dirB])
    const ok = await runCliProcess(['evidence', 'verify', file])
    assert.equal(ok.code, 0, ok.out + ok.err)
    const bytes = await readFile(file)
    const at = bytes.indexOf(Buffer.from(sha256s[1]!)) + 3
    bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61
    await writeFile(file, bytes)
    const altered = await runCliProcess(['evidence', 'verify', file])
    assert.equal(altered.code, 1, altered.out + altered.err)
    assert.match(altered.out + altered.err, /fail/i)
  })
})
