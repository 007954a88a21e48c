import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { UNMATCHED_ROUTE } from '../../../src/api/requestMetrics.js'
import { parsePromText, type PromSample, sampleValue, samplesOf } from '../../helpers/promText.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { TEST_READ_TOKEN, type TestServerOptions, testServer } from './testServer.js'
import type { ErrorBody } from './errorBody.js'

const ADMIN = 'f00d'.repeat(16)
const READ = { authorization: `Bearer ${TEST_READ_TOKEN}` }
const LOOKUP_ROUTE = '/v1/lookup/:type/:value'
const LISTED_MD5 = 'ab'.repeat(16)

describe('api: /metrics', () => {
  let live: LiveNode | undefined
  let app: FastifyInstance | undefined

  async function serve (options: Omit<TestServerOptions, 'adminToken'>): Promise<FastifyInstance> {
    live = await LiveNode.start()
    await live.node.publish([{ type: 'md5', value: LISTED_MD5 }])
    app = testServer(live.node, { adminToken: ADMIN, ...options })
    await app.ready()
    return app
  }

  async function scrape (server: FastifyInstance): Promise<PromSample[]> {
    const res = await server.inject({ method: 'GET', url: '/metrics', headers: READ })
    assert.equal(res.statusCode, 200)
    return parsePromText(res.body)
  }

  afterEach(async () => {
    await app?.close()
    await live?.stop()
  })

  describe('who may read it', () => {
    it('by default needs the read or admin token, and the refusal names http.openMetrics', async () => {
      const server = await serve({ openReads: false })
      const refused = await server.inject({ method: 'GET', url: '/metrics' })
      assert.equal(refused.statusCode, 401)
      assert.match(refused.json<ErrorBody>().error.message, /http\.openMetrics/)
      assert.equal((await server.inject({ method: 'GET', url: '/metrics', headers: READ })).statusCode, 200)
      assert.equal((await server.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ADMIN}` } })).statusCode, 200)
    })

    it('http.openMetrics opens /metrics alone: /v1 reads still need a token', async () => {
      const server = await serve({ openReads: false, openMetrics: true })
      const res = await server.inject({ method: 'GET', url: '/metrics' })
      assert.equal(res.statusCode, 200)
      assert.match(res.headers['content-type'] as string, /^text\/plain/)
      for (const url of ['/v1/status', `/v1/lookup/md5/${LISTED_MD5}`]) {
        assert.equal((await server.inject({ method: 'GET', url })).statusCode, 401, url)
      }
    })

    it('http.openReads opens it too, as before', async () => {
      const server = await serve({ openReads: true })
      assert.equal((await server.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
    })
  })

  describe('HTTP requests by route pattern, method and status', () => {
    it('counts and times each request under its route pattern, never its URL', async () => {
      const server = await serve({ openReads: true, registry: new Registry() })
      await server.inject({ method: 'GET', url: `/v1/lookup/md5/${LISTED_MD5}` })
      await server.inject({ method: 'GET', url: `/v1/lookup/sha256/${'00'.repeat(32)}` })
      await server.inject({ method: 'GET', url: '/v1/lookup/md5/not-hex' })
      await server.inject({ method: 'POST', url: '/v1/lookup', payload: { queries: [{ type: 'md5', value: LISTED_MD5 }] } })

      const samples = await scrape(server)
      const requests = (labels: Record<string, string>): number | undefined => sampleValue(samples, 'hashmesh_http_requests_total', labels)
      assert.equal(requests({ route: LOOKUP_ROUTE, method: 'GET', status: '200' }), 2)
      assert.equal(requests({ route: LOOKUP_ROUTE, method: 'GET', status: '400' }), 1)
      assert.equal(requests({ route: '/v1/lookup', method: 'POST', status: '200' }), 1)
      assert.equal(sampleValue(samples, 'hashmesh_http_request_duration_seconds_count', { route: LOOKUP_ROUTE, method: 'GET' }), 3)
      assert.ok(samples.every(s => !Object.values(s.labels).some(v => v.includes(LISTED_MD5))), 'no label holds a hash from a URL')
    })

    it('folds every unknown URL into one "unmatched" route label', async () => {
      const server = await serve({ openReads: true, registry: new Registry() })
      const routeLabels = async (): Promise<string[]> =>
        [...new Set(samplesOf(await scrape(server), 'hashmesh_http_requests_total').map(s => s.labels.route!))].sort()
      await server.inject({ method: 'GET', url: '/v2/first' })
      await scrape(server)
      const before = await routeLabels()
      assert.deepEqual(before, ['/metrics', UNMATCHED_ROUTE])

      for (const url of ['/v2/second', '/nothing/here', `/v1/lookup/md5/${LISTED_MD5}/extra`, '/%2e%2e/etc/passwd']) {
        assert.equal((await server.inject({ method: 'GET', url })).statusCode, 404, url)
      }
      await server.inject({ method: 'PROPFIND', url: '/webdav' })

      assert.deepEqual(await routeLabels(), before, 'no new route label')
      const samples = await scrape(server)
      assert.equal(sampleValue(samples, 'hashmesh_http_requests_total', { route: UNMATCHED_ROUTE, method: 'GET', status: '404' }), 5)
      assert.equal(sampleValue(samples, 'hashmesh_http_requests_total', { route: UNMATCHED_ROUTE, method: 'OTHER', status: '404' }), 1)
    })
  })
})
