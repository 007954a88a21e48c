import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../../src/api/jsonBody.js'
import { LOOKUP_BODY_LIMIT } from '../../../src/api/limits.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { testServer } from './testServer.js'
import type { ErrorBody } from './errorBody.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const LISTED_MD5 = 'ab'.repeat(16)

function nested (depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

describe('api: JSON body nesting bound', () => {
  describe('nestsDeeperThan', () => {
    it('counts arrays and objects alike, up to the bound and past it', () => {
      assert.equal(nestsDeeperThan('{"a":[{"b":[1]}]}', 4), false)
      assert.equal(nestsDeeperThan('{"a":[{"b":[1]}]}', 3), true)
      assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false)
      assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true)
    })

    it('ignores brackets inside strings, escaped quotes included', () => {
      assert.equal(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{' }), 1), false)
      assert.equal(nestsDeeperThan(JSON.stringify({ a: '"[[[[\\' }), 1), false)
      assert.equal(nestsDeeperThan(JSON.stringify(['\\', [[1]]]), 2), true)
    })

    it('agrees with the depth of what JSON.parse builds, for any JSON text', () => {
      const depthOf = (v: unknown): number => typeof v !== 'object' || v === null ? 0 : 1 + Math.max(0, ...Object.values(v).map(depthOf))
      const text = fc.oneof(fc.json({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 6 }).map(v => JSON.stringify(v, null, 1)))
      fc.assert(fc.property(text, fc.nat(7), (t, max) => {
        assert.equal(nestsDeeperThan(t, max), depthOf(JSON.parse(t)) > max)
      }), { numRuns: 2000 })
    })

    it('depth returns to zero between sibling values', () => {
      assert.equal(nestsDeeperThan('[' + '[[1]],'.repeat(1000) + '[[1]]]', 3), false)
    })
  })

  describe('over HTTP', () => {
    let live: LiveNode
    let app: FastifyInstance

    beforeEach(async () => {
      live = await LiveNode.start()
      await live.node.publish([{ type: 'md5', value: LISTED_MD5 }])
      app = testServer(live.node, { adminToken: 'f00d'.repeat(16) })
      await app.ready()
    })
    afterEach(async () => {
      await app.close()
      await live.stop()
    })

    it('refuses a lookup body of nested arrays filling the body limit with 400 TOO_DEEP', async () => {
      const depth = Math.floor((LOOKUP_BODY_LIMIT - 20) / 2)
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', headers: JSON_TYPE, payload: `{"queries":${nested(depth)}}` })
      assert.equal(res.statusCode, 400)
      assert.equal(res.json<ErrorBody>().error.code, 'TOO_DEEP')
      assert.match(res.json<ErrorBody>().error.message, new RegExp(`deeper than ${MAX_JSON_DEPTH}`))
    })

    it('lets a body at the bound through to schema validation', async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/lookup', headers: JSON_TYPE, payload: `{"queries":${nested(MAX_JSON_DEPTH - 1)}}` })
      assert.equal(res.statusCode, 400)
      assert.equal(res.json<ErrorBody>().error.code, 'INVALID_REQUEST')
    })

    it('still parses ordinary bodies and still refuses prototype poisoning', async () => {
      const lookup = JSON.stringify({ queries: [{ type: 'md5', value: LISTED_MD5 }] })
      const ok = await app.inject({ method: 'POST', url: '/v1/lookup', headers: JSON_TYPE, payload: lookup })
      assert.equal(ok.statusCode, 200)
      assert.equal(ok.json<{ results: Array<{ listed: boolean }> }>().results[0]!.listed, true)
      const poisoned = await app.inject({ method: 'POST', url: '/v1/lookup', headers: JSON_TYPE, payload: '{"queries":[],"__proto__":{"x":1}}' })
      assert.equal(poisoned.statusCode, 400)
      const empty = await app.inject({ method: 'POST', url: '/v1/lookup', headers: JSON_TYPE, payload: '' })
      assert.equal(empty.statusCode, 400)
    })
  })
})
