import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { LiveNode } from '../../helpers/liveNode.js'
import { testServer } from '../api/testServer.js'

const LISTED = 'ab'.repeat(32)
const UNKNOWN = 'cd'.repeat(32)

interface Answer { status: number, results: Array<Record<string, unknown>> }

describe('POST /v1/lookup on a real in-process node: summaries by default, entries when asked', function () {
  this.timeout(30_000)
  let live: LiveNode
  let app: FastifyInstance

  before(async function () {
    live = await LiveNode.start()
    app = testServer(live.node, { adminToken: 'f00d'.repeat(16) })
    await app.ready()
    await live.node.publish([{ type: 'sha256', value: LISTED, labels: ['terror'] }])
  })

  after(async function () {
    await app.close()
    await live.stop()
  })

  async function post (payload: object): Promise<Answer> {
    const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload })
    return { status: res.statusCode, results: res.json<{ results: Array<Record<string, unknown>> }>().results }
  }

  it('answers without entries unless matches is true, with the same summaries either way', async function () {
    const queries = [{ type: 'sha256', value: LISTED }, { type: 'sha256', value: UNKNOWN }]
    const summary = await post({ queries })
    const full = await post({ queries, matches: true })
    assert.deepEqual([summary.status, full.status], [200, 200])
    assert.ok(summary.results.every(r => !('matches' in r)))
    assert.deepEqual(full.results.map(r => (r.matches as unknown[]).length), [1, 0])
    assert.deepEqual(summary.results, full.results.map(({ matches: _, ...rest }) => rest))
    assert.deepEqual(summary.results.map(r => [r.listed, r.match]), [[true, true], [false, false]])
  })

  it('a single GET lookup still lists the entries', async function () {
    const res = await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}` })
    assert.equal(res.json<{ matches: unknown[] }>().matches.length, 1)
  })

  it('refuses a matches that is not a boolean', async function () {
    const res = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries: [{ type: 'sha256', value: LISTED }], matches: 'yes' } })
    assert.equal(res.statusCode, 400)
  })
})
