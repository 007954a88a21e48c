import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fc from 'fast-check'
import type { EvidenceBundle } from '../../../src/evidence/evidenceBundle.js'
import { verifyEvidence } from '../../../src/evidence/evidenceVerifier.js'
import { toHex } from '../../../src/signals/hex.js'
import { Action } from '../../../src/wire/types.js'
import { makeSignedBatch, randomValue } from '../../helpers/batches.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { DAY, Root, newMember } from '../forum/forumFixtures.js'
import { testServer } from './testServer.js'

const ADMIN_TOKEN = 'ad'.repeat(32)
const READ_TOKEN = 'be'.repeat(32)
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` }
const READ = { authorization: `Bearer ${READ_TOKEN}` }

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

/**
 * A real node in a forum: a member's listing arrives by gossip, the node publishes its own
 * false-positive opinion and allowlists the hash, and GET /v1/evidence bundles all of it.
 */
describe('api: GET /v1/evidence over a real node', function () {
  this.timeout(60_000)
  const root = new Root()
  const member = newMember()
  const hash = toHex(randomValue('md5'))
  let live: LiveNode
  let app: FastifyInstance
  let opinionBatch: string

  before(async () => {
    live = await LiveNode.start({ forumRoots: [root.hex] })
    app = testServer(live.node, { adminToken: ADMIN_TOKEN, readToken: READ_TOKEN, openReads: false })
    await app.ready()
    const now = Date.now()
    const window = { createdAtMs: now - DAY, validFromMs: now - DAY, validUntilMs: now + DAY }
    await live.node.submitForumRecord(root.credential(member.publicKey, { ...window, organisation: 'Org A', roles: ['publish'] }).signedBytes, 'op')
    const own = Buffer.from(live.node.publisherKey, 'hex')
    await live.node.submitForumRecord(root.credential(own, { ...window, organisation: 'Us', roles: ['opine'] }).signedBytes, 'op')
    const value = Buffer.from(hash, 'hex')
    await live.gossip([makeSignedBatch({ secretKey: member.secretKey, seq: 1, entries: [{ signalType: 'md5', value, labels: ['csam'], action: Action.ADD }] })])
    opinionBatch = (await live.node.publish([{ type: 'md5', value: hash, action: 'false_positive', reason: 'not_violating' }], 'grievance')).batchId
    await live.node.allowlistAdd({ type: 'md5', value: hash, note: 'appeal upheld', author: 'alice' }, 'alice')
  })
  after(async () => {
    await app.close()
    await live.stop()
  })

  async function bundleBytes (): Promise<Buffer> {
    const res = await app.inject({ method: 'GET', url: `/v1/evidence?type=md5&value=${hash}`, headers: ADMIN })
    assert.equal(res.statusCode, 200, res.body)
    assert.match(String(res.headers['content-type']), /^application\/json/)
    return res.rawPayload
  }

  it('answers the admin token with a bundle that verifies offline: the listing, the node\'s opinion, credentials, audit records', async () => {
    const bytes = await bundleBytes()
    const report = verifyEvidence(bytes, { nodeKey: live.node.publisherKey })
    assert.deepEqual(report.checks.filter(c => !c.ok), [])
    const bundle = JSON.parse(bytes.toString()) as EvidenceBundle
    assert.deepEqual(bundle.batches.map(b => [b.publisher, b.entries[0]!.action]).sort(),
      [[member.hex, 'add'], [live.node.publisherKey, 'false_positive']].sort())
    assert.ok(bundle.batches.some(b => b.id === opinionBatch))
    assert.deepEqual(bundle.forum.records.map(r => r.member).sort(), [member.hex, live.node.publisherKey].sort())
    assert.equal(report.checks.filter(c => c.check === 'credential' && c.ok).length, 2)
    const actions = bundle.audit.records.map(r => r.seq)
    assert.equal(actions.length, 2, 'the publish of the opinion and the allowlisting')
    assert.ok(bundle.audit.head.seq >= Math.max(...actions))
  })

  it('a changed byte anywhere in what the node sent fails verify', async () => {
    const bytes = await bundleBytes()
    fc.assert(fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
      const copy = Buffer.from(bytes)
      copy[position]! ^= mask
      const report = verifyEvidence(copy)
      return !report.ok && report.checks.some(c => !c.ok)
    }), { numRuns: 100 })
  })

  it('records who made a bundle in the audit log, with the file\'s SHA-256', async () => {
    const res = await app.inject({ method: 'GET', url: `/v1/evidence?type=md5&value=${hash}`, headers: { ...ADMIN, 'x-hashmesh-actor': 'officer@regulator' } })
    assert.equal(res.statusCode, 200)
    const { records } = await live.node.auditLog({ limit: 1000 })
    const made = records.filter(r => r.action === 'evidence.export' && r.actor === 'officer@regulator')
    assert.equal(made.length, 1)
    assert.equal(made[0]!.details.bundle, createHash('sha256').update(res.rawPayload).digest('hex'))
  })

  it('takes the admin token only', async () => {
    for (const headers of [{}, READ]) {
      const res = await app.inject({ method: 'GET', url: `/v1/evidence?type=md5&value=${hash}`, headers })
      assert.equal(res.statusCode, 401)
    }
  })

  it('400 BAD_EVIDENCE_QUERY for neither or both subjects; 404 NO_EVIDENCE for what the node knows nothing of', async () => {
    for (const query of ['', `?contentId=x&type=md5&value=${hash}`, '?type=md5']) {
      const res = await app.inject({ method: 'GET', url: `/v1/evidence${query}`, headers: ADMIN })
      assert.equal(res.statusCode, 400, query)
      assert.equal(errorCode(res), 'BAD_EVIDENCE_QUERY')
    }
    const unknown = await app.inject({ method: 'GET', url: `/v1/evidence?type=md5&value=${'00'.repeat(16)}`, headers: ADMIN })
    assert.equal(unknown.statusCode, 404)
    assert.equal(errorCode(unknown), 'NO_EVIDENCE')
    const unmatched = await app.inject({ method: 'GET', url: '/v1/evidence?contentId=never-matched', headers: ADMIN })
    assert.equal(unmatched.statusCode, 404)
    const badValue = await app.inject({ method: 'GET', url: '/v1/evidence?type=md5&value=zz', headers: ADMIN })
    assert.equal(errorCode(badValue), 'BAD_SIGNAL_VALUE')
  })
})
