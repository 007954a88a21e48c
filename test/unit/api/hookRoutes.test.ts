import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { LiveNode } from '../../helpers/liveNode.js'
import { TEST_READ_TOKEN, testServer } from './testServer.js'

const TOKEN = 'b22'.repeat(16)
const ADMIN = { authorization: `Bearer ${TOKEN}`, 'x-hashmesh-actor': 'carol@ops' }
const SECRET = 'route-test-secret-that-is-long-enough'
const NO_EVENT = `evt_${'0'.repeat(32)}`

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

describe('api: hook routes', () => {
  let live: LiveNode
  let app: FastifyInstance
  const body = { url: 'https://hooks.example.com/hashmesh', events: ['match', 'unlisted'], secret: SECRET }

  beforeEach(async () => {
    live = await LiveNode.start()
    app = testServer(live.node, { adminToken: TOKEN, openReads: true })
    await app.ready()
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  it('401 for every hook route without the admin token, even with the read token and open reads', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TEST_READ_TOKEN}` }]) {
      for (const req of [
        { method: 'GET', url: '/v1/hooks' },
        { method: 'POST', url: '/v1/hooks', payload: body },
        { method: 'DELETE', url: '/v1/hooks/hook_0123456789abcdef' },
        { method: 'GET', url: '/v1/hooks/dead' },
        { method: 'POST', url: `/v1/hooks/dead/${NO_EVENT}/replay` },
        { method: 'POST', url: '/v1/hooks/dead/replay' }
      ] as const) {
        const res = await app.inject({ ...req, headers })
        assert.equal(res.statusCode, 401, `${req.method} ${req.url}`)
      }
    }
  })

  it('adds, lists and removes a hook, audited under the actor; no answer carries the secret', async () => {
    const added = await app.inject({ method: 'POST', url: '/v1/hooks', headers: ADMIN, payload: body })
    assert.equal(added.statusCode, 201)
    const hook = added.json<{ id: string, url: string, events: string[], pending: number }>()
    assert.deepEqual([hook.url, hook.events, hook.pending], [body.url, ['match', 'unlisted'], 0])
    const listed = await app.inject({ method: 'GET', url: '/v1/hooks', headers: ADMIN })
    assert.deepEqual(listed.json<{ hooks: Array<{ id: string }> }>().hooks.map(h => h.id), [hook.id])
    const removed = await app.inject({ method: 'DELETE', url: `/v1/hooks/${hook.id}`, headers: ADMIN })
    assert.equal(removed.statusCode, 200)
    const again = await app.inject({ method: 'DELETE', url: `/v1/hooks/${hook.id}`, headers: ADMIN })
    assert.deepEqual([again.statusCode, errorCode(again)], [404, 'NO_SUCH_HOOK'])
    for (const res of [added, listed, removed]) assert.ok(!res.body.includes(SECRET))
    const audit = (await live.node.auditLog({})).records.filter(r => r.action.startsWith('hooks.'))
    assert.deepEqual(audit.map(r => [r.action, r.actor]), [['hooks.add', 'carol@ops'], ['hooks.remove', 'carol@ops']])
    assert.ok(!JSON.stringify(audit).includes(SECRET))
  })

  it('refuses bad URLs, events and secrets with precise codes', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...body, url: 'ftp://x.example/' }, 400, 'BAD_URL'],
      [{ ...body, url: 'https://u:p@x.example/' }, 400, 'BAD_URL'],
      [{ ...body, url: 'x'.repeat(3000) }, 400, 'INVALID_REQUEST'],
      [{ ...body, events: ['everything'] }, 400, 'INVALID_REQUEST'],
      [{ ...body, events: [] }, 400, 'INVALID_REQUEST'],
      [{ ...body, secret: 'short' }, 400, 'BAD_SECRET'],
      [{ ...body, extra: 1 }, 400, 'INVALID_REQUEST']
    ]
    for (const [payload, status, code] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/hooks', headers: ADMIN, payload })
      assert.deepEqual([res.statusCode, errorCode(res)], [status, code], JSON.stringify(payload).slice(0, 80))
      assert.ok(!res.body.includes(SECRET))
    }
    assert.deepEqual((await live.node.hooks()), [])
  })

  it('lists no dead letters, and answers 404 for replaying an event none holds', async () => {
    const dead = await app.inject({ method: 'GET', url: '/v1/hooks/dead?limit=10', headers: ADMIN })
    assert.deepEqual(dead.json(), { dead: [] })
    const replay = await app.inject({ method: 'POST', url: `/v1/hooks/dead/${NO_EVENT}/replay`, headers: ADMIN })
    assert.deepEqual([replay.statusCode, errorCode(replay)], [404, 'NO_SUCH_DEAD_EVENT'])
    const all = await app.inject({ method: 'POST', url: '/v1/hooks/dead/replay', headers: ADMIN })
    assert.deepEqual(all.json(), { replayed: 0, discarded: 0 })
    const bad = await app.inject({ method: 'POST', url: '/v1/hooks/dead/evt_xyz/replay', headers: ADMIN })
    assert.equal(bad.statusCode, 400)
  })
})
