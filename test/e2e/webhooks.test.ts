import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import { NodeProcess, runCli, runCliProcess } from '../../src/cli/nodeProcess.js'
import type { HookInfo } from '../../src/node/hooksApi.js'
import { dataDirPaths } from '../../src/node/dataDirPaths.js'
import { getJson } from '../helpers/http.js'
import { parsePromText, samplesOf } from '../helpers/promText.js'
import { waitFor } from '../helpers/waitFor.js'
import { Receiver } from '../helpers/webhookReceiver.js'

const NETWORK = 'webhooks-e2e'
const SECRET = `whsec_${randomBytes(24).toString('hex')}`
/** Sub-second backoff, so that the retries of a test happen within it. */
const HOOKS = { retryBaseMs: 100, retryCapMs: 500, concurrency: 2 }

async function token (dir: string): Promise<string> {
  return (await readFile(dataDirPaths(dir).adminToken, 'utf8')).trim()
}

/** Summed over its labels. */
async function metric (info: NodeInfo, admin: string, name: string): Promise<number> {
  const res = await fetch(`${info.http}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
  return samplesOf(parsePromText(await res.text()), name).reduce((n, s) => n + s.value, 0)
}

describe('webhooks end to end: revocation events to a real receiver, kill -9 and retries (real processes)', function () {
  this.timeout(180_000)
  let base: string
  let dir: string
  let config: string
  let rootKey: string
  let node: NodeProcess
  let info: NodeInfo
  let admin: string
  const receiver = new Receiver(SECRET)

  async function revoke (): Promise<string> {
    const member = randomBytes(32).toString('hex')
    await runCli(['forum', 'revoke', member, '--root-key', rootKey, '--config', config, '--data', dir, '--last-seq', '0',
      '--reason', 'e2e', '--out', join(base, `${member}.revocation`)])
    return member
  }

  async function hooks (): Promise<HookInfo[]> {
    return (await getJson<{ hooks: HookInfo[] }>(`${info.http}/v1/hooks`, admin)).body.hooks
  }

  before(async function () {
    base = await mkdtemp(join(tmpdir(), 'hashmesh-webhooks-e2e-'))
    rootKey = join(base, 'forum-root.key')
    const root = /[0-9a-f]{64}/.exec(await runCli(['forum', 'init', '--key', rootKey]))![0]
    dir = join(base, 'b')
    await runCli(['init', '--data', dir])
    config = join(base, 'b.json')
    await writeFile(config, JSON.stringify({ network: NETWORK, forum: { roots: [root] }, hooks: HOOKS }))
    node = new NodeProcess(dir, ['--config', config, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0'])
    info = await node.start()
    admin = await token(dir)
    await receiver.listen()
  })

  after(async function () {
    await node?.stop()
    await receiver.close()
    await rm(base, { recursive: true, force: true })
  })

  it('hooks add refuses a secret file others can read, then registers the hook; no answer or log line shows the secret', async function () {
    const secretFile = join(base, 'hook.secret')
    await writeFile(secretFile, `${SECRET}\n`, { mode: 0o644 })
    const open = await runCliProcess(['hooks', 'add', receiver.url, '--events', 'revocation', '--secret-file', secretFile, '--data', dir])
    assert.equal(open.code, 2, open.err)
    assert.match(open.err, /readable by group or others/)
    await rm(secretFile)
    await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 })
    const addArgs = ['hooks', 'add', receiver.url, '--events', 'revocation', '--secret-file', secretFile, '--data', dir, '--json']
    const added = JSON.parse(await runCli(addArgs)) as HookInfo
    assert.deepEqual([added.url, added.events, added.pending], [receiver.url, ['revocation'], 0])
    assert.match(await runCli(['hooks', 'list', '--data', dir]), new RegExp(added.id))
    const listed = JSON.stringify(await hooks())
    assert.ok(!listed.includes(SECRET) && !JSON.stringify(added).includes(SECRET))
    const bad = await runCliProcess(['hooks', 'add', 'ftp://127.0.0.1/x', '--events', 'revocation', '--secret-file', secretFile, '--data', dir])
    assert.equal(bad.code, 2, bad.err)
  })

  it('receiver down, then the node killed -9 with events pending: after a restart every one is delivered, duplicates with the same id', async function () {
    await receiver.close()
    const members = [await revoke(), await revoke(), await revoke()]
    await waitFor('three deliveries pending and tried', async () => {
      const [hook] = await hooks()
      return hook?.pending === 3 && await metric(info, admin, 'hashmesh_hook_deliveries_retried_total') >= 3
    }, 30_000)
    // Back up but answering nothing: the node is killed with deliveries the receiver has taken but not answered.
    receiver.hold = true
    await receiver.listen()
    await waitFor('a delivery in flight', async () => receiver.deliveries.length > 0, 30_000)
    await node.kill()
    await receiver.close()

    receiver.hold = false
    await receiver.listen()
    info = await node.start()
    const ids = await waitFor('every pending event delivered', async () => {
      const got = receiver.delivered()
      return got.size === 3 ? got : undefined
    }, 30_000)
    await waitFor('an empty outbox', async () => (await hooks())[0]?.pending === 0, 10_000)
    assert.deepEqual(receiver.badSignatures, [])
    const events = [...ids].map(id => JSON.parse(receiver.deliveries.find(d => d.id === id)!.body) as { id: string, type: string, data: { member: string } })
    assert.deepEqual(events.map(e => e.data.member).sort(), [...members].sort())
    assert.ok(events.every(e => e.type === 'revocation' && ids.has(e.id)))
    for (const id of ids) {
      const bodies = new Set(receiver.deliveries.filter(d => d.id === id).map(d => d.body))
      assert.equal(bodies.size, 1, `every delivery of ${id} carries the same body`)
    }
    const held = receiver.deliveries.filter(d => d.status === 0)
    assert.ok(held.length > 0 && held.every(h => ids.has(h.id)), 'what was in flight at the kill was delivered again, under the same id')
    assert.ok(!node.log().includes(SECRET), 'the secret is in no log line')
  })

  it('a receiver answering 500 is retried with backoff until it answers 200', async function () {
    receiver.failFirst = 3
    const before = receiver.deliveries.length
    const member = await revoke()
    const id = await waitFor('the event delivered after failures', async () => {
      const mine = receiver.deliveries.slice(before).find(d => d.status === 200 && d.body.includes(member))
      return mine?.id
    }, 30_000)
    const attempts = receiver.deliveries.slice(before).filter(d => d.id === id)
    assert.deepEqual(attempts.map(a => a.status), [500, 500, 500, 200])
    assert.ok(await metric(info, admin, 'hashmesh_hook_deliveries_retried_total') >= 3)
    assert.ok(await metric(info, admin, 'hashmesh_hook_deliveries_delivered_total') >= 1)
    const dead = JSON.parse(await runCli(['hooks', 'dead', '--data', dir, '--json'])) as { dead: unknown[] }
    assert.deepEqual(dead.dead, [])
  })

  it('hooks remove drops the hook', async function () {
    const [hook] = await hooks()
    await runCli(['hooks', 'remove', hook!.id, '--data', dir])
    assert.deepEqual(await hooks(), [])
  })
})
