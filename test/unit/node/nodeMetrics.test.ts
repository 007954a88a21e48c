import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { buildHttpServer } from '../../../src/api/server.js'
import { loadConfig } from '../../../src/config/loadConfig.js'
import { silentLogger } from '../../../src/logger.js'
import { type HashmeshNode, createHashmeshNode } from '../../../src/node/hashmeshNode.js'
import { parsePromText, type PromSample, sampleValue } from '../../helpers/promText.js'

const NETWORK = 'metrics-test'
/** An upload that is not an image: its exact hashes are looked up, no PDQ. */
const FILE = Buffer.from('an upload whose md5 is listed')
const FILE_MD5 = createHash('md5').update(FILE).digest('hex')
const ALLOWLISTED_SHA1 = 'a1'.repeat(20)
const PDQ = 'f0e1d2c3b4a59687'.repeat(4)
/** Every bit of PDQ flipped: distance 256, never near it. */
const FAR_PDQ = Buffer.from(Buffer.from(PDQ, 'hex').map(b => b ^ 0xff)).toString('hex')

describe('node metrics: a real in-process node (LevelDB, libp2p, HTTP) scraped at /metrics', function () {
  this.timeout(30_000)
  let dir: string
  let node: HashmeshNode
  let app: FastifyInstance
  let read: { authorization: string }

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-node-metrics-'))
    const config = await loadConfig({ env: {}, flags: { dataDir: dir, network: NETWORK, listen: ['/ip4/127.0.0.1/tcp/0'] } })
    const registry = new Registry()
    const logger = silentLogger()
    node = await createHashmeshNode(config.node, { logger, registry })
    await node.start()
    const { adminToken, readToken } = node.dataDir
    read = { authorization: `Bearer ${readToken}` }
    app = buildHttpServer({ node, auth: routeAuth({ adminToken, readToken, openReads: false }), registry, logger, maxUploadBytes: 1024 * 1024 })
    await app.ready()
    await node.publish([{ type: 'md5', value: FILE_MD5 }, { type: 'sha1', value: ALLOWLISTED_SHA1 }, { type: 'pdq', value: PDQ }])
    await node.allowlistAdd({ type: 'sha1', value: ALLOWLISTED_SHA1, note: 'known good', author: 'ops' }, 'ops')
  })

  after(async function () {
    await app?.close()
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function get (url: string): Promise<number> {
    return (await app.inject({ method: 'GET', url, headers: read })).statusCode
  }

  async function scrape (): Promise<PromSample[]> {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: read })
    assert.equal(res.statusCode, 200)
    return parsePromText(res.body)
  }

  it('counts lookups and match uploads by kind and verdict, times them, and sizes the PDQ index', async function () {
    assert.equal(await get(`/v1/lookup/md5/${FILE_MD5}`), 200)
    assert.equal(await get(`/v1/lookup/sha1/${ALLOWLISTED_SHA1}`), 200)
    assert.equal(await get(`/v1/lookup/sha256/${randomBytes(32).toString('hex')}`), 200)
    assert.equal(await get(`/v1/lookup/pdq/${PDQ}`), 200)
    assert.equal(await get('/v1/lookup/md5/not-hex'), 400)
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/lookup',
      headers: read,
      payload: { queries: [{ type: 'md5', value: FILE_MD5 }, { type: 'sha256', value: '00'.repeat(32) }, { type: 'pdq', value: FAR_PDQ }] }
    })
    assert.equal(batch.statusCode, 200)
    const upload = await app.inject({ method: 'POST', url: '/v1/match', headers: { ...read, 'content-type': 'application/octet-stream' }, payload: FILE })
    assert.equal(upload.json<{ match: boolean }>().match, true)

    const samples = await scrape()
    const lookups = (kind: string): number | undefined => sampleValue(samples, 'hashmesh_lookups_total', { kind })
    const verdicts = (kind: string, verdict: string): number | undefined => sampleValue(samples, 'hashmesh_lookup_verdicts_total', { kind, verdict })
    assert.deepEqual(['exact', 'pdq', 'batch', 'match'].map(lookups), [3, 1, 1, 1], 'the refused lookup is not counted')
    assert.deepEqual([verdicts('exact', 'match'), verdicts('exact', 'listed_no_match'), verdicts('exact', 'not_listed')], [1, 1, 1])
    assert.deepEqual([verdicts('pdq', 'match'), verdicts('pdq', 'not_listed')], [1, 0])
    assert.deepEqual([verdicts('batch', 'match'), verdicts('batch', 'listed_no_match'), verdicts('batch', 'not_listed')], [1, 0, 2], 'one verdict per query')
    assert.deepEqual([verdicts('match', 'match'), verdicts('match', 'not_listed')], [1, 0], 'one verdict per upload')
    assert.equal(sampleValue(samples, 'hashmesh_lookup_duration_seconds_count', { kind: 'exact' }), 3)
    assert.equal(sampleValue(samples, 'hashmesh_lookup_duration_seconds_count', { kind: 'match' }), 1)
    assert.ok(sampleValue(samples, 'hashmesh_lookup_duration_seconds_sum', { kind: 'match' })! > 0)
    assert.equal(sampleValue(samples, 'hashmesh_pdq_index_hashes'), 1)
    assert.ok(sampleValue(samples, 'hashmesh_pdq_index_memory_bytes')! > 0)
    assert.equal(sampleValue(samples, 'hashmesh_http_requests_total', { route: '/v1/lookup/:type/:value', method: 'GET', status: '200' }), 4)
    assert.equal(sampleValue(samples, 'hashmesh_http_requests_total', { route: '/v1/match', method: 'POST', status: '200' }), 1)
  })

  it('reports peers and mesh peers per topic at scrape time, with no peer yet', async function () {
    const samples = await scrape()
    assert.equal(sampleValue(samples, 'hashmesh_peers_connected'), 0)
    for (const kind of ['batches', 'equivocations', 'forum']) {
      assert.equal(sampleValue(samples, 'hashmesh_gossip_mesh_peers', { topic: `/hashmesh/${NETWORK}/${kind}/1` }), 0, kind)
    }
  })
})
