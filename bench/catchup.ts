/**
 * Catch-up: a fresh node joins and syncs N × 10,000 entries (default 100 batches, 1,000,000 entries)
 * from one peer, beside a raw LevelDB batch put of the same entry rows in the same run. Only the
 * ratio is stable on a noisy 2-core machine.
 *
 *   npm run build && npm run bench:catchup           # 100 batches × 10,000 entries
 *   CATCHUP_BATCHES=20 npm run bench:catchup         # or: npx tsx --import ./src/polyfill.ts bench/catchup.ts
 *   CATCHUP_LOG_LEVEL=debug …                        # the joining node's log level (its tail is printed on failure)
 *
 * The serving node runs in this process (createHashmeshNode + publish()): that is the fastest honest
 * way to give it a real history — every batch is signed, verified and stored through the node's own
 * publish path, without shipping 100 MB of JSON over HTTP first — and it serves sync with the same
 * code a `hashmesh start` process runs. The joining node is a real `hashmesh start` process from
 * dist/ (NodeProcess), as a platform joining a forum would run it: it bootstraps only from the
 * server and trusts only its publisher key. The clock runs from spawning that process until its
 * /v1/status shows the publisher at seq N with the server's stateDigest, so it includes process
 * start (module loading, store open) as a joining platform would see it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Level } from 'level'
import { Registry } from 'prom-client'
import { NodeProcess } from '../src/cli/nodeProcess.js'
import { silentLogger } from '../src/logger.js'
import { createHashmeshNode, type HashmeshNode } from '../src/node/hashmeshNode.js'
import type { EntryInput, NodeStatus } from '../src/node/interface.js'
import { requireSignalType } from '../src/signals/registry.js'
import { entryKey } from '../src/store/keys.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { fmt, seconds } from './figures.js'

const BATCHES = Number(process.env.CATCHUP_BATCHES ?? 100)
if (!Number.isSafeInteger(BATCHES) || BATCHES < 1) throw new Error(`CATCHUP_BATCHES must be a positive integer, got ${BATCHES}`)
const PER_BATCH = MAX_ENTRIES_PER_BATCH
const ENTRIES = BATCHES * PER_BATCH
const NETWORK = 'bench-catchup'
const SHA256 = requireSignalType('sha256')
const LABELS = ['category:bench']
/** Status polls on the joining node: fine enough for a run of seconds, too rare to slow it. */
const POLL_MS = 100
/** A catch-up that is still going after this long says where it is, so a slow run is visibly slow. */
const PROGRESS_EVERY_MS = 30_000
/** Far above the expected ~20 s for 1M entries; a stuck sync fails the run instead of hanging it. */
const CATCHUP_TIMEOUT_MS = 90 * 60_000

/** Entry i's value is pool[i*32 .. i*32+32): batch b holds entries b*PER_BATCH … (b+1)*PER_BATCH-1. */
const pool = randomBytes(ENTRIES * SHA256.length)
const valueOf = (i: number): Buffer => pool.subarray(i * SHA256.length, (i + 1) * SHA256.length)

async function buildServer (dir: string): Promise<{ server: HashmeshNode, publishS: number }> {
  const server = await createHashmeshNode({
    dataDir: join(dir, 'server'),
    network: NETWORK,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    announce: [],
    bootstrap: [],
    forum: { roots: [], revokedEntries: 'keep', overrides: [] },
    policy: { falsePositiveThreshold: 0, confirmationsRequired: {} },
    trust: [],
    maxClockSkewMs: 600_000,
    syncIntervalMs: 30_000,
    uploads: { concurrency: 2, maxWaiting: 8, maxPixels: 50_000_000 }
  }, { logger: silentLogger(), registry: new Registry() })
  await server.start()
  const started = process.hrtime.bigint()
  for (let b = 0; b < BATCHES; b++) {
    const entries: EntryInput[] = []
    for (let i = b * PER_BATCH; i < (b + 1) * PER_BATCH; i++) entries.push({ type: SHA256.name, value: valueOf(i).toString('hex'), labels: LABELS })
    const result = await server.publish(entries)
    if (result.seq !== b + 1) throw new Error(`server published seq ${result.seq}, expected ${b + 1}`)
  }
  return { server, publishS: seconds(started) }
}

async function status (http: string): Promise<NodeStatus> {
  const res = await fetch(`${http}/v1/status`)
  if (res.status !== 200) throw new Error(`GET ${http}/v1/status: ${res.status}`)
  return await res.json() as NodeStatus
}

/** Spawns the joining node and waits for the server's full history; times from the spawn. */
async function catchUp (server: HashmeshNode, joiner: NodeProcess): Promise<{ listeningS: number, totalS: number, joined: NodeStatus }> {
  const target = await server.status()
  const started = process.hrtime.bigint()
  const info = await joiner.start(60_000)
  const listeningS = seconds(started)
  const deadline = Date.now() + CATCHUP_TIMEOUT_MS
  let nextProgress = Date.now() + PROGRESS_EVERY_MS
  for (;;) {
    const s = await status(info.http)
    const seq = s.publishers.find(p => p.publisher === server.publisherKey)?.seq ?? 0
    if (seq === BATCHES && s.stateDigest === target.stateDigest) return { listeningS, totalS: seconds(started), joined: s }
    if (Date.now() > nextProgress) {
      console.log(`  … ${seconds(started).toFixed(0)} s after spawn: joining node at seq ${seq}/${BATCHES}`)
      nextProgress += PROGRESS_EVERY_MS
    }
    if (Date.now() > deadline) throw new Error(`joining node at seq ${seq}/${BATCHES} after ${CATCHUP_TIMEOUT_MS} ms:\n${joiner.log()}`)
    if (!joiner.running) throw new Error(`joining node exited:\n${joiner.log()}`)
    await sleep(POLL_MS)
  }
}

/** The baseline: LevelDB alone writing the same entry-index rows, 10,000 per batch put. */
async function rawLevelPut (dir: string, publisher: Uint8Array): Promise<number> {
  const db = new Level<Uint8Array, Uint8Array>(join(dir, 'raw'), { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  const label = Buffer.from(LABELS.join(';'))
  const started = process.hrtime.bigint()
  for (let b = 0; b < BATCHES; b++) {
    const ops = []
    for (let position = 0; position < PER_BATCH; position++) {
      const value = valueOf(b * PER_BATCH + position)
      ops.push({ type: 'put' as const, key: entryKey({ signalTypeCode: SHA256.code, value, publisher, seq: b + 1, position }), value: label })
    }
    await db.batch(ops)
  }
  const s = seconds(started)
  await db.close()
  return s
}

function row (label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(56)}${value.padStart(14)}  ${note}`)
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-bench-catchup-'))
  let server: HashmeshNode | undefined
  let joiner: NodeProcess | undefined
  try {
    const load = `${BATCHES} batches × ${fmt(PER_BATCH)} sha256 entries (${fmt(ENTRIES)})`
    console.log(`catch-up: a fresh node syncs ${load} from one peer, node ${process.version}\n`)
    const built = await buildServer(dir)
    server = built.server
    const publisher = Buffer.from(server.publisherKey, 'hex')

    joiner = new NodeProcess(join(dir, 'joiner'), [
      '--network', NETWORK,
      '--listen', '/ip4/127.0.0.1/tcp/0',
      '--http', '127.0.0.1:0', '--open-reads',
      '--bootstrap', server.multiaddrs()[0]!,
      '--trust', server.publisherKey,
      '--log-level', process.env.CATCHUP_LOG_LEVEL ?? 'info'
    ])
    const { listeningS, totalS, joined } = await catchUp(server, joiner)
    if (joined.hashes.sha256 !== ENTRIES) throw new Error(`joining node indexed ${joined.hashes.sha256} sha256 hashes, expected ${ENTRIES}`)
    if (!joined.connectedPeers.every(p => p === server!.peerId)) {
      throw new Error(`joining node talked to ${joined.connectedPeers.join(', ')}, not only the server`)
    }
    await joiner.stop()
    await server.stop()

    const rawS = await rawLevelPut(dir, publisher)

    row('step', 'entries/s', 'time')
    row('server build: publish() = sign + verify + store + index', fmt(ENTRIES / built.publishS), `${built.publishS.toFixed(1)} s (in-process, not the figure)`)
    row('raw LevelDB batch put of the same entry rows (baseline)', fmt(ENTRIES / rawS), `${rawS.toFixed(1)} s`)
    row('catch-up, spawn → seq and stateDigest equal (the figure)', fmt(ENTRIES / totalS), `${totalS.toFixed(1)} s`)
    row('  of which process start until listening', '', `${listeningS.toFixed(1)} s`)
    row('catch-up from listening (sync only)', fmt(ENTRIES / (totalS - listeningS)), `${(totalS - listeningS).toFixed(1)} s`)
    console.log(`\nratio catch-up / raw LevelDB put: ${(rawS / totalS).toFixed(2)}  (sync only: ${(rawS / (totalS - listeningS)).toFixed(2)})`)
  } finally {
    await joiner?.stop().catch(() => {})
    await server?.stop().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
