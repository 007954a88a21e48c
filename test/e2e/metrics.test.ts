import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess } from '../../src/cli/nodeProcess.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'
import type { NodeStatus } from '../../src/node/interface.js'
import { getJson, postJson } from '../helpers/http.js'
import { parsePromText, type PromSample, sampleValue } from '../helpers/promText.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'metrics-e2e'
const FILE = Buffer.from('an upload both nodes will know by its md5')
const FILE_MD5 = createHash('md5').update(FILE).digest('hex')
const PDQ = '0f1e2d3c4b5a6978'.repeat(4)

function nodeArgs (extra: string[]): string[] {
  return ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', ...extra]
}

async function token (dir: string, which: 'adminToken' | 'readToken'): Promise<string> {
  return (await readFile(dataDirPaths(dir)[which], 'utf8')).trim()
}

async function metrics (info: NodeInfo, bearer?: string): Promise<{ status: number, samples: PromSample[] }> {
  const res = await fetch(`${info.http}/metrics`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } })
  const text = await res.text()
  return { status: res.status, samples: res.status === 200 ? parsePromText(text) : [] }
}

describe('metrics end to end: B syncs from A, answers lookups and an upload, and /metrics shows it (real processes)', function () {
  this.timeout(90_000)
  let base: string
  let a: NodeProcess, b: NodeProcess
  let infoA: NodeInfo, infoB: NodeInfo
  let readB: string

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-metrics-e2e-'))
    const dirA = join(base, 'a')
    const dirB = join(base, 'b')
    a = new NodeProcess(dirA, nodeArgs(['--open-metrics']))
    infoA = await a.start()
    const entries = [{ type: 'md5', value: FILE_MD5 }, { type: 'pdq', value: PDQ }]
    const published = await postJson(`${infoA.http}/v1/batches`, { entries }, await token(dirA, 'adminToken'))
    assert.equal(published.status, 201, JSON.stringify(published.body))
    // B starts after the publish, so the batch reaches it by sync (heads exchange), not gossip.
    b = new NodeProcess(dirB, nodeArgs(['--bootstrap', infoA.multiaddrs[0]!, '--trust', infoA.publisherKey]))
    infoB = await b.start()
    readB = await token(dirB, 'readToken')
    await waitFor('B holds A\'s batch and has A in its mesh', async () => {
      const { body } = await getJson<NodeStatus>(`${infoB.http}/v1/status`, readB)
      return body.hashes.md5 === 1 && body.meshPeers.includes(infoA.peerId)
    }, 30_000)
  })

  after(async function () {
    await Promise.all([a, b].filter(n => n !== undefined).map(async n => await n.stop()))
    await rm(base, { recursive: true, force: true })
  })

  it('`start --open-metrics` serves /metrics without a token and keeps /v1 reads guarded; by default /metrics needs the read token', async function () {
    assert.equal((await metrics(infoA)).status, 200)
    assert.equal((await fetch(`${infoA.http}/v1/status`)).status, 401)
    assert.equal((await metrics(infoB)).status, 401)
    assert.equal((await metrics(infoB, readB)).status, 200)
  })

  it('B\'s /metrics counts its lookups, upload, HTTP requests, peers, mesh, PDQ index and sync lag', async function () {
    assert.equal((await getJson<{ match: boolean }>(`${infoB.http}/v1/lookup/md5/${FILE_MD5}`, readB)).body.match, true)
    assert.equal((await getJson<{ listed: boolean }>(`${infoB.http}/v1/lookup/sha1/${'00'.repeat(20)}`, readB)).body.listed, false)
    const headers = { authorization: `Bearer ${readB}`, 'content-type': 'application/octet-stream' }
    const upload = await fetch(`${infoB.http}/v1/match`, { method: 'POST', headers, body: FILE })
    assert.equal(((await upload.json()) as { match: boolean }).match, true)
    assert.equal((await fetch(`${infoB.http}/no/such/${FILE_MD5}`)).status, 404)

    const { samples } = await metrics(infoB, readB)
    const value = (name: string, labels?: Record<string, string>): number | undefined => sampleValue(samples, name, labels)
    assert.equal(value('hashmesh_lookups_total', { kind: 'exact' }), 2)
    assert.equal(value('hashmesh_lookup_verdicts_total', { kind: 'exact', verdict: 'match' }), 1)
    assert.equal(value('hashmesh_lookup_verdicts_total', { kind: 'exact', verdict: 'not_listed' }), 1)
    assert.equal(value('hashmesh_lookup_verdicts_total', { kind: 'match', verdict: 'match' }), 1)
    assert.equal(value('hashmesh_lookup_duration_seconds_count', { kind: 'match' }), 1)
    assert.equal(value('hashmesh_http_requests_total', { route: '/v1/lookup/:type/:value', method: 'GET', status: '200' }), 2)
    assert.equal(value('hashmesh_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 1)
    assert.equal(value('hashmesh_peers_connected'), 1)
    assert.equal(value('hashmesh_gossip_mesh_peers', { topic: `/hashmesh/${NETWORK}/batches/1` }), 1)
    assert.equal(value('hashmesh_pdq_index_hashes'), 1)
    assert.equal(value('hashmesh_sync_lag_batches', { publisher: infoA.publisherKey }), 0, 'caught up with the head A advertised')
    assert.equal(value('hashmesh_sync_batches_fetched_total', { action: 'accept' }), 1)
  })
})
