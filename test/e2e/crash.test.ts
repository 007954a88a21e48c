import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess } from '../../src/cli/nodeProcess.js'
import type { NodeStatus } from '../../src/node/interface.js'
import { getJson, postJson } from '../helpers/http.js'
import { waitFor } from '../helpers/waitFor.js'

const NETWORK = 'crash'
const BATCHES = 100
const PER_BATCH = 2_000
const KILLS = 20
/**
 * Each life is killed once it has stored this many new batches (1-3, drawn from SEED): the kill lands
 * wherever the sync then is, mid-write or between writes, and another seed replays other points.
 */
const SEED = 20_261_202
const BATCHES_PER_LIFE = fc.sample(fc.integer({ min: 1, max: 3 }), { seed: SEED, numRuns: KILLS })

async function status (info: NodeInfo): Promise<NodeStatus> {
  return (await getJson<NodeStatus>(`${info.http}/v1/status`)).body
}

/** What must hold after any crash: heads, counters and the index agree, and nothing is half there. */
function assertConsistent (s: NodeStatus, publisher: string): number {
  const p = s.publishers.find(x => x.publisher === publisher)
  if (p === undefined) {
    assert.equal(s.hashes.sha256, 0)
    return 0
  }
  assert.equal(p.batches, p.seq, 'one stored batch per seq up to the head')
  assert.equal(p.entries, p.seq * PER_BATCH, 'whole batches only')
  assert.equal(s.hashes.sha256, p.entries, 'every stored entry is in the lookup index, and nothing else')
  return p.seq
}

describe('crash safety: SIGKILL in the middle of a large sync (real processes)', function () {
  this.timeout(300_000)
  let base: string
  let publisher: NodeProcess
  let victim: NodeProcess

  before(async function () { base = await mkdtemp(join(tmpdir(), 'hashmesh-crash-')) })
  after(async function () {
    await Promise.all([victim?.stop(), publisher?.stop()])
    await rm(base, { recursive: true, force: true })
  })

  it(`survives ${KILLS} kills mid-sync with a consistent store each time, and ends with the publisher's digest`, async function () {
    const common = ['--network', NETWORK, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--open-reads']
    publisher = new NodeProcess(join(base, 'publisher'), common)
    const p = await publisher.start()
    const token = (await readFile(join(base, 'publisher', 'admin.token'), 'utf8')).trim()
    for (let i = 0; i < BATCHES; i++) {
      const entries = Array.from({ length: PER_BATCH }, () => ({ type: 'sha256', value: randomBytes(32).toString('hex') }))
      assert.equal((await postJson(`${p.http}/v1/batches`, { entries }, token)).status, 201)
    }
    const target = await status(p)

    const victimArgs = [...common, '--trust', p.publisherKey, '--bootstrap', p.multiaddrs[0]!]
    victim = new NodeProcess(join(base, 'victim'), victimArgs, { HASHMESH_SYNC_INTERVAL_MS: '1000' })
    let seq = 0
    const progress: number[] = []
    for (let kill = 0; kill < KILLS; kill++) {
      const v = await victim.start()
      assert.doesNotMatch(victim.log(), /store: (head disagreed|damaged chain)/, `kill ${kill}: the start-up check had to repair the store`)
      const before = assertConsistent(await status(v), p.publisherKey)
      assert.ok(before >= seq, `kill ${kill}: the store lost batches (${before} < ${seq})`)
      const goal = Math.min(before + BATCHES_PER_LIFE[kill]!, BATCHES)
      seq = await waitFor(`life ${kill} storing batch ${goal}`, async () => {
        const now = assertConsistent(await status(v), p.publisherKey)
        return now >= goal ? now : undefined
      }, 30_000, 20)
      await victim.kill()
      progress.push(seq)
    }
    this.test!.title += ` (seed ${SEED}; seq after each life: ${progress.join(' ')})`
    assert.ok(progress.filter(s => s < BATCHES).length >= KILLS / 2, 'most kills landed before the sync finished')

    const v = await victim.start()
    const done = await waitFor('the full history on the victim', async () => {
      const s = await status(v)
      return s.stateDigest === target.stateDigest ? s : undefined
    }, 60_000, 250)
    assertConsistent(done, p.publisherKey)
  })
})
