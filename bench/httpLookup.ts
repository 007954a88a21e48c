/**
 * Batch lookups over HTTP under load: a real node process (`hashmesh start`, its own LevelDB) holding
 * N published hashes, and CLIENTS concurrent clients each sending REQUESTS requests of 1,000 queries
 * (POST /v1/lookup), in the same run:
 *   - 50% hits, summaries (the default answer);
 *   - 50% hits with `matches: true` (every entry's full row);
 *   - all misses;
 * and the floor beside them: the node's LevelDB opened raw after the node stops, the same
 * concurrency of getMany over the same entry-row keys. Lookups/s, and p50/p99 per request.
 *
 *   npm run bench:http-lookup                              # 200,000 hashes, 50 clients × 4 requests each
 *   HTTP_LOOKUP_HASHES=1000000 HTTP_LOOKUP_CLIENTS=50 HTTP_LOOKUP_REQUESTS=10 npm run bench:http-lookup
 */
import { randomBytes, randomInt } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { NodeProcess } from '../src/cli/nodeProcess.js'
import { dataDirPaths } from '../src/node/dataDirPaths.js'
import { requireSignalType } from '../src/signals/registry.js'
import { entryKey } from '../src/store/keys.js'
import { MAX_ENTRIES_PER_BATCH } from '../src/wire/limits.js'
import { fmt, percentile, seconds } from './figures.js'

function positiveInt (name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`)
  return n
}

const HASHES = positiveInt('HTTP_LOOKUP_HASHES', 200_000)
const CLIENTS = positiveInt('HTTP_LOOKUP_CLIENTS', 50)
const REQUESTS = positiveInt('HTTP_LOOKUP_REQUESTS', 4)
const QUERIES = 1_000
const SHA256 = requireSignalType('sha256')

interface Timing { seconds: number, latencies: number[] }

async function post (agent: Agent, base: string, token: string, path: string, body: unknown): Promise<unknown> {
  const payload = JSON.stringify(body)
  return await new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
    const req = request(`${base}${path}`, { method: 'POST', agent, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        if (res.statusCode !== 200 && res.statusCode !== 201) reject(new Error(`${path}: ${res.statusCode} ${text.slice(0, 300)}`))
        else resolve(JSON.parse(text))
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** CLIENTS loops of REQUESTS calls each, all at once; the time of each call and of the whole. */
async function underLoad (call: (client: number, n: number) => Promise<void>): Promise<Timing> {
  const latencies: number[] = []
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    for (let n = 0; n < REQUESTS; n++) {
      const t = process.hrtime.bigint()
      await call(client, n)
      latencies.push(seconds(t))
    }
  }))
  return { seconds: seconds(started), latencies: latencies.sort((a, b) => a - b) }
}

function line (label: string, t: Timing, floor?: number): void {
  const rate = CLIENTS * REQUESTS * QUERIES / t.seconds
  const cells = [
    fmt(rate),
    percentile(t.latencies, 0.5).toFixed(2),
    percentile(t.latencies, 0.99).toFixed(2),
    floor === undefined ? '' : (rate / floor).toFixed(2)
  ]
  console.log(`${label.padEnd(40)}${cells[0]!.padStart(12)}${cells[1]!.padStart(10)}${cells[2]!.padStart(10)}${cells[3]!.padStart(10)}`)
}

async function main (): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'hashmesh-bench-http-lookup-'))
  const node = new NodeProcess(join(base, 'node'), ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
  const values = Array.from({ length: HASHES }, () => randomBytes(32).toString('hex'))
  try {
    const info = await node.start()
    const admin = (await readFile(dataDirPaths(node.dataDir).adminToken, 'utf8')).trim()
    const read = (await readFile(dataDirPaths(node.dataDir).readToken, 'utf8')).trim()
    for (let from = 0; from < HASHES; from += MAX_ENTRIES_PER_BATCH) {
      const entries = values.slice(from, from + MAX_ENTRIES_PER_BATCH).map(value => ({ type: 'sha256', value, labels: ['bench'] }))
      await post(agent, info.http, admin, '/v1/batches', { entries })
    }
    const queries = (hits: number): Array<{ type: string, value: string }> => Array.from({ length: QUERIES }, (_, i) =>
      ({ type: 'sha256', value: i < hits ? values[randomInt(HASHES)]! : randomBytes(32).toString('hex') }))
    const lookup = async (body: object, hits: number): Promise<void> => {
      const { results } = await post(agent, info.http, read, '/v1/lookup', body) as { results: Array<{ listed: boolean }> }
      if (results.filter(r => r.listed).length !== hits) throw new Error('wrong number of hits')
    }
    // Warm-up: JIT, sockets, the store's files in the page cache.
    await underLoad(async () => { await lookup({ queries: queries(QUERIES / 2) }, QUERIES / 2) })
    const summaries = await underLoad(async () => { await lookup({ queries: queries(QUERIES / 2) }, QUERIES / 2) })
    const full = await underLoad(async () => { await lookup({ queries: queries(QUERIES / 2), matches: true }, QUERIES / 2) })
    const misses = await underLoad(async () => { await lookup({ queries: queries(0) }, 0) })
    await node.stop()

    const publisher = Buffer.from(info.publisherKey, 'hex')
    const rowKey = (i: number): Uint8Array => entryKey({
      signalTypeCode: SHA256.code,
      value: Buffer.from(values[i]!, 'hex'),
      publisher,
      seq: Math.floor(i / MAX_ENTRIES_PER_BATCH) + 1,
      position: i % MAX_ENTRIES_PER_BATCH
    })
    const db = new Level<Uint8Array, Uint8Array>(join(node.dataDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' })
    await db.open()
    const getMany = async (): Promise<void> => {
      const got = await db.getMany(Array.from({ length: QUERIES / 2 }, () => rowKey(randomInt(HASHES))))
      if (got.some(v => v === undefined)) throw new Error('row missing: the bench computed a wrong key')
    }
    await underLoad(getMany)
    // Half the queries are hits: the floor reads their rows, and a miss costs it nothing.
    const raw = await underLoad(getMany)
    await db.close()
    const floor = CLIENTS * REQUESTS * QUERIES / raw.seconds

    const load = `${CLIENTS} clients × ${REQUESTS} requests × ${fmt(QUERIES)} queries`
    console.log(`http lookup: ${fmt(HASHES)} sha256 hashes on a node process, ${load}, node ${process.version}\n`)
    console.log(`${''.padEnd(40)}${'lookups/s'.padStart(12)}${'p50 s'.padStart(10)}${'p99 s'.padStart(10)}${'× floor'.padStart(10)}`)
    line('50% hits, summaries (default)', summaries, floor)
    line('50% hits, matches: true', full, floor)
    line('all misses', misses, floor)
    line('floor: raw getMany of the hits\' rows', raw)
  } finally {
    if (node.running) await node.stop()
    agent.destroy()
    await rm(base, { recursive: true, force: true })
  }
}

await main()
