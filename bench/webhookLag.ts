/**
 * Webhook lag: the time from a state change on node A to the signed webhook on node C, in an
 * A–B–C line of `hashmesh start` processes on loopback (A and C are not connected: every event
 * crosses B). The change is a forum revocation (signed here, POSTed to A's /v1/forum/records); it
 * gossips A → B → C, C stores it and writes a `revocation` event in the same atomic write, and C's
 * deliverer POSTs it to a receiver in this process, which checks the signature. p50/p99/max over
 * the revocations (default 50, after a warm-up).
 *
 * Baseline in the same run: the same on a single node (submit → its own webhook), which is the cost
 * of the outbox and one delivery alone; the difference is two gossip hops.
 *
 *   npm run build && npm run bench:webhook-lag
 *   WEBHOOK_LAG_EVENTS=200 npm run bench:webhook-lag
 *
 * Match events (the watch list) go through the same outbox and deliverer: this is their delivery
 * lag too, once a batch has reached C.
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
import { generateSecretKey, publicKeyOf, sign } from '../src/crypto/ed25519.js'
import { dataDirPaths } from '../src/node/dataDirPaths.js'
import { toHex } from '../src/signals/hex.js'
import { encodeForumRecordBody, encodeSignedForumRecord } from '../src/wire/forumCodec.js'
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
        const member = (JSON.parse(body.toString()) as { data: { member: string } }).data.member
        this.waiting.get(member)?.()
      })
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  arrival (member: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`no webhook for ${member} within ${EVENT_TIMEOUT_MS} ms`)) }, EVENT_TIMEOUT_MS)
      this.waiting.set(member, () => { clearTimeout(timer); this.waiting.delete(member); resolve() })
    })
  }

  async close (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }
}

const root = generateSecretKey()

function revocationHex (member: Uint8Array): string {
  const body = encodeForumRecordBody({
    signer: publicKeyOf(root),
    network: NETWORK,
    createdAtMs: Date.now(),
    revocation: { member, serial: 0, effectiveAtMs: Date.now(), lastSeq: 0, reason: 'bench' }
  })
  return Buffer.from(encodeSignedForumRecord(body, sign(body, root))).toString('hex')
}

async function node (base: string, name: string, bootstrap: NodeInfo[]): Promise<{ proc: NodeProcess, info: NodeInfo, admin: string }> {
  const dir = join(base, name)
  await runCli(['init', '--data', dir])
  const config = join(base, `${name}.json`)
  await writeFile(config, JSON.stringify({ network: NETWORK, forum: { roots: [toHex(publicKeyOf(root))] }, log: { level: 'warn' } }))
  const args = ['--config', config, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', ...bootstrap.flatMap(b => ['--bootstrap', b.multiaddrs[0]!])]
  const proc = new NodeProcess(dir, args)
  const info = await proc.start()
  return { proc, info, admin: (await readFile(dataDirPaths(dir).adminToken, 'utf8')).trim() }
}

async function post (url: string, admin: string, body: unknown): Promise<void> {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
}

/** Submits `count` revocations on `from` one after another; the time of each until `receiver` has its webhook, in ms. */
async function measure (from: { info: NodeInfo, admin: string }, receiver: Receiver, count: number): Promise<number[]> {
  const lags: number[] = []
  for (let i = 0; i < count; i++) {
    const member = randomBytes(32)
    const arrived = receiver.arrival(toHex(member))
    const started = process.hrtime.bigint()
    await post(`${from.info.http}/v1/forum/records`, from.admin, { record: revocationHex(member) })
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
    const a = await node(base, 'a', [])
    const b = await node(base, 'b', [a.info])
    const c = await node(base, 'c', [b.info])
    procs.push(a.proc, b.proc, c.proc)
    await post(`${c.info.http}/v1/hooks`, c.admin, { url: receiver.url, events: ['revocation'], secret: SECRET })
    // Gossip needs its mesh: the first events wait for it, so they are the warm-up.
    await sleep(2_000)
    await measure(a, receiver, WARMUP)
    const line3 = line('A → B → C → webhook', await measure(a, receiver, EVENTS))
    const single = line('one node: submit → webhook (baseline)', await measure(c, receiver, EVENTS))
    console.log(`webhook lag, ${EVENTS} revocations each, loopback, 3 processes on this machine`)
    console.log(line3)
    console.log(single)
  } finally {
    await Promise.all(procs.map(async p => await p.stop()))
    await receiver.close()
    await rm(base, { recursive: true, force: true })
  }
}

await main()
