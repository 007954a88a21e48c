import assert from 'node:assert/strict'
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

const LISTED = 'ab'.repeat(32)
const UNKNOWN = 'cd'.repeat(32)

describe('POST /v1/lookup on a real in-process node: summaries by default, entries when asked', function () {
  this.timeout(30_000)
  let dir: string
  let node: HashmeshNode
  let app: FastifyInstance
  let headers: { authorization: string }

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-lookup-detail-'))
    const config = await loadConfig({ env: {}, flags: { dataDir: dir, network: 'lookup-detail', listen: ['/ip4/127.0.0.1/tcp/0'] } })
    const registry = new Registry()
    const logger = silentLogger()
    node = await createHashmeshNode(config.node, { logger, registry })
    await node.start()
    const { adminToken, readToken } = node.dataDir
    headers = { authorization: `Bearer ${readToken}` }
    app = buildHttpServer({ node, auth: routeAuth({ adminToken, readToken, openReads: false }), registry, logger, maxUploadBytes: 1024 * 1024 })
    await app.ready()
    await node.publish([{ type: 'sha256', value: LISTED, labels: ['terror'] }])
  })

  after(async function () {
    await app?.close()
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function post (payload: object): Promise<{ status: number, results: Array<Record<string, unknown>> }> {
    const res = await app.inject({ method: 'POST', url: '/v1/lookup', headers, payload })
    return { status: res.statusCode, results: res.json<{ results: Array<Record<string, unknown>> }>().results }
  }

  it('answers without entries unless matches is true, with the same summaries either way', async function () {
    const queries = [{ type: 'sha256', value: LISTED }, { type: 'sha256', value: UNKNOWN }]
    const summary = await post({ queries })
    const full = await post({ queries, matches: true })
    assert.equal(summary.status, 200)
    assert.equal(full.status, 200)
    assert.ok(summary.results.every(r => !('matches' in r)))
    assert.deepEqual(full.results.map(r => (r.matches as unknown[]).length), [1, 0])
    assert.deepEqual(summary.results, full.results.map(({ matches: _, ...rest }) => rest))
    assert.deepEqual(summary.results.map(r => [r.listed, r.match]), [[true, true], [false, false]])
  })

  it('a single GET lookup still lists the entries', async function () {
    const res = await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}`, headers })
    assert.equal(res.json<{ matches: unknown[] }>().matches.length, 1)
  })

  it('refuses a matches that is not a boolean', async function () {
    const res = await app.inject({ method: 'POST', url: '/v1/lookup', headers, payload: { queries: [{ type: 'sha256', value: LISTED }], matches: 'yes' } })
    assert.equal(res.statusCode, 400)
  })
})
