import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type AggregateRow, aggregateRows } from '../../../src/lookup/hashAggregate.js'
import { isLatestOfPublisher } from '../../../src/store/listing.js'
import { Action, isOpinion } from '../../../src/wire/types.js'

const KEYS = ['aa', 'bb', 'cc', 'dd'] as const
/** Two keys of one organisation, one of another, one bare trust-list key. */
const ORG: Record<string, string | undefined> = { aa: 'Acme', bb: 'Acme', cc: 'Beta', dd: undefined }

interface Event { publisher: string, action: Action, labels?: readonly string[] }

/** Rows in store order (publisher, then seq): a publisher's events keep their relative order. */
function rowsOf (events: readonly Event[]): AggregateRow[] {
  const ordered = [...events].map((e, i) => ({ e, i })).sort((x, y) => x.e.publisher.localeCompare(y.e.publisher) || x.i - y.i).map(x => x.e)
  const listing = ordered.map(e => ({ publisher: Buffer.from(e.publisher, 'hex'), action: e.action }))
  return ordered.map((e, j) => ({
    publisher: e.publisher,
    ...(ORG[e.publisher] === undefined ? {} : { organisation: ORG[e.publisher] }),
    action: e.action,
    labels: e.labels ?? [],
    current: isLatestOfPublisher(listing, j)
  }))
}

describe('lookup: aggregating the rows of one hash', () => {
  it('counts the current opinion of each publisher once, by distinct organisation', () => {
    const a = aggregateRows(rowsOf([
      { publisher: 'cc', action: Action.ADD, labels: ['csam'] },
      { publisher: 'aa', action: Action.CONFIRM },
      { publisher: 'bb', action: Action.CONFIRM },
      { publisher: 'dd', action: Action.CONFIRM }
    ]))
    assert.deepEqual(a.opinions.confirm, { count: 2, organisations: ['Acme', 'dd'], publishers: 3 })
    assert.deepEqual(a.addedBy, [{ publisher: 'cc', organisation: 'Beta', labels: ['csam'] }])
    assert.equal(a.listed, true)
    assert.equal(a.disputed, false)
  })

  it('a later opinion supersedes the same publisher\'s earlier one; withdraw clears it', () => {
    const changed = aggregateRows(rowsOf([{ publisher: 'aa', action: Action.CONFIRM }, { publisher: 'aa', action: Action.FALSE_POSITIVE }]))
    assert.equal(changed.opinions.confirm.count, 0)
    assert.deepEqual(changed.opinions.falsePositive.organisations, ['Acme'])
    const withdrawn = aggregateRows(rowsOf([{ publisher: 'aa', action: Action.CONFIRM }, { publisher: 'aa', action: Action.WITHDRAW }]))
    assert.deepEqual([withdrawn.opinions.confirm.count, withdrawn.opinions.falsePositive.count, withdrawn.opinions.dispute.count], [0, 0, 0])
  })

  it('an opinion never changes whether its publisher lists the hash', () => {
    const a = aggregateRows(rowsOf([{ publisher: 'aa', action: Action.ADD }, { publisher: 'aa', action: Action.FALSE_POSITIVE }]))
    assert.equal(a.listed, true)
    assert.equal(a.opinions.falsePositive.count, 1)
    const r = aggregateRows(rowsOf([
      { publisher: 'aa', action: Action.ADD },
      { publisher: 'aa', action: Action.RETRACT },
      { publisher: 'aa', action: Action.CONFIRM }
    ]))
    assert.equal(r.listed, false)
    assert.deepEqual(r.retractedBy, [{ publisher: 'aa', organisation: 'Acme' }])
  })

  it('disputed: confirmations and false-positive reports both, or any dispute', () => {
    assert.equal(aggregateRows(rowsOf([{ publisher: 'aa', action: Action.CONFIRM }, { publisher: 'cc', action: Action.FALSE_POSITIVE }])).disputed, true)
    assert.equal(aggregateRows(rowsOf([{ publisher: 'aa', action: Action.DISPUTE }])).disputed, true)
    assert.equal(aggregateRows(rowsOf([{ publisher: 'aa', action: Action.CONFIRM }, { publisher: 'cc', action: Action.CONFIRM }])).disputed, false)
    assert.equal(aggregateRows(rowsOf([{ publisher: 'aa', action: Action.FALSE_POSITIVE }])).disputed, false)
  })

  it('agrees with replaying every publisher\'s words in order (property)', () => {
    const event = fc.record({
      publisher: fc.constantFrom(...KEYS),
      action: fc.constantFrom(...Object.values(Action)),
      labels: fc.constantFrom([], ['csam'], ['terror', 'tier:1'])
    })
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), events => {
      const word = new Map<string, Event>()
      const opinion = new Map<string, Action>()
      for (const e of events) {
        if (!isOpinion(e.action)) word.set(e.publisher, e)
        else if (e.action === Action.WITHDRAW) opinion.delete(e.publisher)
        else opinion.set(e.publisher, e.action)
      }
      const orgs = (action: Action): string[] => [...new Set([...opinion].filter(([, a]) => a === action).map(([p]) => ORG[p] ?? p))].sort()
      const adders = [...word.values()].filter(e => e.action === Action.ADD)
      const a = aggregateRows(rowsOf(events))
      assert.equal(a.listed, adders.length > 0)
      assert.deepEqual(a.addedBy.map(x => [x.publisher, x.labels]).sort(), adders.map(e => [e.publisher, e.labels ?? []]).sort())
      assert.deepEqual(a.retractedBy.map(x => x.publisher).sort(), [...word.values()].filter(e => e.action === Action.RETRACT).map(e => e.publisher).sort())
      assert.deepEqual(a.opinions.confirm.organisations, orgs(Action.CONFIRM))
      assert.deepEqual(a.opinions.falsePositive.organisations, orgs(Action.FALSE_POSITIVE))
      assert.deepEqual(a.opinions.dispute.organisations, orgs(Action.DISPUTE))
      assert.equal(a.opinions.confirm.publishers, [...opinion.values()].filter(x => x === Action.CONFIRM).length)
      assert.equal(a.disputed, (orgs(Action.CONFIRM).length > 0 && orgs(Action.FALSE_POSITIVE).length > 0) || orgs(Action.DISPUTE).length > 0)
    }), { numRuns: 500 })
  })
})
