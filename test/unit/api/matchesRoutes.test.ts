import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { parse } from 'csv-parse/sync'
import type { AppealResult, MatchPage, MatchRecord, MatchStats } from '../../../src/node/matchesApi.js'
import type { LookupResult } from '../../../src/node/interface.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { TEST_READ_TOKEN, testServer } from './testServer.js'

const TOKEN = 'a11'.repeat(16)
const ADMIN = { authorization: `Bearer ${TOKEN}` }
const LISTED = 'cd'.repeat(32)
const OTHER = 'ce'.repeat(32)
const UNLISTED = 'ef'.repeat(32)
/** An upload whose sha256 is listed. */
const FILE = Buffer.from('a file the platform hosts, byte for byte')
const FILE_SHA256 = createHash('sha256').update(FILE).digest('hex')

function errorCode (res: { json: () => unknown }): string {
  return String((res.json() as { error?: { code?: unknown } }).error?.code)
}

describe('api: match log and appeals on a real node', () => {
  let live: LiveNode
  let app: FastifyInstance

  beforeEach(async () => {
    live = await LiveNode.start()
    app = testServer(live.node, { adminToken: TOKEN, openReads: true })
    await app.ready()
    await live.node.publish([
      { type: 'sha256', value: LISTED, labels: ['csam'] },
      { type: 'sha256', value: OTHER, labels: ['terror'] },
      { type: 'sha256', value: FILE_SHA256, labels: ['csam'] }
    ])
  })
  afterEach(async () => {
    await app.close()
    await live.stop()
  })

  async function records (query = ''): Promise<MatchRecord[]> {
    return (await app.inject({ method: 'GET', url: `/v1/matches${query}`, headers: ADMIN })).json<MatchPage>().matches
  }

  it('a lookup that names its content records a match and answers its id; no match, or no content id, records nothing', async () => {
    const matched = (await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}?contentId=post%2F1` })).json<LookupResult & { matchId?: string }>()
    assert.equal(matched.match, true)
    assert.match(matched.matchId ?? '', /^m_[0-9a-f]{28}$/)
    const unlisted = (await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${UNLISTED}?contentId=post%2F2` })).json<{ matchId?: string }>()
    assert.equal(unlisted.matchId, undefined)
    const anonymous = (await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}` })).json<{ matchId?: string }>()
    assert.equal(anonymous.matchId, undefined)
    const [record] = await records()
    assert.equal((await records()).length, 1)
    assert.equal(record?.id, matched.matchId)
    assert.equal(record?.contentId, 'post/1')
    assert.equal(record?.source, 'lookup')
    assert.deepEqual(record?.hash, { type: 'sha256', value: LISTED })
    assert.deepEqual(record?.labels, ['csam'])
    assert.deepEqual(record?.matched.map(m => m.value), [LISTED])
    // The hash reached this node when it was published: time-to-match starts there.
    assert.ok(record?.listedAt !== undefined && Date.parse(record.listedAt) <= Date.parse(record.at))
  })

  it('a batch lookup records one match per content id, about its strongest matching hash', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/lookup',
      payload: { queries: [
        { type: 'sha256', value: LISTED, contentId: 'video-9' },
        { type: 'sha256', value: OTHER, contentId: 'video-9' },
        { type: 'sha256', value: OTHER, contentId: 'img-3' },
        { type: 'sha256', value: UNLISTED, contentId: 'img-4' }
      ] }
    })
    assert.equal(res.statusCode, 200)
    const { results } = res.json<{ results: Array<{ matchId?: string }> }>()
    assert.equal(results[0]?.matchId, results[1]?.matchId)
    assert.notEqual(results[2]?.matchId, undefined)
    assert.equal(results[3]?.matchId, undefined)
    assert.deepEqual((await records()).map(r => r.contentId).sort(), ['img-3', 'video-9'])
    const bad = await app.inject({ method: 'POST', url: '/v1/lookup', payload: { queries: [{ type: 'sha256', value: LISTED, contentId: 'a\nb' }] } })
    assert.equal(bad.statusCode, 400)
  })

  it('an upload with ?contentId= is recorded with the source "match"', async () => {
    const headers = { 'content-type': 'application/octet-stream' }
    const res = await app.inject({ method: 'POST', url: '/v1/match?contentId=upload-1', headers, payload: FILE })
    assert.equal(res.statusCode, 200)
    const answer = res.json<{ match: boolean, matchId?: string }>()
    assert.equal(answer.match, true)
    const record = (await app.inject({ method: 'GET', url: `/v1/matches/${answer.matchId}`, headers: ADMIN })).json<MatchRecord>()
    assert.equal(record.source, 'match')
    assert.deepEqual(record.hash, { type: 'sha256', value: FILE_SHA256 })
  })

  it('records actions, audited under the caller; refuses bad ones with their codes', async () => {
    const { matchId } = (await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}?contentId=c1` })).json<{ matchId: string }>()
    const url = `/v1/matches/${matchId}/action`
    const headers = { ...ADMIN, 'x-hashmesh-actor': 'ops-bot' }
    const acted = await app.inject({ method: 'POST', url, headers, payload: { action: 'removed', actor: 'moderator 7' } })
    assert.equal(acted.statusCode, 200)
    assert.deepEqual(acted.json<MatchRecord>().actions.map(a => [a.action, a.actor]), [['removed', 'moderator 7']])
    const audit = (await live.node.auditLog({})).records.filter(r => r.action === 'match.action')
    assert.deepEqual(audit.map(r => [r.actor, r.details.matchId]), [['ops-bot', matchId]])
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ action: 'deleted', actor: 'm' }, 400, 'INVALID_REQUEST'],
      [{ action: 'removed' }, 400, 'INVALID_REQUEST'],
      [{ action: 'removed', actor: 'm', at: '2999-01-01T00:00:00Z' }, 400, 'BAD_TIME'],
      [{ action: 'removed', actor: 'm', at: '2000-01-01T00:00:00Z' }, 400, 'BAD_TIME']
    ]
    for (const [payload, status, code] of cases) {
      const res = await app.inject({ method: 'POST', url, headers: ADMIN, payload })
      assert.equal(res.statusCode, status, JSON.stringify(payload))
      assert.equal(errorCode(res), code)
    }
    const unknown = await app.inject({ method: 'POST', url: `/v1/matches/m_${'0'.repeat(28)}/action`, headers: ADMIN, payload: { action: 'kept', actor: 'm' } })
    assert.equal(unknown.statusCode, 404)
    assert.equal(errorCode(unknown), 'NO_SUCH_MATCH')
  })

  it('lists by status, answers stats, and exports CSV and JSONL', async () => {
    const ids: string[] = []
    for (const [value, content] of [[LISTED, 'a'], [OTHER, 'b'], [LISTED, 'c']] as const) {
      ids.push((await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${value}?contentId=${content}` })).json<{ matchId: string }>().matchId)
    }
    await app.inject({ method: 'POST', url: `/v1/matches/${ids[1]}/action`, headers: ADMIN, payload: { action: 'restricted', actor: 'm' } })
    assert.deepEqual((await records('?status=acted')).map(r => r.id), [ids[1]])
    assert.deepEqual((await records('?status=open')).map(r => r.id), [ids[0], ids[2]])
    assert.deepEqual((await records('?label=terror')).map(r => r.id), [ids[1]])
    const page = (await app.inject({ method: 'GET', url: '/v1/matches?limit=2', headers: ADMIN })).json<MatchPage>()
    assert.equal(page.matches.length, 2)
    assert.deepEqual((await records(`?after=${page.next}`)).map(r => r.id), [ids[2]])
    assert.equal((await app.inject({ method: 'GET', url: '/v1/matches?status=closed', headers: ADMIN })).statusCode, 400)
    const stats = (await app.inject({ method: 'GET', url: '/v1/matches/stats', headers: ADMIN })).json<MatchStats>()
    assert.equal(stats.total, 3)
    assert.deepEqual(stats.byLabel, { csam: 2, terror: 1 })
    assert.equal(stats.timeToAction.count, 1)
    assert.equal(stats.timeToMatch.count, 3)
    const csv = await app.inject({ method: 'GET', url: '/v1/matches/export?format=csv', headers: ADMIN })
    assert.match(String(csv.headers['content-type']), /^text\/csv/)
    const rows: string[][] = parse(csv.body)
    assert.deepEqual(rows.slice(1).map(r => r[1]), ['a', 'b', 'c'])
    const jsonl = await app.inject({ method: 'GET', url: '/v1/matches/export?format=jsonl', headers: ADMIN })
    assert.deepEqual(jsonl.body.trimEnd().split('\n').map(l => (JSON.parse(l) as MatchRecord).id), ids)
  })

  it('an upheld appeal allowlists the hash, publishes a signed false_positive opinion and records it all once', async () => {
    await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}?contentId=post-77` })
    const headers = { ...ADMIN, 'x-hashmesh-actor': 'grievance-officer' }
    const payload = { contentId: 'post-77', outcome: 'upheld', reason: 'not_violating', note: 'a news photo' }
    const res = await app.inject({ method: 'POST', url: '/v1/appeals', headers, payload })
    assert.equal(res.statusCode, 200)
    const result = res.json<AppealResult>()
    assert.equal(result.already, false)
    assert.deepEqual(result.allowlisted, [{ type: 'sha256', value: LISTED }])
    assert.match(result.opinionBatchId ?? '', /^[0-9a-f]{64}$/)
    assert.deepEqual(result.record.appeal && { ...result.record.appeal, at: '' }, {
      outcome: 'upheld', reason: 'not_violating', note: 'a news photo', actor: 'grievance-officer', at: '', opinionBatchId: result.opinionBatchId
    })
    const lookup = (await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${LISTED}` })).json<LookupResult>()
    assert.equal(lookup.match, false)
    assert.equal(lookup.hashes[0]?.opinions.falsePositive.publishers, 1)
    assert.notEqual(lookup.hashes[0]?.allowlisted, undefined)
    const opinion = lookup.matches.find(m => m.action === 'false_positive')
    assert.equal(opinion?.batchId, result.opinionBatchId)
    assert.equal(opinion?.reason, 'not_violating')
    const acts = (await live.node.auditLog({})).records.map(r => r.action)
    assert.deepEqual(acts.slice(-3), ['allowlist.add', 'publish', 'appeal'])
    assert.equal((await live.node.auditVerify()).ok, true)
    // Again: nothing more is published, allowlisted or audited.
    const seq = (await live.node.status()).publishers.find(p => p.publisher === live.node.publisherKey)?.seq
    const again = (await app.inject({ method: 'POST', url: '/v1/appeals', headers, payload })).json<AppealResult>()
    assert.equal(again.already, true)
    assert.equal(again.opinionBatchId, result.opinionBatchId)
    assert.equal((await live.node.status()).publishers.find(p => p.publisher === live.node.publisherKey)?.seq, seq)
    assert.deepEqual((await live.node.auditLog({})).records.map(r => r.action), acts)
    const otherWay = await app.inject({ method: 'POST', url: '/v1/appeals', headers, payload: { ...payload, outcome: 'rejected' } })
    assert.equal(otherWay.statusCode, 409)
    assert.equal(errorCode(otherWay), 'APPEAL_DECIDED')
    assert.deepEqual((await records('?status=appealed')).map(r => r.contentId), ['post-77'])
  })

  it('a rejected appeal records the outcome only; an appeal on content with no match is 404', async () => {
    await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${OTHER}?contentId=post-78` })
    const appeal = async (payload: Record<string, string>): Promise<{ statusCode: number, json: () => unknown }> =>
      await app.inject({ method: 'POST', url: '/v1/appeals', headers: ADMIN, payload })
    const res = await appeal({ contentId: 'post-78', outcome: 'rejected', reason: 'violating' })
    assert.equal(res.statusCode, 200)
    const result = res.json() as AppealResult
    assert.equal(result.record.appeal?.outcome, 'rejected')
    assert.equal(result.opinionBatchId, undefined)
    assert.deepEqual(await live.node.allowlist(), [])
    assert.equal((await app.inject({ method: 'GET', url: `/v1/lookup/sha256/${OTHER}` })).json<LookupResult>().match, true)
    assert.deepEqual((await live.node.auditLog({})).records.map(r => r.action).slice(-1), ['appeal'])
    const none = await appeal({ contentId: 'never-seen', outcome: 'upheld', reason: 'x' })
    assert.equal(none.statusCode, 404)
    assert.equal(errorCode(none), 'NO_MATCH_FOR_CONTENT')
    const badReason = await appeal({ contentId: 'post-78', outcome: 'upheld', reason: 'Not OK' })
    assert.equal(badReason.statusCode, 400)
  })

  it('every match-log route takes the admin token, not the read token', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TEST_READ_TOKEN}` }]) {
      for (const req of [
        { method: 'GET', url: '/v1/matches' },
        { method: 'GET', url: '/v1/matches/stats' },
        { method: 'GET', url: '/v1/matches/export' },
        { method: 'GET', url: `/v1/matches/m_${'0'.repeat(28)}` },
        { method: 'POST', url: `/v1/matches/m_${'0'.repeat(28)}/action`, payload: { action: 'kept', actor: 'm' } },
        { method: 'POST', url: '/v1/appeals', payload: { contentId: 'x', outcome: 'rejected', reason: 'x' } }
      ] as const) {
        const res = await app.inject({ ...req, headers })
        assert.equal(res.statusCode, 401, `${req.method} ${req.url}`)
      }
    }
  })
})
