import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { toHex } from '../../../src/signals/hex.js'
import { randomEntries } from '../../helpers/batches.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { testServer } from './testServer.js'

const TOKEN = 'beef'.repeat(16)
/** A key the node trusts and catches signing two batches for one seq, so decisions about it are real. */
const FORKER = generateSecretKey()
const FORKED = toHex(publicKeyOf(FORKER))

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(b => Buffer.from(b).toString('hex'))

/** Mostly-plausible entries reach the node; arbitrary JSON exercises the schema and the parser. */
const plausibleEntry = fc.record({
  type: fc.oneof(fc.constantFrom('md5', 'sha1', 'sha256', 'pdq'), fc.string({ maxLength: 20 })),
  value: fc.oneof(hex(16), hex(20), hex(32), fc.string({ maxLength: 70 })),
  labels: fc.array(fc.oneof(fc.constantFrom('csam', 'tier:1'), fc.string({ maxLength: 70 })), { maxLength: 18 }),
  action: fc.oneof(fc.constantFrom('add', 'retract', 'confirm', 'false_positive', 'dispute', 'withdraw'), fc.jsonValue()),
  reason: fc.oneof(fc.constantFrom('not_violating', 'verified'), fc.string({ maxLength: 40 }))
}, { requiredKeys: [] })

const body = (listKey: string) => fc.oneof(
  fc.jsonValue(),
  fc.record({ [listKey]: fc.array(fc.oneof(plausibleEntry, fc.jsonValue()), { maxLength: 5 }) }),
  fc.dictionary(fc.constantFrom(listKey, 'extra'), fc.jsonValue())
)

/** Mostly a valid decision for a recorded or plausible publisher, so that the node's checks run too. */
const decisionBody = fc.oneof(
  fc.jsonValue(),
  fc.record({ decision: fc.oneof(fc.constantFrom('follow-stored', 'block', 'undecided'), fc.jsonValue()) }),
  fc.dictionary(fc.constantFrom('decision', 'extra'), fc.oneof(fc.constantFrom('follow-stored', 'block'), fc.jsonValue()))
)

const decisionUrl = fc.oneof(fc.constant(FORKED), hex(32), fc.string({ maxLength: 300 }))
  .map(publisher => `/v1/equivocations/${encodeURIComponent(publisher)}/decision`)

describe('api: no input produces a 5xx (property)', () => {
  let live: LiveNode
  let app: FastifyInstance

  before(async () => {
    live = await LiveNode.start({ trust: [FORKED] })
    await live.fork(FORKER, randomEntries(1))
    app = testServer(live.node, { adminToken: TOKEN })
    await app.ready()
  })
  after(async () => {
    await app.close()
    await live.stop()
  })

  async function noServerError (url: string, payload: string, auth: boolean): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (auth) headers.authorization = `Bearer ${TOKEN}`
    const res = await app.inject({ method: 'POST', url, headers, payload })
    assert.ok(res.statusCode < 500, `${url} ${payload.slice(0, 200)} → ${res.statusCode} ${res.body}`)
    const parsed = res.json<{ error?: { code?: unknown } }>()
    if (res.statusCode >= 400) assert.equal(typeof parsed.error?.code, 'string')
  }

  it('POST /v1/batches with arbitrary JSON bodies', async () => {
    await fc.assert(fc.asyncProperty(body('entries'), async b => { await noServerError('/v1/batches', JSON.stringify(b), true) }), { numRuns: 400 })
  })

  it('POST /v1/lookup with arbitrary JSON bodies', async () => {
    await fc.assert(fc.asyncProperty(body('queries'), async b => { await noServerError('/v1/lookup', JSON.stringify(b), false) }), { numRuns: 400 })
  })

  it('POST /v1/equivocations/:publisher/decision with arbitrary publishers and JSON bodies', async () => {
    await fc.assert(fc.asyncProperty(decisionUrl, decisionBody, async (url, b) => { await noServerError(url, JSON.stringify(b), true) }), { numRuns: 400 })
  })

  it('POST /v1/allowlist with arbitrary JSON bodies, and DELETE with arbitrary paths', async () => {
    const plausible = fc.record({
      type: fc.oneof(fc.constantFrom('md5', 'pdq'), fc.string({ maxLength: 20 })),
      value: fc.oneof(hex(16), hex(32), fc.string({ maxLength: 70 })),
      note: fc.oneof(fc.constantFrom('stock photo'), fc.string({ maxLength: 600, unit: 'grapheme' })),
      author: fc.oneof(fc.constantFrom('alice@ops'), fc.string({ maxLength: 140 }))
    }, { requiredKeys: [] })
    await fc.assert(fc.asyncProperty(fc.oneof(plausible, fc.jsonValue()), async b => {
      await noServerError('/v1/allowlist', JSON.stringify(b), true)
    }), { numRuns: 300 })
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 20 }), fc.oneof(hex(16), fc.string({ maxLength: 300 })), async (type, value) => {
      const url = `/v1/allowlist/${encodeURIComponent(type)}/${encodeURIComponent(value)}`
      const res = await app.inject({ method: 'DELETE', url, headers: { authorization: `Bearer ${TOKEN}` } })
      assert.ok(res.statusCode < 500, `${type} ${value} → ${res.statusCode} ${res.body}`)
    }), { numRuns: 200 })
  })

  it('GET /v1/lookup/:type/:value with arbitrary query strings', async () => {
    const distance = fc.oneof(fc.nat({ max: 400 }).map(String), fc.string({ maxLength: 8 }))
    const query = fc.dictionary(fc.constantFrom('maxDistance', 'limit', 'x'), distance, { maxKeys: 2 })
    await fc.assert(fc.asyncProperty(fc.constantFrom('pdq', 'md5', 'sha256'), fc.oneof(hex(16), hex(32)), query, async (type, value, q) => {
      const res = await app.inject({ method: 'GET', url: `/v1/lookup/${type}/${value}`, query: q })
      assert.ok(res.statusCode === 200 || res.statusCode === 400, `${type} ${value} ${JSON.stringify(q)} → ${res.statusCode} ${res.body}`)
    }), { numRuns: 300 })
  })

  it('POST /v1/match with arbitrary bytes, media types and query strings', async () => {
    const contentType = fc.oneof(
      fc.constantFrom('application/octet-stream', 'image/jpeg', 'image/png', 'application/json', 'text/plain', 'multipart/form-data'),
      fc.string({ maxLength: 30 })
    )
    const setting = fc.oneof(fc.constantFrom('31', 'tool', 'core', 'true', 'false'), fc.string({ maxLength: 8 }))
    const query = fc.dictionary(fc.constantFrom('maxDistance', 'mode', 'dihedral', 'x'), setting, { maxKeys: 3 })
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), contentType, query, async (bytes, type, q) => {
      const res = await app.inject({ method: 'POST', url: '/v1/match', query: q, headers: { 'content-type': type }, payload: Buffer.from(bytes) })
      assert.ok(res.statusCode < 500, `${type} ${JSON.stringify(q)} ${bytes.length} bytes → ${res.statusCode} ${res.body}`)
    }), { numRuns: 300 })
  })

  it('every POST route with arbitrary text that claims to be JSON', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), async text => {
      await noServerError('/v1/lookup', text, false)
      await noServerError('/v1/batches', text, true)
      await noServerError('/v1/allowlist', text, true)
      await noServerError(`/v1/equivocations/${FORKED}/decision`, text, true)
    }), { numRuns: 200 })
  })
})
