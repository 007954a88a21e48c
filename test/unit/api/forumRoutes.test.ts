import assert from 'node:assert/strict'
import { type FastifyInstance, fastify } from 'fastify'
import { toHttpError } from '../../../src/api/errorMapping.js'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { registerForumRoutes } from '../../../src/api/routes/forum.js'
import { ForumError } from '../../../src/forum/forumError.js'
import type { ForumInfo, ForumNodeApi, ForumSubmitResult } from '../../../src/node/forumApi.js'
import { toHex } from '../../../src/signals/hex.js'
import { decodeSignedForumRecord } from '../../../src/wire/forumCodec.js'
import { MAX_FORUM_RECORD_BYTES } from '../../../src/wire/limits.js'
import { newMember, Root } from '../forum/forumFixtures.js'

const ADMIN_TOKEN = 'ad'.repeat(32)
const READ_TOKEN = 'be'.repeat(32)
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
const READ = { authorization: `Bearer ${READ_TOKEN}` }

const INFO: ForumInfo = { roots: ['aa'.repeat(32)], revokedEntries: 'keep', digest: 'cd'.repeat(32), members: [], revocations: [] }

/** Decodes what it is given (so a WireError surfaces as the node's would) and refuses other roots' records. */
class FakeForumNode implements ForumNodeApi {
  readonly submitted: Array<{ recordId: string, actor: string }> = []
  constructor (private readonly root: Root) {}

  async forum (): Promise<ForumInfo> {
    return INFO
  }

  async submitForumRecord (signed: Uint8Array, actor: string): Promise<ForumSubmitResult> {
    const record = decodeSignedForumRecord(signed)
    if (toHex(record.body.signer) !== this.root.hex) throw new ForumError('ignore', 'UNKNOWN_ROOT', 'not a root of this forum')
    const recordId = toHex(record.id)
    const kind = record.body.credential !== undefined ? 'credential' : 'revocation'
    if (this.submitted.some(s => s.recordId === recordId)) return { recordId, kind, code: 'DUPLICATE' }
    this.submitted.push({ recordId, actor })
    return { recordId, kind, code: 'ACCEPTED' }
  }
}

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

/** The route alone, with the server's ajv settings; ForumError statuses as proposed for errorMapping. */
function forumApp (node: ForumNodeApi): FastifyInstance {
  const app = fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } } })
  app.setErrorHandler(async (err, _request, reply) => {
    if (err instanceof ForumError) return await reply.code(err.code === 'UNKNOWN_ROOT' ? 403 : 400).send({ error: { code: err.code, message: err.message } })
    const { status, body } = toHttpError(err)
    return await reply.code(status).send(body)
  })
  registerForumRoutes(app, node, routeAuth({ adminToken: ADMIN_TOKEN, readToken: READ_TOKEN, openReads: false }))
  return app
}

describe('api: forum routes', () => {
  const root = new Root()
  let node: FakeForumNode
  let app: FastifyInstance

  beforeEach(async () => {
    node = new FakeForumNode(root)
    app = forumApp(node)
    await app.ready()
  })
  afterEach(async () => { await app.close() })

  it('GET /v1/forum answers the node\'s forum to the read or admin token, 401 to nobody', async () => {
    for (const headers of [READ, ADMIN]) {
      const res = await app.inject({ method: 'GET', url: '/v1/forum', headers })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), INFO)
    }
    assert.equal((await app.inject({ method: 'GET', url: '/v1/forum' })).statusCode, 401)
  })

  it('POST /v1/forum/records: 201 ACCEPTED with the record\'s id and kind, under the actor; 200 DUPLICATE the second time', async () => {
    const record = root.credential(newMember().publicKey)
    const payload = { record: toHex(record.signedBytes).toUpperCase() }
    const first = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: { ...ADMIN, 'x-hashmesh-actor': 'op@forum-host' }, payload })
    assert.equal(first.statusCode, 201)
    assert.deepEqual(first.json(), { recordId: toHex(record.id), kind: 'credential', code: 'ACCEPTED' })
    const again = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload })
    assert.equal(again.statusCode, 200)
    assert.equal(again.json().code, 'DUPLICATE')
    assert.deepEqual(node.submitted, [{ recordId: toHex(record.id), actor: 'op@forum-host' }])
  })

  it('needs the admin token: 401 with none or the read token, before the body is looked at', async () => {
    for (const headers of [{}, READ]) {
      const res = await app.inject({ method: 'POST', url: '/v1/forum/records', headers, payload: { record: 'zz' } })
      assert.equal(res.statusCode, 401)
      assert.equal(errorCode(res), 'UNAUTHORIZED')
    }
  })

  it('400 INVALID_REQUEST for a body that is not one record as hex', async () => {
    const bad = [
      {},
      { record: '' },
      { record: 'abc' },
      { record: 'zz' },
      { record: 12 },
      { record: 'ab', extra: true },
      { record: 'ab'.repeat(MAX_FORUM_RECORD_BYTES + 1) }
    ]
    for (const payload of bad) {
      const res = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload })
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80))
      assert.equal(errorCode(res), 'INVALID_REQUEST')
    }
    const actor = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: { ...ADMIN, 'x-hashmesh-actor': 'two words' }, payload: { record: 'ab' } })
    assert.equal(errorCode(actor), 'INVALID_REQUEST')
    assert.deepEqual(node.submitted, [])
  })

  it('passes the node\'s refusals on: the WireError of bytes that are no record, the ForumError of a refused one', async () => {
    const garbage = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload: { record: 'ffff' } })
    assert.equal(garbage.statusCode, 400)
    assert.equal(errorCode(garbage), 'MALFORMED')
    const foreign = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload: { record: toHex(new Root().credential(newMember().publicKey).signedBytes) } })
    assert.equal(foreign.statusCode, 403)
    assert.equal(errorCode(foreign), 'UNKNOWN_ROOT')
  })
})
