import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_JSON_DEPTH } from '../../src/api/jsonBody.js'
import { LOOKUP_BODY_LIMIT } from '../../src/api/limits.js'
import { NodeProcess } from '../../src/cli/nodeProcess.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'

async function healthzMs (base: string): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${base}/healthz`)
  assert.equal(res.status, 200)
  return performance.now() - started
}

/** The attack, against a real node process: nested-array bodies as large as the lookup route takes. */
describe('nested JSON against a real node process', function () {
  this.timeout(120_000)
  let dir: string
  let node: NodeProcess
  let http: string
  let token: string

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-nested-json-'))
    node = new NodeProcess(join(dir, 'node'), ['--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    http = (await node.start()).http
    token = (await readFile(dataDirPaths(node.dataDir).readToken, 'utf8')).trim()
  })

  after(async function () {
    await node?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses four at once with 400 TOO_DEEP while /healthz keeps answering', async function () {
    const baseline = Math.max(...await Promise.all([1, 2, 3].map(async () => await healthzMs(http))))
    const depth = Math.floor((LOOKUP_BODY_LIMIT - 20) / 2)
    const body = `{"queries":${'['.repeat(depth)}${']'.repeat(depth)}}`
    const attacks = Array.from({ length: 4 }, async () => {
      const res = await fetch(`${http}/v1/lookup`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
      return { status: res.status, body: await res.json() as { error: { code: string, message: string } } }
    })
    // Generous against a loaded 2-core machine: the refusal is a linear scan of 2 MiB, not a parse.
    const during = await healthzMs(http)
    for (const res of await Promise.all(attacks)) {
      assert.equal(res.status, 400)
      assert.equal(res.body.error.code, 'TOO_DEEP')
      assert.match(res.body.error.message, new RegExp(String(MAX_JSON_DEPTH)))
    }
    assert.ok(during < Math.max(1000, 10 * baseline), `/healthz took ${during.toFixed(0)} ms during the attack, ${baseline.toFixed(0)} ms before`)
  })
})
