/**
 * Webhook lag: the time from a publish on node A to the signed `match` webhook on node C, in an
 * A–B–C line of `hashmesh start` processes on loopback (A and C are not connected: every batch
 * crosses B). Before each publish, C watches one more content item with a fresh sha256; A then
 * publishes a one-entry batch listing it (POST /v1/batches); it gossips A → B → C, C stores it and,
 * in the same atomic write, records the match and writes the event; C's deliverer POSTs it to a
 * receiver in this process, which checks the signature. p50/p99/max over the publishes (default 50,
 * after a warm-up).
 *
 * Baseline in the same run: the same on a single node (C publishes the hash itself → its own
 * webhook): ingest, matching, the outbox and one delivery, without the two gossip hops.
 *
 *   npm run build && npm run bench:webhook-lag
 *   WEBHOOK_LAG_EVENTS=200 npm run bench:webhook-lag
 */
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { NodeProcess, runCli } from '../src/cli/nodeProcess.js'
import type { NodeInfo } from '../src/cli/nodeInfo.js'
import { dataDirPaths } from '../src/node/dataDirPaths.js'
import { percentile } from './figures.js'

const EVENTS = Number(process.env.WEBHOOK_LAG_EVENTS ?? 50)
if (!Number.isSafeInteger(EVENTS) || EVENTS < 1) throw new Error(`WEBHOOK_LAG_EVENTS must be an integer ≥ 1, got ${EVENTS}`)
const WARMUP = 3
const NETWORK = 'bench-webhook-lag'
const SECRET = randomBytes(32).toString('hex')
const EVENT_TIMEOUT_MS = 60_000

/** Resolves each waiting event when its webhook arrives, checked as a platform would. */
class Receiver {
  private readonly waiting = new Map<string, () => void>()
  private server: Server | undefined
  url = ''

  async listen (): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-hashmesh-signature']))
        if (m === null || createHmac('sha256', SECRET).update(`${m[1]}.`).update(body).digest('hex') !== m[2]) throw new Error('bad signature')
        res.writeHead(204).end()
        const contentId = (JSON.parse(body.toString()) as { data: { contentId: string } }).data.contentId
        this.waiting.get(contentId)?.()
      })
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  arrival (contentId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no webhook for ${contentId} within ${EVENT_TIMEOUT_MS} ms`)) }, EVENT_TIMEOUT_MS)
      this.waiting.set(contentId, () => { clearTimeout(timer); this.waiting.delete(contentId); resolve() })
    })
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }
}

interface Node { proc: NodeProcess, info: NodeInfo, admin: string }

/** A node that bootstraps to `bootstrap` and accepts what `trust` publishes (no forum: a trust list). */
async function node (base: string, name: string, bootstrap: NodeInfo[], trust: NodeInfo[]): Promise<Node> {
  const dir = join(base, name)
  await runCli(['init', '--data', dir])
  const config = join(base, `${name}.json`)
  await writeFile(config, JSON.stringify({ network: NETWORK, log: { level: 'warn' } }))
  const args = ['--config', config, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0',
    ...bootstrap.flatMap(b => ['--bootstrap', b.multiaddrs[0]!]), ...trust.flatMap(t => ['--trust', t.publisherKey])]
  const proc = new NodeProcess(dir, args)
  const info = await proc.start()
  return { proc, info, admin: (await readFile(dataDirPaths(dir).adminToken, 'utf8')).trim() }
}

async function post (url: string, admin: string, body: unknown): Promise<void> {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
}

let items = 0

/**
 * Publishes `count` watched hashes on `from` one after another, each watched on `watcher` first; the
 * time of each from the publish until `receiver` has its match webhook, in ms.
 */
async function measure (from: Node, watcher: Node, receiver: Receiver, count: number): Promise<number[]> {
  const lags: number[] = []
  for (let i = 0; i < count; i++) {
    const id = `bench/${items++}`
    const sha256 = randomBytes(32).toString('hex')
    await post(`${watcher.info.http}/v1/watch`, watcher.admin, { items: [{ id, hashes: { sha256 } }] })
    const arrived = receiver.arrival(id)
    const started = process.hrtime.bigint()
    await post(`${from.info.http}/v1/batches`, from.admin, { entries: [{ type: 'sha256', value: sha256, labels: ['bench'] }] })
    await arrived
    lags.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  return lags
}

function line (what: string, lags: number[]): string {
  const sorted = [...lags].sort((a, b) => a - b)
  const ms = (n: number): string => `${n.toFixed(1)} ms`
  return `${what}: p50 ${ms(percentile(sorted, 0.5))}  p99 ${ms(percentile(sorted, 0.99))}  max ${ms(sorted.at(-1)!)}  (${lags.length} events)`
}

async function main (): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'hashmesh-bench-webhook-'))
  const receiver = new Receiver()
  await receiver.listen()
  const procs: NodeProcess[] = []
  try {
    const a = await node(base, 'a', [], [])
    procs.push(a.proc)
    const b = await node(base, 'b', [a.info], [a.info])
    procs.push(b.proc)
    const c = await node(base, 'c', [b.info], [a.info])
    procs.push(c.proc)
    await post(`${c.info.http}/v1/hooks`, c.admin, { url: receiver.url, events: ['match'], secret: SECRET })
    // Gossip needs its mesh: the first events wait for it, so they are the warm-up.
    await sleep(2_000)
    await measure(a, c, receiver, WARMUP)
    const line3 = line('publish on A → B → C → match webhook', await measure(a, c, receiver, EVENTS))
    const single = line('one node: publish on C → its match webhook (baseline)', await measure(c, c, receiver, EVENTS))
    console.log(`webhook lag, ${EVENTS} publishes each, loopback, 3 processes on this machine`)
    console.log(line3)
    console.log(single)
  } finally {
    await Promise.all(procs.map(async p => await p.stop()))
    await receiver.close()
    await rm(base, { recursive: true, force: true })
  }
}

await main()
