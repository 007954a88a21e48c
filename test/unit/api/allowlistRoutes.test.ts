import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { MAX_AUTHOR_CHARS, MAX_NOTE_CHARS } from '../../../src/store/allowlist.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { TEST_READ_TOKEN, testServer } from './testServer.js'

const TOKEN = 'a11'.repeat(16)
const ADMIN = { authorization: `Bearer ${TOKEN}` }
const LISTED_MD5 = 'ab'.repeat(16)

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

describe('api: allowlist routes', () => {
  let live: LiveNode
  let app: FastifyInstance
  const body = { type: 'md5', value: LISTED_MD5.toUpperCase(), note: 'stock photo, café ☕', author: 'alice@ops-host' }

  /** Who the node's audit log records for each allowlist edit, in order. */
  async function editors (): Promise<string[]> {
    return (await live.node.auditLog({})).records.filter(r => r.action.startsWith('allowlist.')).map(r => r.actor)
  }

  beforeEach(async () => {
    live = await LiveNode.start()
    // Reads open: the allowlist is local policy and takes the admin token all the same.
    app = testServer(live.node, { adminToken: TOKEN, openReads: true })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  it('401 for every allowlist route without the admin token, even with the read token', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TEST_READ_TOKEN}` }]) {
      for (const req of [
        { method: 'GET', url: '/v1/allowlist' },
        { method: 'POST', url: '/v1/allowlist', payload: body },
        { method: 'DELETE', url: `/v1/allowlist/md5/${LISTED_MD5}` }
      ] as const) {
        const res = await app.inject({ ...req, headers })
        assert.equal(res.statusCode, 401, `${req.method} ${JSON.stringify(headers)}`)
        assert.equal(errorCode(res), 'UNAUTHORIZED')
      }
    }
    assert.deepEqual(await live.node.allowlist(), [])
  })

  it('POST adds (201, the item), GET lists, DELETE removes then 404s; edits are recorded under the actor', async () => {
    const added = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: { ...ADMIN, 'x-hashmesh-actor': 'alice@ops-host' }, payload: body })
    assert.equal(added.statusCode, 201)
    const item = { type: 'md5', value: LISTED_MD5, note: body.note, author: body.author, addedAt: added.json<{ addedAt: string }>().addedAt }
    assert.ok(Math.abs(Date.parse(item.addedAt) - Date.now()) < 60_000, item.addedAt)
    assert.deepEqual(added.json(), item)
    assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/allowlist', headers: ADMIN })).json(), { allowlist: [item] })
    const removed = await app.inject({ method: 'DELETE', url: `/v1/allowlist/md5/${LISTED_MD5.toUpperCase()}`, headers: ADMIN })
    assert.equal(removed.statusCode, 200)
    assert.deepEqual(removed.json(), { removed: { type: 'md5', value: LISTED_MD5 } })
    const again = await app.inject({ method: 'DELETE', url: `/v1/allowlist/md5/${LISTED_MD5}`, headers: ADMIN })
    assert.equal(again.statusCode, 404)
    assert.equal(errorCode(again), 'NOT_FOUND')
    assert.deepEqual(await editors(), ['alice@ops-host', 'admin'])
  })

  it('400 INVALID_REQUEST for an actor header that is not a name', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: { ...ADMIN, 'x-hashmesh-actor': 'has space' }, payload: body })
    assert.equal(res.statusCode, 400)
    assert.equal(errorCode(res), 'INVALID_REQUEST')
    assert.deepEqual(await live.node.allowlist(), [])
  })

  for (const [name, payload] of [
    ['no note', { type: 'md5', value: LISTED_MD5, author: 'a' }],
    ['an empty note', { ...body, note: '' }],
    ['a note too long', { ...body, note: 'x'.repeat(MAX_NOTE_CHARS + 1) }],
    ['a note with a line break', { ...body, note: 'two\nlines' }],
    ['a note with a bidi override', { ...body, note: 'abc\u202edef' }],
    ['an empty author', { ...body, author: '' }],
    ['an author too long', { ...body, author: 'a'.repeat(MAX_AUTHOR_CHARS + 1) }],
    ['an extra property', { ...body, labels: ['x'] }],
    ['a number for the note', { ...body, note: 5 }]
  ] as const) {
    it(`400 INVALID_REQUEST for ${name}; nothing added`, async () => {
      const res = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: ADMIN, payload })
      assert.equal(res.statusCode, 400)
      assert.equal(errorCode(res), 'INVALID_REQUEST')
      assert.deepEqual(await live.node.allowlist(), [])
    })
  }

  it('counts the note bound in characters: the longest note of emoji is accepted', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: ADMIN, payload: { ...body, note: '😀'.repeat(MAX_NOTE_CHARS) } })
    assert.equal(res.statusCode, 201)
  })

  it('400 with the node\'s code for a bad type or value, in the body or the path', async () => {
    const badValue = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: ADMIN, payload: { ...body, value: 'abc' } })
    assert.equal(errorCode(badValue), 'BAD_SIGNAL_VALUE')
    const badType = await app.inject({ method: 'POST', url: '/v1/allowlist', headers: ADMIN, payload: { ...body, type: 'crc32' } })
    assert.equal(errorCode(badType), 'UNKNOWN_SIGNAL_TYPE')
    const badPath = await app.inject({ method: 'DELETE', url: '/v1/allowlist/md5/xyz', headers: ADMIN })
    assert.equal(badPath.statusCode, 400)
    assert.equal(errorCode(badPath), 'BAD_SIGNAL_VALUE')
  })
})
