/**
 * Propagation: N `hashmesh start` processes on loopback (default 20) in a sparse random topology —
 * each node bootstraps 2 random earlier ones — all trusting node 0's publisher key. A batch of
 * 10,000 sha256 entries is published on node 0 through POST /v1/batches; the figure is the time
 * from the POST until the last node has linked it, p50/p90/p99/max over the publishes (default 20,
 * after one unmeasured warm-up). Baseline in the same run: the irreducible cost of one hop, an
 * in-process BatchIngester over a fresh HashStore ingesting batches of the same entries (decode +
 * verify + store + index), and the ratio "propagation p50 / (per-hop ingest × diameter)". Beside it,
 * the CPU floor: every node ingests the batch once and the processes share the cores, so no run here
 * can beat nodes × per-hop / cores.
 *
 *   npm run build && npm run bench:propagation                  # 20 nodes, 20 publishes
 *   PROPAGATION_NODES=10 PROPAGATION_PUBLISHES=40 npm run bench:propagation
 *   (or: npx tsx --import ./src/polyfill.ts bench/propagation.ts)
 *
 * When a node has linked a batch is read from its own JSON log: the "batch stored" line (info
 * level, so the nodes run at info) carries the batchId and pino's `time` in ms, taken when the batch
 * was stored and indexed, before gossipsub forwards it. All processes share one clock. The lines
 * come from NodeProcess's log tail (200 lines), read after every publish, so it is long enough here;
 * it splits the output where the pipe delivered it, so a line cut in two is joined again before
 * parsing. Polling /v1/status instead would make 20 nodes answer HTTP while they relay.
 * 20 node processes share 2 cores: the figure includes their contention for CPU.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { NodeProcess } from '../src/cli/nodeProcess.js'
import type { NodeInfo } from '../src/cli/nodeInfo.js'
import { generateSecretKey, publicKeyOf, sign } from '../src/crypto/ed25519.js'
import { LookupIndexes } from '../src/lookup/lookupIndexes.js'
import { BatchIngester } from '../src/ingest/batchIngester.js'
import { StaticTrustList } from '../src/ingest/trustPolicy.js'
import { silentLogger } from '../src/logger.js'
import type { EntryInput, NodeStatus } from '../src/node/interface.js'
import { requireSignalType } from '../src/signals/registry.js'
import { HashStore } from '../src/store/hashStore.js'
import { batchId, encodeBatchBody, encodeSignedBatch } from '../src/wire/batchCodec.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { Action, type Entry } from '../src/wire/types.js'
import { LOCAL_SOURCE } from '../src/wire/batchSource.js'
import { seconds } from './figures.js'

const NODES = Number(process.env.PROPAGATION_NODES ?? 20)
const PUBLISHES = Number(process.env.PROPAGATION_PUBLISHES ?? 20)
for (const [name, n, min] of [['PROPAGATION_NODES', NODES, 2], ['PROPAGATION_PUBLISHES', PUBLISHES, 1]] as const) {
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${n}`)
}
/** Bootstrap peers per node, picked at random among the nodes started before it. */
const LINKS = 2
/** Publishes before the measured ones: the first one also pays for JIT warm-up in 20 processes. */
const WARMUP = 1
const PER_BATCH = MAX_ENTRIES_PER_BATCH
const NETWORK = 'bench-propagation'
const SHA256 = requireSignalType('sha256')
const LABELS = ['category:bench']
const LOG_POLL_MS = 25
/** Past the default 30 s sync interval: a node that gossip missed still gets the batch by sync. */
const PUBLISH_TIMEOUT_MS = 90_000
const MESH_TIMEOUT_MS = 180_000
/** Between publishes, so one batch's relaying is over before the next starts. */
const PAUSE_MS = 1_000
const STOP_TIMEOUT_MS = 15_000

interface Node { proc: NodeProcess, info?: NodeInfo }

/** Node i > 0 bootstraps min(LINKS, i) distinct random earlier nodes: connected and sparse. */
function randomTopology (n: number): number[][] {
  const bootstrap: number[][] = [[]]
  for (let i = 1; i < n; i++) {
    const picks = new Set<number>()
    while (picks.size < Math.min(LINKS, i)) picks.add(randomInt(i))
    bootstrap.push([...picks])
  }
  return bootstrap
}

function undirected (n: number, edges: Array<[number, number]>): Array<Set<number>> {
  const adj = Array.from({ length: n }, () => new Set<number>())
  for (const [a, b] of edges) { adj[a]!.add(b); adj[b]!.add(a) }
  return adj
}

/** Hop distances from one node (Infinity where unreachable). */
function hops (adj: Array<Set<number>>, from: number): number[] {
  const dist = adj.map(() => Infinity)
  dist[from] = 0
  const queue = [from]
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q]!
    for (const v of adj[u]!) if (dist[v] === Infinity) { dist[v] = dist[u]! + 1; queue.push(v) }
  }
  return dist
}

const diameterOf = (adj: Array<Set<number>>): number => Math.max(...adj.map((_, i) => Math.max(...hops(adj, i))))

async function status (info: NodeInfo): Promise<NodeStatus> {
  const res = await fetch(`${info.http}/v1/status`)
  if (res.status !== 200) throw new Error(`GET ${info.http}/v1/status: ${res.status}`)
  return await res.json() as NodeStatus
}

async function stopNode (proc: NodeProcess): Promise<void> {
  const timer = setTimeout(() => { proc.kill().catch(() => {}) }, STOP_TIMEOUT_MS)
  try {
    await proc.stop()
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `time` of the node's "batch stored" line for this batch id, if its log tail has it. The tail is
 * split where the pipe delivered chunks, so a piece that does not start a log line continues the
 * one before it.
 */
function storedAt (tail: string, id: string): number | undefined {
  let line = ''
  for (const piece of tail.split('\n')) {
    if (piece.startsWith('{"level":')) line = piece
    else if (line !== '') line += piece
    else continue
    if (!line.endsWith('}')) continue
    if (line.includes('"batch stored"') && line.includes(id)) {
      try {
        const rec = JSON.parse(line) as { msg?: string, batchId?: string, time?: number }
        if (rec.msg === 'batch stored' && rec.batchId === id && typeof rec.time === 'number') return rec.time
      } catch {
        continue // cut inside the line after a '}': wait for the rest
      }
    }
    line = ''
  }
  return undefined
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)]!
}

function randomBatchEntries (): Entry[] {
  return Array.from({ length: PER_BATCH }, () => ({ signalType: SHA256.name, value: randomBytes(SHA256.length), labels: LABELS, action: Action.ADD }))
}

async function startNodes (base: string, topology: number[][], nodes: Node[]): Promise<string> {
  let publisherKey = ''
  for (let i = 0; i < topology.length; i++) {
    const args = ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads', '--log-level', 'info',
      ...(i === 0 ? [] : ['--trust', publisherKey]),
      ...topology[i]!.flatMap(j => ['--bootstrap', nodes[j]!.info!.multiaddrs[0]!])]
    const node: Node = { proc: new NodeProcess(join(base, `n${i}`), args) }
    nodes.push(node)
    node.info = await node.proc.start(60_000)
    if (i === 0) publisherKey = node.info.publisherKey
  }
  return publisherKey
}

/** Until every node is connected to its planned neighbours and has a non-empty gossip mesh. */
async function waitForMesh (nodes: Node[], planned: Array<Set<number>>): Promise<NodeStatus[]> {
  const index = new Map(nodes.map((n, i) => [n.info!.peerId, i]))
  const deadline = Date.now() + MESH_TIMEOUT_MS
  for (;;) {
    const all = await Promise.all(nodes.map(async n => await status(n.info!)))
    const ready = all.every((s, i) => s.meshPeers.length > 0 && [...planned[i]!].every(j => s.connectedPeers.includes(nodes[j]!.info!.peerId)))
    if (ready) return all
    if (Date.now() > deadline) {
      const lacking = all.flatMap((s, i) => s.meshPeers.length === 0 ? [`n${i}`] : [])
      throw new Error(`gossip mesh not formed within ${MESH_TIMEOUT_MS} ms; empty mesh on ${lacking.join(', ')}; connections ` +
        JSON.stringify(all.map(s => s.connectedPeers.map(p => index.get(p)))))
    }
    await sleep(500)
  }
}

interface Publish { totalMs: number, publisherMs: number, postMs: number, last: number }

async function publishAndTrace (nodes: Node[], token: string, entries: Entry[]): Promise<Publish> {
  const body = JSON.stringify({ entries: entries.map((e): EntryInput => ({ type: e.signalType, value: Buffer.from(e.value).toString('hex'),
    labels: e.labels })) })
  const t0 = Date.now()
  const res = await fetch(`${nodes[0]!.info!.http}/v1/batches`,
    { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
  const postMs = Date.now() - t0
  const reply = await res.json() as { batchId: string, seq: number }
  if (res.status !== 201) throw new Error(`POST /v1/batches: ${res.status} ${JSON.stringify(reply)}`)
  const times: Array<number | undefined> = nodes.map(() => undefined)
  const deadline = Date.now() + PUBLISH_TIMEOUT_MS
  while (times.some(t => t === undefined)) {
    nodes.forEach((n, i) => { times[i] ??= storedAt(n.proc.log(), reply.batchId) })
    if (times.every(t => t !== undefined)) break
    if (Date.now() > deadline) {
      const missing = times.flatMap((t, i) => t === undefined ? [i] : [])
      const publisher = nodes[0]!.info!.publisherKey
      const seqs = await Promise.all(missing.map(async i => (await status(nodes[i]!.info!)).publishers.find(p => p.publisher === publisher)?.seq ?? 0))
      throw new Error(`batch seq ${reply.seq} not in the logs of ${missing.map((i, k) => `n${i} (status seq ${seqs[k]})`).join(', ')} after ` +
        `${PUBLISH_TIMEOUT_MS} ms` +
        ' (a status seq at or past it means the log tail lost the line)')
    }
    await sleep(LOG_POLL_MS)
  }
  const stored = times as number[]
  const lastAt = Math.max(...stored)
  return { totalMs: lastAt - t0, publisherMs: stored[0]! - t0, postMs, last: stored.indexOf(lastAt) }
}

/** The baseline: one hop's own work, in this process, on an idle machine, for the same entries. */
async function perHopIngest (dir: string, batches: Entry[][]): Promise<number[]> {
  const secretKey = generateSecretKey()
  const publisher = publicKeyOf(secretKey)
  const store = await HashStore.open(join(dir, 'hop'))
  try {
    const ingester = new BatchIngester(
      { store, indexes: new LookupIndexes(store), trust: new StaticTrustList([], publisher), logger: silentLogger() },
      { network: NETWORK, maxClockSkewMs: 600_000 }
    )
    const ms: number[] = []
    let prev: Uint8Array = new Uint8Array(0)
    for (const [k, entries] of batches.entries()) {
      const body = encodeBatchBody({ publisher, seq: k + 1, prev, createdAtMs: Date.now(), network: NETWORK, entries })
      const bytes = encodeSignedBatch(body, sign(body, secretKey))
      prev = batchId(body)
      const started = process.hrtime.bigint()
      const outcome = await ingester.ingest(bytes, LOCAL_SOURCE)
      ms.push(seconds(started) * 1000)
      if (outcome.code !== 'ACCEPTED') throw new Error(`baseline batch not accepted: ${outcome.code}`)
    }
    return ms.slice(WARMUP)
  } finally {
    await store.close()
  }
}

function row (label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(56)}${value.padStart(8)}  ${note}`)
}

async function main (): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'hashmesh-bench-propagation-'))
  const nodes: Node[] = []
  try {
    const topology = randomTopology(NODES)
    const planned = undirected(NODES, topology.flatMap((peers, i) => peers.map(j => [i, j] as [number, number])))
    const batches = Array.from({ length: WARMUP + PUBLISHES }, randomBatchEntries)
    console.log(`propagation: ${NODES} node processes on loopback, each bootstrapping ${LINKS} random earlier ones; ` +
      `${PUBLISHES} publishes (+${WARMUP} warm-up) of ${PER_BATCH.toLocaleString('en-US')} sha256 entries on n0, node ${process.version}`)

    let started = process.hrtime.bigint()
    await startNodes(base, topology, nodes)
    const startS = seconds(started)
    started = process.hrtime.bigint()
    const statuses = await waitForMesh(nodes, planned)
    const meshS = seconds(started)
    const index = new Map(nodes.map((n, i) => [n.info!.peerId, i]))
    const actual = undirected(NODES, statuses.flatMap((s, i) => s.connectedPeers.flatMap(p => index.has(p) ? [[i, index.get(p)!] as [number, number]] : [])))
    const diameter = diameterOf(actual)
    const fromPublisher = hops(actual, 0)
    const edges = actual.reduce((n, a) => n + a.size, 0) / 2
    console.log(`topology: ${edges} links, diameter ${diameter} (planned ${diameterOf(planned)}), n0 eccentricity ${Math.max(...fromPublisher)}; ` +
      `started in ${startS.toFixed(0)} s, mesh formed ${meshS.toFixed(0)} s later (mesh sizes ${statuses.map(s => s.meshPeers.length).join(' ')})\n`)

    const token = (await readFile(join(base, 'n0', 'admin.token'), 'utf8')).trim()
    const results: Publish[] = []
    for (const [k, entries] of batches.entries()) {
      const r = await publishAndTrace(nodes, token, entries)
      const tag = k < WARMUP ? 'warm-up' : `publish ${k - WARMUP + 1}`
      console.log(`  ${tag.padEnd(10)} last node ${String(r.totalMs).padStart(5)} ms (n${r.last}, ${fromPublisher[r.last]} hops); publisher stored ` +
        `${r.publisherMs} ms; POST answered ${r.postMs} ms`)
      if (k >= WARMUP) results.push(r)
      await sleep(PAUSE_MS)
    }
    await Promise.all(nodes.map(async n => { await stopNode(n.proc) }))

    const hop = await perHopIngest(base, batches)
    const sortedHop = [...hop].sort((a, b) => a - b)
    const hopP50 = percentile(sortedHop, 50)
    const total = results.map(r => r.totalMs).sort((a, b) => a - b)
    const own = results.map(r => r.publisherMs).sort((a, b) => a - b)
    const p50 = percentile(total, 50)
    console.log()
    row(`POST → last of ${NODES} nodes stored, ${results.length} publishes`, 'ms')
    row('  p50', String(p50))
    row('  p90', String(percentile(total, 90)))
    row('  p99', String(percentile(total, 99)))
    row('  max', String(total.at(-1)))
    row('POST → publisher n0 stored its own batch, p50', String(percentile(own, 50)), '(HTTP, JSON, sign, ingest)')
    row('per-hop ingest in-process, p50 (baseline)', hopP50.toFixed(0),
      `(decode + verify + store + index; ${Math.round(PER_BATCH / hopP50 * 1000).toLocaleString('en-US')} entries/s)`)
    const cores = availableParallelism()
    row(`CPU floor: ${NODES} ingests on ${cores} cores (${NODES} × per-hop / ${cores})`, (NODES * hopP50 / cores).toFixed(0),
      '(every node verifies and stores it once; they share the cores)')
    console.log(`\nratio propagation p50 / (per-hop ingest × diameter ${diameter}): ${(p50 / (hopP50 * diameter)).toFixed(2)}` +
      `  (× n0 eccentricity ${Math.max(...fromPublisher)}: ${(p50 / (hopP50 * Math.max(...fromPublisher))).toFixed(2)}; / CPU floor: ` +
      `${(p50 / (NODES * hopP50 / cores)).toFixed(2)})`)
  } finally {
    await Promise.allSettled(nodes.map(async n => { await stopNode(n.proc) }))
    await rm(base, { recursive: true, force: true })
  }
}

await main()
