import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type ListingRow, isLatestOfPublisher, isListed } from '../../../src/store/listing.js'
import { Action, isOpinion } from '../../../src/wire/types.js'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const row = (publisher: number, action: Action): ListingRow => ({ publisher: key(publisher), action })

/** Rows in entry-index order: by publisher, each publisher's rows in the order they were published. */
function storeOrder (events: ReadonlyArray<{ publisher: number, action: Action }>): ListingRow[] {
  return events.map((e, i) => ({ e, i })).sort((x, y) => x.e.publisher - y.e.publisher || x.i - y.i).map(({ e }) => row(e.publisher, e.action))
}

describe('store: the listing rule', () => {
  it('a publisher\'s later retract supersedes its add; another publisher\'s add keeps the hash listed', () => {
    assert.equal(isListed([row(1, Action.ADD), row(1, Action.RETRACT)]), false)
    assert.equal(isListed([row(1, Action.ADD), row(1, Action.RETRACT), row(2, Action.ADD)]), true)
    assert.equal(isListed([row(1, Action.RETRACT), row(1, Action.ADD)]), true)
    assert.equal(isListed([]), false)
  })

  it('opinions are a separate word: they neither list nor unlist, and supersede only opinions', () => {
    const rows = [row(1, Action.ADD), row(1, Action.FALSE_POSITIVE), row(1, Action.CONFIRM)]
    assert.equal(isListed(rows), true)
    assert.deepEqual(rows.map((_, i) => isLatestOfPublisher(rows, i)), [true, false, true])
    assert.equal(isListed([row(1, Action.CONFIRM), row(2, Action.DISPUTE)]), false)
    const withdrawn = [row(1, Action.CONFIRM), row(1, Action.RETRACT), row(1, Action.WITHDRAW)]
    assert.deepEqual(withdrawn.map((_, i) => isLatestOfPublisher(withdrawn, i)), [false, true, true])
  })

  it('agrees with replaying each publisher\'s words in order (property)', () => {
    const event = fc.record({ publisher: fc.integer({ min: 1, max: 4 }), action: fc.constantFrom(...Object.values(Action)) })
    fc.assert(fc.property(fc.array(event, { maxLength: 40 }), events => {
      // The model: the last hash word and the last opinion of each publisher, by position in the store order.
      const rows = storeOrder(events)
      const lastWord = new Map<number, number>()
      const lastOpinion = new Map<number, number>()
      rows.forEach((r, i) => (isOpinion(r.action) ? lastOpinion : lastWord).set(r.publisher[0]!, i))
      const latest = new Set([...lastWord.values(), ...lastOpinion.values()])
      assert.deepEqual(rows.map((_, i) => isLatestOfPublisher(rows, i)), rows.map((_, i) => latest.has(i)))
      assert.equal(isListed(rows), [...lastWord.values()].some(i => rows[i]!.action === Action.ADD))
    }), { numRuns: 1000 })
  })
})
