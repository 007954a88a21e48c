import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { HashSummary } from '../src/lookup/lookupResult.js'
import { MatchLog } from '../src/matches/matchLog.js'
import { parseMatchFilter, parseTimeRange } from '../src/matches/matchQuery.js'
import { HashStore } from '../src/store/hashStore.js'
import { fmt, seconds } from './figures.js'

/**
 * What `GET /v1/matches/stats`, a filtered listing and a prune cost over a large match log, and
 * whether they hold the event loop: the log's N records are written in batches (as retroactive
 * matching writes them), then stats scan every summary row while an interval timer measures the
 * loop's delay. Baseline: a full scan of the same bucket's keys, no decoding.
 *
 *   npx tsx --import ./src/polyfill.ts bench/matchStats.ts [records, default 200000]
 */

const N = Number(process.argv[2] ?? 200_000)
const WRITE_BATCH = 1000
const DAY = 86_400_000
const NO_TALLY = { count: 0, organisations: [], publishers: 0 }

function summary (i: number): HashSummary {
  return {
    value: i.toString(16).padStart(64, '0'),
    listed: true,
    addedBy: [{ publisher: 'ab'.repeat(32), organisation: 'org-a', labels: [`label-${i % 7}`] }],
    retractedBy: [],
    opinions: { confirm: NO_TALLY, falsePositive: NO_TALLY, dispute: NO_TALLY },
    disputed: false,
    match: true,
    reasons: ['listed by org-a']
  }
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-matches-'))
  const store = await HashStore.open(join(dir, 'db'))
  const start = Date.UTC(2025, 0, 1)
  const log = new MatchLog({ store, now: () => start + 400 * DAY }, { retentionMs: 300 * DAY })
  try {
    const written = process.hrtime.bigint()
    for (let from = 0; from < N; from += WRITE_BATCH) {
      await store.writeAtomically(async () => {
        const ops = []
        for (let i = from; i < Math.min(N, from + WRITE_BATCH); i++) {
          const atMs = start + Math.floor(i / N * 365 * DAY)
          const matched = summary(i)
          const input = { contentId: `content/${i}`, source: 'retroactive' as const, hash: { type: 'sha256', value: matched.value }, matched: [matched] }
          ops.push(...(await log.recordOps({ ...input, listedAtMs: atMs - (i % 3600) * 1000, atMs })).ops)
        }
        return ops
      })
    }
    console.log(`wrote ${fmt(N)} match records in ${seconds(written).toFixed(1)} s`)

    const keysStarted = process.hrtime.bigint()
    let keys = 0
    for await (const chunk of store.repositories.matchSummary.keysBinary()) keys += chunk.length
    const keyScan = seconds(keysStarted)
    console.log(`baseline: scan of ${fmt(keys)} summary keys: ${keyScan.toFixed(2)} s (${fmt(keys / keyScan)}/s)`)

    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const statsStarted = process.hrtime.bigint()
    const stats = await log.stats(parseTimeRange({}))
    const statsTook = seconds(statsStarted)
    delay.disable()
    console.log(`stats over ${fmt(stats.total)} records: ${statsTook.toFixed(2)} s (${fmt(stats.total / statsTook)} records/s); ` +
      `event loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms; ` +
      `${(statsTook / keyScan).toFixed(1)}x the key scan`)
    console.log(`  → 10M records would take ~${(10_000_000 / (stats.total / statsTook)).toFixed(0)} s, memory constant (histograms of 4,000 buckets)`)

    const listed = process.hrtime.bigint()
    const page = await log.list(parseMatchFilter({ label: 'label-3', limit: '100' }))
    console.log(`list label=label-3, 100 per page: ${(seconds(listed) * 1000).toFixed(1)} ms (${page.matches.length} records)`)
    const rare = process.hrtime.bigint()
    const none = await log.list(parseMatchFilter({ status: 'acted', limit: '100' }))
    const next = none.next === undefined ? 'none' : 'set'
    console.log(`list status=acted (none exist): ${(seconds(rare) * 1000).toFixed(1)} ms, stops after 100,000 rows with next=${next}`)

    const pruneStarted = process.hrtime.bigint()
    const pruned = await log.prune()
    console.log(`prune past 300 days: ${fmt(pruned)} records in ${seconds(pruneStarted).toFixed(2)} s`)
  } finally {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
