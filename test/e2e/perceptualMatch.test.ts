import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCliProcess as hashmeshProcess } from '../../src/cli/nodeProcess.js'
import type { LookupResult, MatchResult, NodeStatus } from '../../src/node/interface.js'
import { getJson, type HttpReply } from '../helpers/http.js'
import { vectorPath } from '../helpers/pdqVectors.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'pdq-e2e'
const UPLOAD_LIMIT = 4 * 1024 * 1024

const image = (...parts: string[]): string => vectorPath('images', ...parts)
const ORIGINAL = image('bridge-mods', 'aaa-orig.jpg')
const OTHER_LISTED = image('labelme-subset', 'q0122.jpg')
/** Re-encoded, resized, blurred, sharpened and recoloured copies of ORIGINAL: byte-different, visually the same. */
const EDITS = ['blur-a-lot.jpg', 'sharpen-a-lot.jpg', 'shrink-a-lot.jpg', 'square-256x256.jpg', 'high-contrast.jpg', 'high-saturation.jpg']
  .map(f => image('bridge-mods', f))
const UNRELATED = image('labelme-subset', 'q2821.jpg')
const ROTATED = image('dih', 'bridge-2-rotate-90.jpg')

/** What a refused request answers. */
interface ErrorReply { error?: { code: string } }
/** POST /v1/match answers a match, or (refused) an error. */
type MatchReply = MatchResult & ErrorReply

function nodeArgs (extra: string[]): string[] {
  return ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads', ...extra]
}

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

async function upload (info: NodeInfo, bytes: Uint8Array, contentType: string, query = ''): Promise<HttpReply<MatchReply>> {
  const res = await fetch(`${info.http}/v1/match${query}`, { method: 'POST', headers: { 'content-type': contentType }, body: bytes })
  return { status: res.status, body: await res.json() as MatchReply }
}

/**
 * Declares an upload of `bytes` bytes and sends none of them: the node refuses on the declared length
 * before reading a body. (Sending the body races with the node closing the connection after its 413,
 * which a client sees as EPIPE or a reset that can swallow the answer.)
 */
async function declareUpload (info: NodeInfo, bytes: number): Promise<HttpReply<ErrorReply>> {
  return await new Promise((resolve, reject) => {
    const req = request(`${info.http}/v1/match`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': bytes } }, res => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ErrorReply })
      })
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

function pdqResult (m: MatchResult): LookupResult | undefined {
  return m.results.find(r => r.type === 'pdq')
}

describe('perceptual matching end to end: A publishes PDQ of images, B matches edited copies (real processes)', function () {
  this.timeout(120_000)
  let base: string
  let a: NodeProcess, b: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo
  let dirA: string, dirB: string
  let originalPdq: string

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-pdq-e2e-'))
    dirA = join(base, 'a')
    dirB = join(base, 'b')
    a = new NodeProcess(dirA, nodeArgs([]))
    infoA = await a.start()
    const config = join(base, 'b.json')
    await writeFile(config, JSON.stringify({ match: { maxUploadBytes: UPLOAD_LIMIT } }))
    b = new NodeProcess(dirB, nodeArgs(['--config', config, '--bootstrap', infoA.multiaddrs[0]!, '--trust', infoA.publisherKey]))
    infoB = await b.start()
    await waitFor('A–B mesh', async () => {
      return (await status(infoA)).meshPeers.includes(infoB.peerId) && (await status(infoB)).meshPeers.includes(infoA.peerId)
    }, 20_000)
  })

  after(async function () {
    await Promise.all([a, b].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  it('A hashes two images with `hashmesh hash --csv` and publishes them; B indexes both PDQ hashes', async function () {
    const hashed = await hashmeshProcess(['hash', ORIGINAL, OTHER_LISTED, '--csv', '--labels', 'terror;e2e'])
    assert.equal(hashed.code, 0, hashed.err)
    const csv = join(base, 'hashes.csv')
    await writeFile(csv, hashed.out)
    originalPdq = hashed.out.split('\n').find(l => l.startsWith('pdq,'))!.split(',')[1]!
    const published = await hashmeshProcess(['publish', csv, '--data', dirA, '--json'])
    assert.equal(published.code, 0, published.err)
    assert.equal((JSON.parse(published.out) as { total: { entries: number } }).total.entries, 8)
    await waitFor('both PDQ hashes in B\'s index', async () => (await status(infoB)).pdqIndex.hashes === 2)
  })

  it('`hashmesh match` on B finds every edited copy by PDQ, with A as publisher, and not an unrelated image', async function () {
    const run = await hashmeshProcess(['match', ...EDITS, '--data', dirB, '--json'])
    assert.equal(run.code, 0, run.err)
    const matches = JSON.parse(run.out) as Array<MatchResult & { file: string }>
    for (const m of matches) {
      assert.equal(m.listed, true, m.file)
      const near = pdqResult(m)!.matches
      assert.equal(near.length, 1, m.file)
      assert.equal(near[0]!.value, originalPdq)
      assert.ok(near[0]!.distance! <= 31, `${m.file} at distance ${near[0]!.distance}`)
      assert.equal(near[0]!.publisher, infoA.publisherKey)
      assert.deepEqual(near[0]!.labels, ['terror', 'e2e'])
      assert.deepEqual(m.results.filter(r => r.type !== 'pdq').map(r => r.listed), [false, false, false], 'the copies differ byte for byte')
    }
    const unrelated = await hashmeshProcess(['match', UNRELATED, '--data', dirB])
    assert.equal(unrelated.code, 1, unrelated.out)
    assert.match(unrelated.out, /^not listed: /)
  })

  it('POST /v1/match hashes an upload in memory: the original matches exactly and by PDQ, a rotated copy only with dihedral=true', async function () {
    const original = await upload(infoB, await readFile(ORIGINAL), 'image/jpeg')
    assert.equal(original.status, 200)
    assert.equal(original.body.listed, true)
    assert.deepEqual(original.body.results.map(r => [r.type, r.listed]), [['md5', true], ['sha1', true], ['sha256', true], ['pdq', true]])
    assert.equal(pdqResult(original.body)!.matches[0]!.distance, 0)

    const rotated = await readFile(ROTATED)
    assert.equal((await upload(infoB, rotated, 'image/jpeg')).body.listed, false)
    const turned = await upload(infoB, rotated, 'image/jpeg', '?dihedral=true')
    assert.equal(turned.body.listed, true)
    const [hit] = pdqResult(turned.body)!.matches
    assert.equal(turned.body.variants![hit!.variant!], 'rotate270')
    assert.ok(hit!.distance! <= 31)
  })

  it('GET /v1/lookup/pdq/:hash returns near matches with distances, bounded by maxDistance', async function () {
    const hashed = JSON.parse((await hashmeshProcess(['hash', EDITS[0]!, '--json'])).out) as Array<{ pdq: { hash: string } }>
    const edited = hashed[0]!.pdq.hash
    const near = await getJson<LookupResult>(`${infoB.http}/v1/lookup/pdq/${edited}`)
    assert.equal(near.status, 200)
    assert.equal(near.body.listed, true)
    const distance = near.body.matches[0]!.distance!
    assert.ok(distance > 0 && distance <= 31, `distance ${distance}`)
    const tighter = await getJson<LookupResult>(`${infoB.http}/v1/lookup/pdq/${edited}?maxDistance=${distance - 1}`)
    assert.deepEqual([tighter.body.listed, tighter.body.matches], [false, []])
  })

  it('refuses bad uploads with clear errors and keeps serving with its data intact', async function () {
    const big = await declareUpload(infoB, UPLOAD_LIMIT + 1)
    assert.deepEqual([big.status, big.body.error?.code], [413, 'BODY_TOO_LARGE'])
    const json = await upload(infoB, Buffer.from('{"image":"x"}'), 'application/json')
    assert.deepEqual([json.status, json.body.error?.code], [415, 'UNSUPPORTED_MEDIA_TYPE'])
    const notPng = await upload(infoB, Buffer.from('this is not a png'), 'image/png')
    assert.deepEqual([notPng.status, notPng.body.error?.code], [415, 'UNSUPPORTED_IMAGE'])
    const bytes = await upload(infoB, Buffer.from('any file at all'), 'application/octet-stream')
    assert.deepEqual([bytes.status, bytes.body.pdqSkipped, bytes.body.results.length], [200, 'NOT_AN_IMAGE', 3])
    const flat = await upload(infoB, await readFile(image('misc', 'small.jpg')), 'image/jpeg')
    assert.deepEqual([flat.status, flat.body.pdqSkipped, flat.body.hashes.pdq?.quality], [200, 'LOW_QUALITY', 0])
    const s = await status(infoB)
    assert.equal(s.pdqIndex.hashes, 2)
    assert.equal(s.hashes.pdq, 2)
  })

  it('B killed with SIGKILL rebuilds its PDQ index from LevelDB at start', async function () {
    await b.kill()
    infoB = await b.start()
    assert.equal((await status(infoB)).pdqIndex.hashes, 2)
    const again = await upload(infoB, await readFile(EDITS[1]!), 'image/jpeg')
    assert.equal(again.body.listed, true)
  })

  it('A retracts the original: B stops matching its copies, keeps the history, and a restart keeps it so', async function () {
    const csv = join(base, 'retract.csv')
    await writeFile(csv, `type,value,labels,action\npdq,${originalPdq},,retract\n`)
    const retracted = await hashmeshProcess(['publish', csv, '--data', dirA])
    assert.equal(retracted.code, 0, retracted.err)
    await waitFor('the retraction on B', async () => (await status(infoB)).pdqIndex.hashes === 1)
    const copy = await readFile(EDITS[2]!)
    assert.equal((await upload(infoB, copy, 'image/jpeg')).body.listed, false)
    const history = await getJson<LookupResult>(`${infoB.http}/v1/lookup/pdq/${originalPdq}`)
    assert.equal(history.body.listed, false)
    assert.deepEqual(history.body.matches.map(m => [m.action, m.current, m.distance]), [['add', false, 0], ['retract', true, 0]])

    await b.stop()
    infoB = await b.start()
    assert.equal((await status(infoB)).pdqIndex.hashes, 1)
    assert.equal((await upload(infoB, copy, 'image/jpeg')).body.listed, false)
    assert.equal((await upload(infoB, await readFile(OTHER_LISTED), 'image/jpeg')).body.listed, true, 'the other image is still listed')
  })
})
