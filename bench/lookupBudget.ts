/**
 * The PDQ search budget against N random stored hashes (default 100,000, the figure):
 *   - the request (10,000 queries at maxDistance 63 with 7 variants): its estimate and how
 *     fast it is refused;
 *   - a max-budget request (as many such queries as the budget admits): its wall and CPU time, CPU
 *     nanoseconds per cost-model unit, and the event loop's delay while it runs (monitorEventLoopDelay)
 *     beside the same measure over an idle second.
 *
 *   npx tsx --import ./src/polyfill.ts bench/lookupBudget.ts [N]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { PdqIndex } from '../src/index/pdqIndex.js'
import { MAX_PDQ_VARIANTS, MAX_REQUEST_SEARCH_COST, SEARCH_OVERHEAD_COST } from '../src/lookup/limits.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { LookupService, type LookupQuery } from '../src/lookup/lookupService.js'
import { toHex } from '../src/signals/hex.js'
import { HashStore } from '../src/store/hashStore.js'

const STORED = Number(process.argv[2] ?? 100_000)
const DISTANCE = 63

function query (): LookupQuery {
  return { type: 'pdq', value: toHex(randomBytes(32)), maxDistance: DISTANCE, variants: Array.from({ length: MAX_PDQ_VARIANTS }, () => toHex(randomBytes(32))) }
}

function delays (h: IntervalHistogram): string {
  return `max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms`
}

async function measured<T> (fn: () => Promise<T>): Promise<{ ms: number, cpuMs: number, loop: string }> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const cpu = process.cpuUsage()
  const started = performance.now()
  await fn()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  h.disable()
  return { ms, cpuMs: (used.user + used.system) / 1000, loop: delays(h) }
}

const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-budget-'))
const store = await HashStore.open(join(dir, 'db'))
try {
  const pdq = PdqIndex.build(Array.from({ length: STORED }, () => randomBytes(32)))
  const lookups = new LookupService({ store, indexes: new LookupIndexes(store, { pdq }) })
  const perQuery = (1 + MAX_PDQ_VARIANTS) * (SEARCH_OVERHEAD_COST + pdq.searchCost(DISTANCE))
  console.log(`${STORED} stored hashes; one query at ${DISTANCE} with ${MAX_PDQ_VARIANTS} variants is estimated at ${perQuery.toExponential(2)} units; ` +
    `budget ${MAX_REQUEST_SEARCH_COST.toExponential(2)}`)

  const attack = Array.from({ length: 10_000 }, query)
  const refused = await measured(async () => await lookups.lookupMany(attack).catch((err: unknown) => (err as { code?: string }).code))
  console.log(`issue's request (10,000 queries, est. ${(perQuery * 1e4).toExponential(2)}): refused in ${refused.ms.toFixed(0)} ms`)

  const idle = await measured(async () => { await sleep(1000) })
  console.log(`idle second: event loop delay ${idle.loop}`)
  const n = Math.floor(MAX_REQUEST_SEARCH_COST / perQuery)
  const one = await measured(async () => await lookups.lookupMany([query()]))
  console.log(`one query: ${one.ms.toFixed(0)} ms`)
  const full = await measured(async () => await lookups.lookupMany(Array.from({ length: n }, query)))
  console.log(`max-budget request (${n} queries, est. ${(n * perQuery).toExponential(2)} units): ${full.ms.toFixed(0)} ms wall, ${full.cpuMs.toFixed(0)} ms ` +
    `CPU (${(full.cpuMs * 1e6 / (n * perQuery)).toFixed(2)} ns a unit); event loop delay ${full.loop}`)
} finally {
  await store.close()
  await rm(dir, { recursive: true, force: true })
}
