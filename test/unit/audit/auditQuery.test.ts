import assert from 'node:assert/strict'
import fc from 'fast-check'
import { inRange, parseAuditDate, parseExpectHead, parseExportQuery, parseTransparencyQuery } from '../../../src/audit/auditQuery.js'

describe('audit queries', () => {
  it('reads a bare date as midnight UTC and a date-time only with its zone', () => {
    assert.equal(parseAuditDate('2024-02-29', 'since'), Date.UTC(2024, 1, 29))
    assert.equal(parseAuditDate('2024-01-01T10:00Z', 'since'), Date.UTC(2024, 0, 1, 10))
    assert.equal(parseAuditDate('2024-01-01T10:00:00.5+02:00', 'since'), Date.UTC(2024, 0, 1, 8, 0, 0, 500))
    for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-1-1', '2024-01-01T10:00', '2024-01-01 10:00Z', 'yesterday', '', '2024-01-01T25:00Z']) {
      assert.throws(() => parseAuditDate(bad, 'since'), { name: 'AuditQueryError', code: 'BAD_DATE' }, bad)
    }
  })

  it('every real UTC day round-trips', () => {
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), d => {
      const day = d.toISOString().slice(0, 10)
      assert.equal(new Date(parseAuditDate(day, 'since')).toISOString().slice(0, 10), day)
    }))
  })

  it('checks export and transparency queries as a whole', () => {
    assert.deepEqual(parseExportQuery({ since: '2024-01-01' }), { sinceMs: Date.UTC(2024, 0, 1) })
    const withAll = parseExportQuery({ since: '2024-01-01', until: '2024-02-01', publisher: 'AB'.repeat(32) })
    assert.deepEqual([withAll.untilMs, Buffer.from(withAll.publisher!).toString('hex')], [Date.UTC(2024, 1, 1), 'ab'.repeat(32)])
    assert.throws(() => parseExportQuery({ since: '2024-02-01', until: '2024-02-01' }), { code: 'BAD_RANGE' })
    assert.throws(() => parseExportQuery({ since: '2024-01-01', publisher: 'ab' }), { code: 'BAD_PUBLISHER_KEY' })
    assert.deepEqual(parseExportQuery({}), {}, 'no range: everything')
    assert.throws(() => parseExportQuery({ until: '2024-02-30' }), { code: 'BAD_DATE' })
    assert.deepEqual(parseTransparencyQuery({}), { period: 'month' })
    assert.deepEqual(parseTransparencyQuery({ period: 'day', until: '2024-01-02' }), { period: 'day', untilMs: Date.UTC(2024, 0, 2) })
    assert.throws(() => parseTransparencyQuery({ period: 'week' as 'day' }), { code: 'BAD_PERIOD' })
    assert.throws(() => parseExpectHead('abc'), { code: 'BAD_AUDIT_HEAD' })
    assert.equal(parseExpectHead('00'.repeat(32)).length, 32)
  })

  it('since is inclusive, until exclusive', () => {
    const f = { sinceMs: 10, untilMs: 20 }
    assert.deepEqual([9, 10, 19, 20].map(ms => inRange(ms, f)), [false, true, true, false])
    assert.equal(inRange(0, {}), true)
  })
})
