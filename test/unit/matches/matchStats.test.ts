import assert from 'node:assert/strict'
import fc from 'fast-check'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { MatchLog } from '../../../src/matches/matchLog.js'
import { DurationHistogram } from '../../../src/matches/matchStats.js'
import { parseTimeRange } from '../../../src/matches/matchQuery.js'
import { TempStore } from '../store/storeFixtures.js'
import { inputFor } from './matchFixtures.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 0, 20)

/** Nearest rank, as the stats promise it, computed the slow way. */
function exactPercentile (values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(1, Math.ceil(p / 100 * sorted.length)) - 1]
}

/** Within the histogram's 1% buckets (and a millisecond of rounding). */
function near (reported: number | undefined, exact: number | undefined): boolean {
  if (reported === undefined || exact === undefined) return reported === exact
  return Math.abs(reported - exact) <= exact * 0.0101 + 1
}

describe('matches: stats', () => {
  it('a histogram percentile is the nearest-rank percentile to within 1%', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 400 * DAY }), { minLength: 1, maxLength: 300 }), fc.constantFrom(50, 90, 99), (values, p) => {
      const h = new DurationHistogram()
      for (const v of values) h.add(v)
      assert.ok(near(h.percentile(p), exactPercentile(values, p)), `p${p} of ${values.length}: ${h.percentile(p)} vs ${exactPercentile(values, p)}`)
    }), { numRuns: 300 })
  })

  describe('over a real log', () => {
    const temp = new TempStore()
    let store: HashStore
    const clock = T0 + 100 * DAY
    let log: MatchLog

    beforeEach(async () => {
      store = await temp.setup()
      log = new MatchLog({ store, audit: new AuditLog(store), now: () => clock }, { actionDeadlineMs: DAY })
    })
    afterEach(async () => { await temp.teardown() })

    it('counts per label and month, time to match and to action, and overdue matches, as a brute force over the records does', async () => {
      const shape = fc.tuple(fc.nat({ max: 60 * DAY }), fc.nat({ max: 3 * DAY }), fc.nat({ max: 5 * DAY }), fc.nat({ max: 3 }), fc.boolean())
      const rand = fc.sample(shape, { numRuns: 150, seed: 12 })
      const expected = {
        toMatch: [] as number[], toAction: [] as number[], labels: new Map<string, number>(), months: new Map<string, number>(),
        open: 0, overdueOpen: 0, late: 0
      }
      for (const [i, [offset, sinceListed, actAfter, label, acts]] of rand.entries()) {
        const at = T0 + offset
        const labels = label === 3 ? [] : [`l${label}`, 'all']
        const record = await log.record(inputFor(`c${i}`, at, { labels, ...(i % 5 === 0 ? {} : { listedAtMs: at - sinceListed }) }))
        if (i % 5 !== 0) expected.toMatch.push(sinceListed)
        for (const l of labels.length === 0 ? ['(none)'] : labels) expected.labels.set(l, (expected.labels.get(l) ?? 0) + 1)
        const month = new Date(at).toISOString().slice(0, 7)
        expected.months.set(month, (expected.months.get(month) ?? 0) + 1)
        if (acts) {
          await log.act(record.id, { action: 'removed', actor: 'm', at: new Date(at + actAfter).toISOString() }, 'a')
          expected.toAction.push(actAfter)
          if (actAfter > DAY) expected.late++
        } else {
          expected.open++
          if (at + DAY < clock) expected.overdueOpen++
        }
      }
      const stats = await log.stats(parseTimeRange({}))
      assert.equal(stats.total, rand.length)
      assert.deepEqual(stats.byLabel, Object.fromEntries([...expected.labels].sort(([a], [b]) => a < b ? -1 : 1)))
      assert.deepEqual(stats.byMonth, Object.fromEntries([...expected.months].sort(([a], [b]) => a < b ? -1 : 1)))
      assert.equal(stats.timeToMatch.count, expected.toMatch.length)
      assert.equal(stats.timeToAction.count, expected.toAction.length)
      for (const p of [50, 90, 99] as const) {
        assert.ok(near(stats.timeToMatch[`p${p}Ms`], exactPercentile(expected.toMatch, p)), `time to match p${p}`)
        assert.ok(near(stats.timeToAction[`p${p}Ms`], exactPercentile(expected.toAction, p)), `time to action p${p}`)
      }
      assert.equal(stats.open, expected.open)
      assert.equal(stats.acted, expected.toAction.length)
      assert.deepEqual(stats.overdue, { total: expected.overdueOpen + expected.late, open: expected.overdueOpen, late: expected.late })
      assert.equal(stats.actionDeadlineHours, 24)
    })

    it('counts only the range asked for', async () => {
      for (let i = 0; i < 5; i++) await log.record(inputFor(`c${i}`, T0 + i * DAY))
      const stats = await log.stats(parseTimeRange({ since: new Date(T0 + DAY).toISOString(), until: new Date(T0 + 3 * DAY).toISOString() }))
      assert.equal(stats.total, 2)
      assert.equal(stats.timeToMatch.count, 0)
      assert.equal(stats.timeToMatch.p50Ms, undefined)
    })
  })
})
