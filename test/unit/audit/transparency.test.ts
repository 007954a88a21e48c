import assert from 'node:assert/strict'
import { transparencyReport } from '../../../src/audit/transparency.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { Action } from '../../../src/wire/types.js'
import { TempStore } from '../store/storeFixtures.js'
import { DAY, Publisher, T0, hashEntry, opinionEntry, randomMd5, standingOf } from './auditFixtures.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'

const FEB = Date.UTC(2024, 1, 1)

describe('transparency report', () => {
  const temp = new TempStore()
  let store: HashStore
  const a = new Publisher()
  const b = new Publisher()

  before(async () => {
    store = await temp.setup()
    const h = randomMd5()
    // January: A adds three (two csam, one csam+spam), retracts one; B confirms one.
    const january = [hashEntry(h, Action.ADD, ['csam']), hashEntry(randomMd5(), Action.ADD, ['csam']), hashEntry(randomMd5(), Action.ADD, ['csam', 'spam'])]
    await a.publish(store, january, T0 + DAY, { receivedAtMs: T0, source: LOCAL_SOURCE })
    await a.publish(store, [hashEntry(h, Action.RETRACT, [])], T0 + 20 * DAY, { receivedAtMs: T0, source: LOCAL_SOURCE })
    await b.publish(store, [opinionEntry(h, Action.CONFIRM, 'seen_it')], T0 + 20 * DAY, { receivedAtMs: T0, source: gossipSource('p') })
    // February: B adds one spam.
    await b.publish(store, [hashEntry(randomMd5(), Action.ADD, ['spam'])], FEB + DAY, { receivedAtMs: FEB, source: gossipSource('p') })
  })
  after(async () => { await temp.teardown() })

  const components = (now = 1): Parameters<typeof transparencyReport>[0] => ({ store, standing: standingOf({ [a.hex]: 'Org A' }), now: () => now })

  it('counts entries per month, publisher, action and label, with per-action totals first', async () => {
    const r = await transparencyReport(components(), { period: 'month' })
    const [first, second] = [a.hex, b.hex].sort()
    const rowsOf = (publisher: string): unknown[] => r.rows.filter(x => x.publisher === publisher).map(x => [x.period, x.action, x.label, x.entries])
    assert.deepEqual(rowsOf(a.hex), [
      ['2024-01', 'add', null, 3], ['2024-01', 'add', 'csam', 3], ['2024-01', 'add', 'spam', 1], ['2024-01', 'retract', null, 1]
    ])
    assert.deepEqual(rowsOf(b.hex), [['2024-01', 'confirm', null, 1], ['2024-02', 'add', null, 1], ['2024-02', 'add', 'spam', 1]])
    // Period first, then publisher key order.
    assert.deepEqual([...new Set(r.rows.map(x => `${x.period}/${x.publisher}`))], [`2024-01/${first}`, `2024-01/${second}`, `2024-02/${b.hex}`])
    assert.equal(r.rows.find(x => x.publisher === a.hex)!.organisation, 'Org A')
    assert.equal(r.rows.find(x => x.publisher === b.hex)!.organisation, null)
    assert.deepEqual(r.totals, [{ action: 'add', entries: 4 }, { action: 'retract', entries: 1 }, { action: 'confirm', entries: 1 }])
    assert.deepEqual([r.entries, r.publishers, r.batches], [6, 2, { scanned: 4, inRange: 4 }])
    assert.deepEqual([r.period, r.since, r.until, r.generatedAt], ['month', null, null, new Date(1).toISOString()])
  })

  it('splits by UTC day and keeps to [since, until)', async () => {
    const r = await transparencyReport(components(), { period: 'day', sinceMs: T0 + 20 * DAY, untilMs: FEB + DAY })
    assert.deepEqual(r.rows.map(x => [x.period, x.action, x.label]).sort(), [['2024-01-21', 'confirm', null], ['2024-01-21', 'retract', null]])
    const expected = [2, { scanned: 4, inRange: 2 }, new Date(T0 + 20 * DAY).toISOString(), new Date(FEB + DAY).toISOString()]
    assert.deepEqual([r.entries, r.batches, r.since, r.until], expected)
  })

  it('recomputes the same figures from the same data: only generatedAt differs', async () => {
    const one = await transparencyReport(components(1), { period: 'month' })
    const two = await transparencyReport(components(2), { period: 'month' })
    assert.notEqual(one.generatedAt, two.generatedAt)
    assert.deepEqual({ ...one, generatedAt: '' }, { ...two, generatedAt: '' })
  })
})
