import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { MATCH_CSV_COLUMNS, formatMatchExport } from '../../../src/matches/matchExport.js'
import { ACTOR_PATTERN, CONTENT_ID_PATTERN, checkContentId, parseInstant } from '../../../src/matches/matchInput.js'
import type { MatchRecord } from '../../../src/matches/matchRecord.js'
import { listedSummary, sha256Of } from './matchFixtures.js'

async function text (pieces: AsyncGenerator<string>): Promise<string> {
  let out = ''
  for await (const p of pieces) out += p
  return out
}

async function * chunks (records: MatchRecord[]): AsyncGenerator<MatchRecord[]> {
  for (let i = 0; i < records.length; i += 3) yield records.slice(i, i + 3)
}

/** What a spreadsheet user's program gets back: one leading ' removed where the export added one. */
function unguarded (cell: string): string {
  return cell.startsWith('\'') ? cell.slice(1) : cell
}

const printable = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter(s => CONTENT_ID_PATTERN.test(s))
const actor = fc.string({ minLength: 1, maxLength: 30 }).filter(s => ACTOR_PATTERN.test(s))

const record = fc.record({
  contentId: printable,
  actor,
  n: fc.nat({ max: 1e9 }),
  labels: fc.array(fc.constantFrom('csam', 'terror', '=cmd', '-x', '@y'), { maxLength: 3 })
}).map(({ contentId, actor, n, labels }): MatchRecord => ({
  id: `m_${n.toString(16).padStart(12, '0')}${'ab'.repeat(8)}`,
  contentId,
  source: 'lookup',
  hash: { type: 'sha256', value: sha256Of(n) },
  matched: [listedSummary(sha256Of(n), labels)],
  labels,
  at: new Date(n).toISOString(),
  listing: 'listed',
  actions: [{ action: 'removed', actor, at: new Date(n + 1).toISOString() }]
}))

describe('matches: export', () => {
  it('neutralises cells a spreadsheet would run as formulas', async () => {
    const [r] = fc.sample(record, { numRuns: 1, seed: 1 })
    const csv = await text(formatMatchExport(chunks([{ ...r!, contentId: '=HYPERLINK("x")', actions: [{ action: 'kept', actor: '@me', at: r!.at }] }]), 'csv'))
    const rows: string[][] = parse(csv)
    const [header, row] = rows
    assert.deepEqual(header, [...MATCH_CSV_COLUMNS])
    const cell = (name: string): string => row![MATCH_CSV_COLUMNS.indexOf(name as typeof MATCH_CSV_COLUMNS[number])]!
    assert.equal(cell('content_id'), '\'=HYPERLINK("x")')
    assert.ok(cell('actions').startsWith('kept@'))
    assert.ok(csv.endsWith('\r\n'))
  })

  it('round-trips any content id, actor and labels through CSV (undoing the guard) and whole records through JSONL', async () => {
    await fc.assert(fc.asyncProperty(fc.array(record, { maxLength: 8 }), async records => {
      const csv: string[][] = parse(await text(formatMatchExport(chunks(records), 'csv')))
      assert.equal(csv.length, records.length + 1)
      records.forEach((r, i) => {
        const row = csv[i + 1]!.map(unguarded)
        const col = (name: typeof MATCH_CSV_COLUMNS[number]): string => row[MATCH_CSV_COLUMNS.indexOf(name)]!
        assert.equal(col('id'), r.id)
        assert.equal(col('content_id'), r.contentId)
        assert.deepEqual(col('labels') === '' ? [] : col('labels').split(';'), r.labels)
        assert.equal(col('first_action'), 'removed')
        assert.equal(col('actions'), `removed@${r.actions[0]!.at}@${r.actions[0]!.actor}`)
      })
      const jsonl = await text(formatMatchExport(chunks(records), 'jsonl'))
      assert.deepEqual(jsonl.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as unknown), records)
    }), { numRuns: 100 })
  })

  it('writes the header even with no records', async () => {
    assert.equal(await text(formatMatchExport(chunks([]), 'csv')), `${MATCH_CSV_COLUMNS.join(',')}\r\n`)
    assert.equal(await text(formatMatchExport(chunks([]), 'jsonl')), '')
  })
})

describe('matches: input validators', () => {
  it('a content id is 1-256 code points with no control, format or separator characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), s => {
      const points = Array.from(s)
      const ok = points.length >= 1 && points.length <= 256 && points.every(c => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(c))
      if (ok) assert.equal(checkContentId(s), s)
      else assert.throws(() => checkContentId(s), { code: 'BAD_CONTENT_ID' })
    }), { numRuns: 500 })
  })

  it('an instant is ISO-8601 with a zone; anything else is BAD_TIME', () => {
    fc.assert(fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true }), d => {
      assert.equal(parseInstant(d.toISOString(), 'at'), d.getTime())
    }))
    for (const bad of ['2026-03-01', '2026-03-01T12:00', 'now', '', '2026-13-01T00:00:00Z', '1e3']) {
      assert.throws(() => parseInstant(bad, 'at'), { code: 'BAD_TIME' }, bad)
    }
    assert.equal(parseInstant('2026-03-01T12:00:00+02:00', 'at'), Date.UTC(2026, 2, 1, 10))
  })
})
