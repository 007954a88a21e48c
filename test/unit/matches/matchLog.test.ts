import assert from 'node:assert/strict'
import { AuditLog } from '../../../src/store/auditLog.js'
import { Bucket } from '../../../src/store/buckets.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { bucketRange } from '../../../src/store/keys.js'
import { MatchLog } from '../../../src/matches/matchLog.js'
import { parseMatchFilter } from '../../../src/matches/matchQuery.js'
import { TempStore, rawDbOf } from '../store/storeFixtures.js'
import { inputFor, listedSummary } from './matchFixtures.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** 2026-03-01T00:00:00Z: records are placed around it. */
const T0 = Date.UTC(2026, 2, 1)

async function bucketKeys (store: HashStore, bucket: Bucket): Promise<number> {
  return (await rawDbOf(store).keys(bucketRange(bucket)).all()).length
}

describe('matches: match log', () => {
  const temp = new TempStore()
  let store: HashStore
  let audit: AuditLog
  let clock: number
  let log: MatchLog

  beforeEach(async () => {
    store = await temp.setup()
    clock = T0 + 10 * DAY
    audit = new AuditLog(store, { now: () => clock })
    log = new MatchLog({ store, audit, now: () => clock }, { actionDeadlineMs: DAY, retentionMs: 30 * DAY })
  })
  afterEach(async () => { await temp.teardown() })

  it('records a match, finds it by id and by content, and keeps it across a reopen', async () => {
    const first = await log.record(inputFor('post/1', T0, { labels: ['b', 'a'], listedAtMs: T0 - HOUR }))
    const second = await log.record(inputFor('post/1', T0 + 1))
    await log.record(inputFor('post/10', T0 + 2))
    assert.match(first.id, /^m_[0-9a-f]{28}$/)
    assert.equal(first.at, new Date(T0).toISOString())
    assert.equal(first.listedAt, new Date(T0 - HOUR).toISOString())
    assert.deepEqual(first.labels, ['a', 'b'])
    assert.equal(first.listing, 'listed')
    assert.deepEqual(first.actions, [])
    assert.deepEqual(await log.get(first.id), first)
    assert.equal((await log.latestFor('post/1'))?.id, second.id)
    // A content id that is a prefix of another is still its own.
    assert.equal((await log.latestFor('post/10'))?.contentId, 'post/10')
    assert.equal(await log.latestFor('post/2'), undefined)
    const reopened = new MatchLog({ store: await temp.reopen() })
    assert.deepEqual(await reopened.get(first.id), first)
  })

  it('recordOps returns writes and writes nothing itself; the caller commits them with its own', async () => {
    const { record, ops } = await log.recordOps(inputFor('c', T0))
    assert.equal(await log.get(record.id), undefined)
    assert.equal(ops.length, 3)
    await store.writeAtomically(async () => ops)
    assert.deepEqual(await log.get(record.id), record)
  })

  it('bounds what it stores: at most 16 matched hashes, the matching ones first; a bad content id is refused', async () => {
    const matched = Array.from({ length: 20 }, (_, i) => listedSummary(i.toString(16).padStart(64, '0'), ['l'], { distance: 20 - i, match: i % 2 === 0 }))
    const record = await log.record({ ...inputFor('c', T0), hash: { type: 'pdq', value: 'ff'.repeat(32) }, matched })
    assert.equal(record.matched.length, 16)
    assert.ok(record.matched.slice(0, 10).every(m => m.match))
    await assert.rejects(log.record(inputFor('', T0)), { code: 'BAD_CONTENT_ID' })
    await assert.rejects(log.record(inputFor('a\u202eb', T0)), { code: 'BAD_CONTENT_ID' })
    await assert.rejects(log.record(inputFor('x'.repeat(257), T0)), { code: 'BAD_CONTENT_ID' })
    await assert.rejects(log.record({ ...inputFor('c', T0), matched: [] }), { code: 'BAD_MATCH_INPUT' })
  })

  it('marks a record unlisted once; an unknown id writes nothing', async () => {
    const record = await log.record(inputFor('c', T0))
    await store.writeAtomically(async () => await log.unlistedOps(record.id, T0 + HOUR))
    const unlisted = await log.get(record.id)
    assert.equal(unlisted?.listing, 'unlisted')
    assert.equal((unlisted as { unlistedAt?: string }).unlistedAt, new Date(T0 + HOUR).toISOString())
    assert.deepEqual(await log.unlistedOps(record.id, T0 + 2 * HOUR), [])
    assert.deepEqual(await log.unlistedOps('m_' + '0'.repeat(28), T0), [])
    assert.deepEqual(await log.unlistedOps('not an id', T0), [])
  })

  it('keeps every action reported, each audited in the same write', async () => {
    const record = await log.record(inputFor('c', T0))
    await log.act(record.id, { action: 'escalated', actor: 'mod-1' }, 'api-user')
    const acted = await log.act(record.id, { action: 'removed', actor: 'mod-2', at: new Date(T0 + 2 * HOUR).toISOString() }, 'api-user')
    assert.deepEqual(acted.actions, [
      { action: 'escalated', actor: 'mod-1', at: new Date(clock).toISOString() },
      { action: 'removed', actor: 'mod-2', at: new Date(T0 + 2 * HOUR).toISOString() }
    ])
    const records = await audit.list({})
    assert.deepEqual(records.map(r => [r.action, r.actor, r.details.action]), [
      ['match.action', 'api-user', 'escalated'], ['match.action', 'api-user', 'removed']
    ])
    assert.equal((await audit.verify()).problems.length, 0)
  })

  it('refuses an action in the future, before the match, unknown, or on no record', async () => {
    const record = await log.record(inputFor('c', T0))
    const at = (ms: number): string => new Date(ms).toISOString()
    await assert.rejects(log.act(record.id, { action: 'removed', actor: 'm', at: at(clock + HOUR) }, 'a'), { code: 'BAD_TIME' })
    await assert.rejects(log.act(record.id, { action: 'removed', actor: 'm', at: at(T0 - 1) }, 'a'), { code: 'BAD_TIME' })
    await assert.rejects(log.act(record.id, { action: 'removed', actor: 'm', at: '2026-03-01' }, 'a'), { code: 'BAD_TIME' })
    await assert.rejects(log.act(record.id, { action: 'deleted', actor: 'm' }, 'a'), { code: 'BAD_ACTION' })
    await assert.rejects(log.act(record.id, { action: 'removed', actor: '' }, 'a'), { code: 'BAD_ACTOR' })
    await assert.rejects(log.act('m_' + '1'.repeat(28), { action: 'removed', actor: 'm' }, 'a'), { code: 'NO_SUCH_MATCH' })
    // Within clock skew is accepted: two machines' clocks.
    await log.act(record.id, { action: 'kept', actor: 'm', at: at(clock + 60_000) }, 'a')
    assert.equal((await audit.list({})).length, 1)
  })

  it('lists by time range, status and label, a page at a time', async () => {
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await log.record(inputFor(`c${i}`, T0 + i * DAY, { labels: [i % 2 === 0 ? 'even' : 'odd'] }))).id)
    await log.act(ids[1]!, { action: 'removed', actor: 'm' }, 'a')
    await store.writeAtomically(async () => await log.unlistedOps(ids[2]!, T0 + 3 * DAY))
    const list = async (q: Record<string, string>): Promise<string[]> => (await log.list(parseMatchFilter(q))).matches.map(m => m.id)
    assert.deepEqual(await list({}), ids)
    assert.deepEqual(await list({ since: new Date(T0 + 3 * DAY).toISOString(), until: new Date(T0 + 5 * DAY).toISOString() }), ids.slice(3, 5))
    assert.deepEqual(await list({ status: 'acted' }), [ids[1]])
    assert.deepEqual(await list({ status: 'unlisted' }), [ids[2]])
    assert.deepEqual(await list({ status: 'open' }), ids.filter((_, i) => i !== 1))
    // Now is T0 + 10 days and the deadline one day: open and matched before T0 + 9 days.
    assert.deepEqual(await list({ status: 'overdue' }), ids.filter((_, i) => i !== 1 && i < 9))
    assert.deepEqual(await list({ label: 'odd' }), ids.filter((_, i) => i % 2 === 1))
    const page1 = await log.list(parseMatchFilter({ limit: '4' }))
    assert.deepEqual(page1.matches.map(m => m.id), ids.slice(0, 4))
    const page2 = await log.list(parseMatchFilter({ limit: '4', after: page1.next! }))
    assert.deepEqual(page2.matches.map(m => m.id), ids.slice(4, 8))
    const page3 = await log.list(parseMatchFilter({ limit: '4', after: page2.next! }))
    assert.deepEqual(page3.matches.map(m => m.id), ids.slice(8))
    assert.equal(page3.next, undefined)
  })

  it('refuses malformed listing queries', () => {
    assert.throws(() => parseMatchFilter({ status: 'closed' }), { code: 'BAD_QUERY' })
    assert.throws(() => parseMatchFilter({ limit: '0' }), { code: 'BAD_QUERY' })
    assert.throws(() => parseMatchFilter({ limit: '1001' }), { code: 'BAD_QUERY' })
    assert.throws(() => parseMatchFilter({ after: 'm_x' }), { code: 'BAD_QUERY' })
    assert.throws(() => parseMatchFilter({ label: 'a,b' }), { code: 'BAD_QUERY' })
    assert.throws(() => parseMatchFilter({ since: 'yesterday' }), { code: 'BAD_TIME' })
    assert.throws(() => parseMatchFilter({ since: '2026-03-02T00:00:00Z', until: '2026-03-01T00:00:00Z' }), { code: 'BAD_QUERY' })
  })

  it('prunes records past the retention with their index keys, in chunks, and keeps the rest', async () => {
    // Retention 30 days from now (T0 + 10 days): everything before T0 - 20 days goes.
    const old = T0 - 21 * DAY
    for (let i = 0; i < 1200; i++) await log.record(inputFor(`old/${i % 7}`, old + i))
    const kept = await log.record(inputFor('new', T0))
    assert.equal(await log.prune(), 1200)
    assert.equal(await bucketKeys(store, Bucket.matchRecord), 1)
    assert.equal(await bucketKeys(store, Bucket.matchSummary), 1)
    assert.equal(await bucketKeys(store, Bucket.matchByContent), 1)
    assert.equal(await log.latestFor('old/3'), undefined)
    assert.deepEqual(await log.latestFor('new'), kept)
    assert.equal(await log.prune(), 0)
  })

  it('reports a stored summary that is not a hash summary as a corrupt record', async () => {
    const record = await log.record(inputFor('c', T0))
    const key = store.repositories.matchRecord.encodeKey(Buffer.from(record.id.slice(2), 'hex'))
    const stored = store.repositories.matchRecord.decodeValue((await rawDbOf(store).get(key)))
    await rawDbOf(store).put(key, store.repositories.matchRecord.encodeValue({ ...stored, matchedJson: ['{"value":"zz"}'] }))
    await assert.rejects(log.get(record.id), { code: 'CORRUPT_RECORD' })
  })
})
