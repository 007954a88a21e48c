import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PdqIndex } from '../../../src/index/pdqIndex.js'
import { MAX_LOOKUP_QUERIES } from '../../../src/api/limits.js'
import { DEFAULT_PDQ_MAX_DISTANCE, MAX_PDQ_VARIANTS, MAX_QUERY_SEARCH_COST, MAX_REQUEST_SEARCH_COST, SEARCH_OVERHEAD_COST } from '../../../src/lookup/limits.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { LookupService, type LookupQuery } from '../../../src/lookup/lookupService.js'
import { checkSearchBudget } from '../../../src/lookup/searchBudget.js'
import { toHex } from '../../../src/signals/hex.js'
import { HashStore } from '../../../src/store/hashStore.js'

/** The store: 100k PDQ hashes. */
const STORED = 100_000

function pdqQuery (maxDistance: number, variants: number): LookupQuery {
  return { type: 'pdq', value: toHex(randomBytes(32)), maxDistance, variants: Array.from({ length: variants }, () => toHex(randomBytes(32))) }
}

describe('lookup: PDQ search budget', function () {
  this.timeout(60_000)
  let dir: string
  let store: HashStore
  let pdq: PdqIndex
  let searches: number

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-budget-'))
    store = await HashStore.open(join(dir, 'db'))
    pdq = PdqIndex.build(Array.from({ length: STORED }, () => randomBytes(32)))
    const [search, searchMany] = [pdq.search.bind(pdq), pdq.searchMany.bind(pdq)]
    pdq.search = (...args) => { searches++; return search(...args) }
    pdq.searchMany = (...args) => { searches++; return searchMany(...args) }
  })
  beforeEach(function () { searches = 0 })

  after(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  function service (index: PdqIndex = pdq): LookupService {
    return new LookupService({ store, indexes: new LookupIndexes(store, { pdq: index }) })
  }

  it('refuses the issue\'s request (10,000 queries at 63 with 7 variants, 100k stored) with TOO_COSTLY before searching', async function () {
    const queries = Array.from({ length: MAX_LOOKUP_QUERIES }, () => pdqQuery(63, MAX_PDQ_VARIANTS))
    await assert.rejects(service().lookupMany(queries), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TOO_COSTLY')
      const budget = MAX_REQUEST_SEARCH_COST.toExponential(2).replace('+', '\\+')
      assert.match(err.message, new RegExp(`estimated at [0-9.]+e\\+\\d+ units, over the ${budget} budget`))
      return true
    })
    assert.equal(searches, 0)
  })

  it('admits a full request of default-distance queries', function () {
    const queries = Array.from({ length: MAX_LOOKUP_QUERIES }, () => ({ maxDistance: DEFAULT_PDQ_MAX_DISTANCE, searches: 1 }))
    checkSearchBudget(queries, pdq)
  })

  it('prices variants: the same queries pass alone and are refused with seven variants each', function () {
    const n = Math.floor(MAX_REQUEST_SEARCH_COST / (SEARCH_OVERHEAD_COST + pdq.searchCost(63)) / 4)
    checkSearchBudget(Array.from({ length: n }, () => ({ maxDistance: 63, searches: 1 })), pdq)
    const searches = Array.from({ length: n }, () => ({ maxDistance: 63, searches: 1 + MAX_PDQ_VARIANTS }))
    assert.throws(() => { checkSearchBudget(searches, pdq) }, { code: 'TOO_COSTLY' })
  })

  it('refuses one query over the per-query bound, single lookups included', async function () {
    const huge = Object.assign(PdqIndex.build([randomBytes(32)]), { searchCost: () => MAX_QUERY_SEARCH_COST / 2 })
    await assert.rejects(service(huge).lookupMany([pdqQuery(256, 2)]), { code: 'TOO_COSTLY', message: /^queries\[0\]: 3 searches at maxDistance 256/ })
    const variants = [toHex(randomBytes(32)), toHex(randomBytes(32))]
    await assert.rejects(service(huge).lookup('pdq', toHex(randomBytes(32)), { maxDistance: 256, variants }), { code: 'TOO_COSTLY' })
    assert.equal((await service(huge).lookup('pdq', toHex(randomBytes(32)), { maxDistance: 256 })).maxDistance, 256)
  })

  it('exact queries cost nothing against the budget', function () {
    checkSearchBudget(Array.from({ length: MAX_LOOKUP_QUERIES }, () => undefined), { searchCost: () => Infinity })
  })

  it('the event loop gets a turn between searches while a costly request runs', async function () {
    const lookups = service()
    // Counts the searches run between two turns of the event loop, however long each one takes.
    const perTurn: number[] = []
    let running = true
    let seen = 0
    const turn = (): void => {
      perTurn.push(searches - seen)
      seen = searches
      if (running) setImmediate(turn)
    }
    setImmediate(turn)
    await lookups.lookupMany(Array.from({ length: 32 }, () => pdqQuery(63, MAX_PDQ_VARIANTS)))
    running = false
    // Concurrent lookups once ran 16 searches in one check phase.
    assert.ok(Math.max(...perTurn) <= 1, `searches between two turns: ${perTurn.join(' ')}`)
    assert.equal(searches, 32)
  })
})
