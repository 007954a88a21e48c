import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashFile } from '../hashing/fileHasher.js'
import { dataDirPaths } from '../node/dataDirPaths.js'
import type { LookupResult, MatchResult } from '../node/interface.js'
import { demoImage, editedCopy } from './demoImage.js'
import { NodeClient } from './nodeClient.js'
import type { NodeInfo } from './nodeInfo.js'
import { NodeProcess } from './nodeProcess.js'

const DEMO_NETWORK = 'demo'
const SAMPLE_HASHES = 1_000
/** Mesh formation takes a gossipsub heartbeat or two; lookups on C wait for one hop each. */
const MESH_TIMEOUT_MS = 20_000
const ARRIVAL_TIMEOUT_MS = 15_000

type Say = (line: string) => void

async function until<T> (what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined)
    if (value !== undefined) return value
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`demo: timed out waiting for ${what}`)
}

/** Sample "known-bad" hashes: SHA-256 of fixed strings, so every run publishes the same ones. */
function sampleEntries (): Array<{ type: string, value: string, labels: string[] }> {
  return Array.from({ length: SAMPLE_HASHES }, (_, i) => ({
    type: 'sha256',
    value: createHash('sha256').update(`hashmesh demo sample ${i}`).digest('hex'),
    labels: ['demo', i % 2 === 0 ? 'category:example-a' : 'category:example-b']
  }))
}

async function startLine (base: string, say: Say): Promise<{ nodes: NodeProcess[], infos: NodeInfo[] }> {
  const args = ['--network', DEMO_NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--log-level', 'warn']
  const a = new NodeProcess(join(base, 'a'), args)
  const infoA = await a.start()
  const trustA = ['--trust', infoA.publisherKey]
  const b = new NodeProcess(join(base, 'b'), [...args, ...trustA, '--bootstrap', infoA.multiaddrs[0]!])
  const infoB = await b.start()
  const c = new NodeProcess(join(base, 'c'), [...args, ...trustA, '--bootstrap', infoB.multiaddrs[0]!])
  const infoC = await c.start()
  for (const [name, info] of [['A', infoA], ['B', infoB], ['C', infoC]] as const) say(`node ${name}: ${info.peerId}  ${info.http}`)
  say('topology: A – B – C (C knows only B); B and C trust A\'s publisher key')
  return { nodes: [a, b, c], infos: [infoA, infoB, infoC] }
}

/** Reads need a token by default: the demo looks up as an upload service would, with the read token. */
async function reader (dir: string, url: string): Promise<NodeClient> {
  return new NodeClient({ url, token: (await readFile(dataDirPaths(dir).readToken, 'utf8')).trim() })
}

async function waitForMesh (base: string, infos: NodeInfo[]): Promise<void> {
  const [a, b, c] = infos as [NodeInfo, NodeInfo, NodeInfo]
  const clientB = await reader(join(base, 'b'), b.http)
  await until('the gossip mesh A–B–C', MESH_TIMEOUT_MS, async () => {
    const sb = await clientB.status()
    return sb.meshPeers.includes(a.peerId) && sb.meshPeers.includes(c.peerId) ? true : undefined
  })
}

/** The demo image's PDQ, published beside the sample hashes; C then matches an edited copy of it. */
async function imageEntry (image: Buffer): Promise<{ type: string, value: string, labels: string[] }> {
  const { pdq } = await hashFile(image)
  return { type: 'pdq', value: pdq!.hash, labels: ['demo', 'category:example-image'] }
}

async function showImageMatch (client: NodeClient, image: Buffer, say: Say): Promise<MatchResult> {
  const copy = await editedCopy(image)
  const match = await client.match(copy, 'image/jpeg')
  const near = match.results.find(r => r.type === 'pdq')?.matches[0]
  say('C matched an edited copy (half size, brighter, JPEG: no byte in common) by PDQ: ' +
    `listed ${String(match.listed)}, distance ${near?.distance ?? '-'} of 256 bits`)
  return match
}

/**
 * `npm run demo`: a three-node federation on loopback in real processes. Publishes sample hashes and
 * an image's PDQ on the first node and shows the lookup and an edited copy's match succeeding on the
 * farthest one, then shuts everything down.
 */
export async function runDemo (opts: { keep: boolean }, say: Say): Promise<LookupResult> {
  const base = await mkdtemp(join(tmpdir(), 'hashmesh-demo-'))
  say(`demo data under ${base}`)
  let nodes: NodeProcess[] = []
  try {
    const line = await startLine(base, say)
    nodes = line.nodes
    const [infoA, , infoC] = line.infos as [NodeInfo, NodeInfo, NodeInfo]
    await waitForMesh(base, line.infos)
    const clientC = await reader(join(base, 'c'), infoC.http)
    const token = (await readFile(dataDirPaths(join(base, 'a')).adminToken, 'utf8')).trim()
    const image = await demoImage()
    const entries = [...sampleEntries(), await imageEntry(image)]
    const started = Date.now()
    const published = await new NodeClient({ url: infoA.http, token }).publish(entries)
    say(`A published ${published.entries} hashes as batch ${published.batchId} (seq ${published.seq}), gossiped to ${published.recipients} peer(s)`)
    const probe = entries[entries.length - 2]!
    const found = await until('the hash on C', ARRIVAL_TIMEOUT_MS, async () => {
      const r = await clientC.lookup(probe.type, probe.value)
      return r.listed ? r : undefined
    })
    say(`C found it ${Date.now() - started} ms after the publish: hashmesh lookup ${probe.type} ${probe.value} --data ${join(base, 'c')}`)
    say(JSON.stringify(found, null, 2))
    await showImageMatch(clientC, image, say)
    return found
  } finally {
    await Promise.all(nodes.map(async n => await n.stop()))
    if (opts.keep) say(`kept ${base}`)
    else await rm(base, { recursive: true, force: true })
  }
}
