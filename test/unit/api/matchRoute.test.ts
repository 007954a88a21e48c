import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import sharp from 'sharp'
import { LiveNode } from '../../helpers/liveNode.js'
import { vectorPath } from '../../helpers/pdqVectors.js'
import { testServer } from './testServer.js'
import type { ErrorBody } from './errorBody.js'

const UPLOAD_LIMIT = 64 * 1024

describe('api: POST /v1/match refuses a bad maxDistance before the upload', () => {
  let live: LiveNode
  let app: FastifyInstance

  beforeEach(async () => {
    live = await LiveNode.start()
    app = testServer(live.node, { adminToken: 'f00d'.repeat(16), maxUploadBytes: UPLOAD_LIMIT })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  it('400 BAD_MAX_DISTANCE for ?maxDistance=999; nothing hashed', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/match?maxDistance=999', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(1024, 1) })
    assert.equal(res.statusCode, 400)
    assert.equal(res.json<ErrorBody>().error.code, 'BAD_MAX_DISTANCE')
    assert.equal(await live.uploadsAnswered(), 0)
  })

  it('answers BAD_MAX_DISTANCE, not BODY_TOO_LARGE, for an oversized upload: the body is never read', async () => {
    const res = await app.inject({
      method: 'POST', url: '/v1/match?maxDistance=257', headers: { 'content-type': 'image/png' }, payload: Buffer.alloc(UPLOAD_LIMIT + 1)
    })
    assert.equal(res.statusCode, 400)
    assert.equal(res.json<ErrorBody>().error.code, 'BAD_MAX_DISTANCE')
    assert.equal(await live.uploadsAnswered(), 0)
  })

  it('still passes every distance 0-256 through', async () => {
    // A photo with a PDQ worth looking up, so the node's answer shows the distance it searched.
    const photo = await sharp(vectorPath('images', 'bridge-mods', 'aaa-orig.jpg')).resize(256).jpeg().toBuffer()
    const searched: unknown[] = []
    for (const d of [0, 256]) {
      const res = await app.inject({ method: 'POST', url: `/v1/match?maxDistance=${d}`, headers: { 'content-type': 'image/png' }, payload: photo })
      assert.equal(res.statusCode, 200)
      searched.push(res.json<{ results: Array<{ maxDistance: number }> }>().results.at(-1)?.maxDistance)
    }
    assert.deepEqual(searched, [0, 256])
  })
})
