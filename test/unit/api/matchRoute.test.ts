import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { FakeNode } from './fakeNode.js'
import { testServer } from './testServer.js'

const UPLOAD_LIMIT = 64 * 1024

describe('api: POST /v1/match refuses a bad maxDistance before the upload', () => {
  let node: FakeNode
  let app: FastifyInstance

  beforeEach(async () => {
    node = new FakeNode()
    app = testServer(node, { adminToken: 'f00d'.repeat(16), maxUploadBytes: UPLOAD_LIMIT })
    await app.ready()
  })
  afterEach(async () => { await app.close() })

  it('400 BAD_MAX_DISTANCE for ?maxDistance=999; nothing hashed', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/match?maxDistance=999', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(1024, 1) })
    assert.equal(res.statusCode, 400)
    assert.equal(res.json().error.code, 'BAD_MAX_DISTANCE')
    assert.equal(node.matched.length, 0)
  })

  it('answers BAD_MAX_DISTANCE, not BODY_TOO_LARGE, for an oversized upload: the body is never read', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/match?maxDistance=257', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(UPLOAD_LIMIT + 1) })
    assert.equal(res.statusCode, 400)
    assert.equal(res.json().error.code, 'BAD_MAX_DISTANCE')
    assert.equal(node.matched.length, 0)
  })

  it('still passes every distance 0-256 through', async () => {
    for (const d of [0, 256]) {
      const res = await app.inject({ method: 'POST', url: `/v1/match?maxDistance=${d}`, headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(16, 1) })
      assert.equal(res.statusCode, 200)
    }
    assert.deepEqual(node.matched.map(m => m.options.maxDistance), [0, 256])
  })
})
