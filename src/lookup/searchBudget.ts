import { MAX_QUERY_SEARCH_COST, MAX_REQUEST_SEARCH_COST, SEARCH_OVERHEAD_COST } from './limits.js'
import { LookupError } from './lookupError.js'

/** What a PDQ query asks of the index: searches (the query and its variants) at one distance. */
export interface NearSearch { maxDistance: number, searches: number }

/** The index's estimate of one search at a distance, at its current size. */
export interface SearchCostModel {
  searchCost: (maxDistance: number) => number
}

/**
 * Prices every PDQ query of a request before any runs, and refuses (TOO_COSTLY) a request over
 * MAX_REQUEST_SEARCH_COST or a query over MAX_QUERY_SEARCH_COST, naming the estimate and the budget.
 */
export function checkSearchBudget (queries: ReadonlyArray<NearSearch | undefined>, index: SearchCostModel): void {
  const perSearch = new Map<number, number>()
  let total = 0
  queries.forEach((q, i) => {
    if (q === undefined) return
    let one = perSearch.get(q.maxDistance)
    if (one === undefined) perSearch.set(q.maxDistance, one = SEARCH_OVERHEAD_COST + index.searchCost(q.maxDistance))
    const cost = q.searches * one
    if (cost > MAX_QUERY_SEARCH_COST) {
      throw new LookupError('TOO_COSTLY', `queries[${i}]: ${q.searches} searches at maxDistance ${q.maxDistance} are estimated at ${units(cost)} units, ` +
        `over the ${units(MAX_QUERY_SEARCH_COST)} one query may cost; lower maxDistance or send fewer variants`)
    }
    total += cost
  })
  if (total > MAX_REQUEST_SEARCH_COST) {
    throw new LookupError('TOO_COSTLY', `the request's pdq searches are estimated at ${units(total)} units, ` +
      `over the ${units(MAX_REQUEST_SEARCH_COST)} budget of one request; split it or lower maxDistance`)
  }
}

function units (n: number): string {
  return n.toExponential(2)
}
