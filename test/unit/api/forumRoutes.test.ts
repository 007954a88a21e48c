import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { toHex } from '../../../src/signals/hex.js'
import { MAX_FORUM_RECORD_BYTES } from '../../../src/wire/limits.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { DAY, newMember, Root } from '../forum/forumFixtures.js'
import { testServer } from './testServer.js'

const ADMIN_TOKEN = 'ad'.repeat(32)
const READ_TOKEN = 'be'.repeat(32)
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
const READ = { authorization: `Bearer ${READ_TOKEN}` }

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

describe('api: forum routes', () => {
  const root = new Root()
  let live: LiveNode
  let app: FastifyInstance

  /** A credential for a new member of `root`'s forum, valid now. */
  function credential (signer = root): ReturnType<Root['credential']> {
    const now = Date.now()
    return signer.credential(newMember().publicKey, { createdAtMs: now - DAY, validFromMs: now - DAY, validUntilMs: now + DAY })
  }

  /** Who the node's audit log records for each forum record it took in, in order. */
  async function submitters (): Promise<string[]> {
    return (await live.node.auditLog({})).records.filter(r => r.action === 'forum.record').map(r => r.actor)
  }

  beforeEach(async () => {
    live = await LiveNode.start({ forumRoots: [root.hex] })
    app = testServer(live.node, { adminToken: ADMIN_TOKEN, readToken: READ_TOKEN, openReads: false })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  it('GET /v1/forum answers the node\'s forum to the read or admin token, 401 to nobody', async () => {
    for (const headers of [READ, ADMIN]) {
      const res = await app.inject({ method: 'GET', url: '/v1/forum', headers })
      assert.equal(res.statusCode, 200)
      assert.deepEqual(res.json(), await live.node.forum())
      assert.deepEqual(res.json<{ roots: string[] }>().roots, [root.hex])
    }
    assert.equal((await app.inject({ method: 'GET', url: '/v1/forum' })).statusCode, 401)
  })

  it('POST /v1/forum/records: 201 ACCEPTED with the record\'s id and kind, under the actor; 200 DUPLICATE the second time', async () => {
    const record = credential()
    const payload = { record: toHex(record.signedBytes).toUpperCase() }
    const first = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: { ...ADMIN, 'x-hashmesh-actor': 'op@forum-host' }, payload })
    assert.equal(first.statusCode, 201)
    assert.deepEqual(first.json(), { recordId: toHex(record.id), kind: 'credential', code: 'ACCEPTED' })
    const again = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload })
    assert.equal(again.statusCode, 200)
    assert.equal(again.json<{ code: string }>().code, 'DUPLICATE')
    assert.deepEqual(await submitters(), ['op@forum-host'])
    assert.equal((await live.node.forum()).members.length, 1)
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
    const actor = await app.inject({
      method: 'POST', url: '/v1/forum/records', headers: { ...ADMIN, 'x-hashmesh-actor': 'two words' }, payload: { record: 'ab' }
    })
    assert.equal(errorCode(actor), 'INVALID_REQUEST')
    assert.deepEqual(await submitters(), [])
  })

  it('passes the node\'s refusals on: the WireError of bytes that are no record, the ForumError of a refused one', async () => {
    const garbage = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload: { record: 'ffff' } })
    assert.equal(garbage.statusCode, 400)
    assert.equal(errorCode(garbage), 'MALFORMED')
    const strangersCredential = toHex(credential(new Root()).signedBytes)
    const foreign = await app.inject({ method: 'POST', url: '/v1/forum/records', headers: ADMIN, payload: { record: strangersCredential } })
    assert.equal(foreign.statusCode, 403)
    assert.equal(errorCode(foreign), 'UNKNOWN_ROOT')
  })
})
