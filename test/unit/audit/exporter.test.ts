import assert from 'node:assert/strict'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { EXPORT_COLUMNS, csvField, csvHeader, csvLine, formatExport, jsonLine } from '../../../src/audit/exportFormat.js'
import { type ExportRow, exportRows } from '../../../src/audit/exporter.js'
import { toHex } from '../../../src/signals/hex.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { LABEL_PATTERN } from '../../../src/wire/limits.js'
import { Action } from '../../../src/wire/types.js'
import { TempStore } from '../store/storeFixtures.js'
import { DAY, Publisher, T0, hashEntry, opinionEntry, randomMd5, standingOf } from './auditFixtures.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'

async function collect<T> (rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const r of rows) out.push(r)
  return out
}

async function * from<T> (items: readonly T[]): AsyncGenerator<T> {
  yield * items
}

const row = (o: Partial<ExportRow> = {}): ExportRow => ({
  createdAt: '2024-01-02T00:00:00.000Z',
  receivedAt: '2024-01-02T00:00:01.000Z',
  publisher: 'ab'.repeat(32),
  organisation: 'Org A',
  standing: 'member',
  seq: 3,
  batchId: 'cd'.repeat(32),
  position: 0,
  type: 'md5',
  value: 'ef'.repeat(16),
  action: 'add',
  labels: ['csam', 'x'],
  reason: null,
  ...o
})

/** What csv-parse reads back for a row: every field as text, labels joined, nulls empty. */
/** What a reader does to undo the formula guard: drop one leading ' (see exportFormat.ts). */
function unguarded (cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell
}

function asCsvRecord (r: ExportRow): Record<string, string> {
  return Object.fromEntries(EXPORT_COLUMNS.map(c => {
    const v = r[c]
    return [c, Array.isArray(v) ? v.join(';') : v === null ? '' : String(v)]
  }))
}

describe('audit export', () => {
  describe('rows from the store', () => {
    const temp = new TempStore()
    let store: HashStore
    const a = new Publisher()
    const b = new Publisher()
    const h1 = randomMd5()
    const h2 = randomMd5()

    before(async () => {
      store = await temp.setup()
      await a.publish(store, [hashEntry(h1), hashEntry(h2, Action.ADD, ['a', 'b'])], T0, { receivedAtMs: T0 + 1, source: LOCAL_SOURCE })
      await a.publish(store, [hashEntry(h1, Action.RETRACT, [])], T0 + 2 * DAY, { receivedAtMs: T0 + 2 * DAY, source: LOCAL_SOURCE })
      await b.publish(store, [opinionEntry(h2, Action.DISPUTE, 'wrong_label')], T0 + DAY, { receivedAtMs: T0 + DAY, source: gossipSource('p') })
    })
    after(async () => { await temp.teardown() })

    const components = (): Parameters<typeof exportRows>[0] => ({ store, standing: standingOf({ [a.hex]: 'Org, "A"' }) })

    it('one row per stored entry, in batch order, with its batch and organisation', async () => {
      const rows = await collect(exportRows(components(), { sinceMs: 0 }))
      const byPublisher = [a.hex, b.hex].sort()
      assert.deepEqual(rows.map(r => r.publisher), byPublisher[0] === a.hex ? [a.hex, a.hex, a.hex, b.hex] : [b.hex, a.hex, a.hex, a.hex])
      const first = rows.find(r => r.publisher === a.hex)!
      assert.deepEqual(first, {
        createdAt: new Date(T0).toISOString(), receivedAt: new Date(T0 + 1).toISOString(), publisher: a.hex, organisation: 'Org, "A"',
        standing: 'member', seq: 1, batchId: first.batchId, position: 0, type: 'md5', value: toHex(h1), action: 'add', labels: ['csam'], reason: null
      })
      const opinion = rows.find(r => r.publisher === b.hex)!
      const { action, reason, organisation, standing, labels } = opinion
      assert.deepEqual([action, reason, organisation, standing, labels], ['dispute', 'wrong_label', null, 'no-credential', []])
    })

    it('filters by created-at in [since, until) and by publisher', async () => {
      const created = async (f: Parameters<typeof exportRows>[1]): Promise<number[]> =>
        (await collect(exportRows(components(), f))).map(r => Date.parse(r.createdAt) - T0).sort((x, y) => x - y)
      assert.deepEqual(await created({ sinceMs: T0 + DAY }), [DAY, 2 * DAY])
      assert.deepEqual(await created({ sinceMs: T0, untilMs: T0 + DAY }), [0, 0])
      assert.deepEqual(await created({ sinceMs: 0, publisher: b.publicKey }), [DAY])
      assert.deepEqual(await created({ sinceMs: T0 + 3 * DAY }), [])
      assert.deepEqual(await created({}), [0, 0, DAY, 2 * DAY], 'no range: every entry')
    })

    it('formats the store\'s rows as CSV that parses back to the same fields, and as JSON Lines', async () => {
      const rows = await collect(exportRows(components(), { sinceMs: 0 }))
      const csv = (await collect(formatExport(from(rows), 'csv'))).join('')
      assert.deepEqual(parse(csv, { columns: true }), rows.map(asCsvRecord))
      const jsonl = (await collect(formatExport(from(rows), 'jsonl'))).join('')
      assert.deepEqual(jsonl.trimEnd().split('\n').map(l => JSON.parse(l) as unknown), rows)
    })
  })

  describe('CSV', () => {
    it('has the header and RFC 4180 line ends', () => {
      assert.equal(csvHeader(), 'createdAt,receivedAt,publisher,organisation,standing,seq,batchId,position,type,value,action,labels,reason\r\n')
      const expected = '2024-01-02T00:00:00.000Z,2024-01-02T00:00:01.000Z,' +
        `${'ab'.repeat(32)},Org A,member,3,${'cd'.repeat(32)},0,md5,${'ef'.repeat(16)},add,csam;x,\r\n`
      assert.equal(csvLine(row()), expected)
    })

    it('quotes only what needs quoting, doubling quotes', () => {
      assert.equal(csvField('plain'), 'plain')
      assert.equal(csvField('a,b'), '"a,b"')
      assert.equal(csvField('say "hi"'), '"say ""hi"""')
      assert.equal(csvField('two\nlines'), '"two\nlines"')
      assert.equal(csvField(''), '')
    })

    it('makes a cell a spreadsheet would run as a formula text, reversibly', () => {
      assert.equal(csvField('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"')
      for (const start of ['+', '-', '@', '\t']) assert.equal(csvField(`${start}1`), `'${start}1`)
      assert.equal(csvField("'quoted"), "''quoted")
      assert.equal(csvField('2024-01-02T00:00:00.000Z'), '2024-01-02T00:00:00.000Z')
    })

    it('round-trips any organisation and reason text through csv-parse (undoing the formula guard), and labels through ;', () => {
      const label = fc.stringMatching(new RegExp(LABEL_PATTERN.source))
      const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', ';', 'é') }))
      fc.assert(fc.property(text, fc.option(text, { nil: null }), fc.array(label, { maxLength: 4 }), (organisation, reason, labels) => {
        const r = row({ organisation, reason, labels })
        const [cells] = parse<Record<string, string>>(csvHeader() + csvLine(r), { columns: true })
        const parsed = Object.fromEntries(Object.entries(cells!).map(([k, v]) => [k, unguarded(v)]))
        assert.deepEqual(parsed, asCsvRecord(r))
        assert.deepEqual(parsed.labels === '' ? [] : parsed.labels!.split(';'), labels)
      }), { numRuns: 300 })
    })

    it('streams in pieces and writes a header even with no rows', async () => {
      assert.deepEqual(await collect(formatExport(from([]), 'csv')), [csvHeader()])
      assert.deepEqual(await collect(formatExport(from([]), 'jsonl')), [])
      const many = Array.from({ length: 2000 }, (_, i) => row({ position: i }))
      const pieces = await collect(formatExport(from(many), 'jsonl'))
      assert.ok(pieces.length > 1)
      assert.equal(pieces.join(''), many.map(jsonLine).join(''))
    })
  })
})
