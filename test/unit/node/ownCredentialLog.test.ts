import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import type { Logger } from '../../../src/logger.js'
import { initDataDir } from '../../../src/node/dataDir.js'
import { type HashmeshNode, createHashmeshNode } from '../../../src/node/hashmeshNode.js'
import type { NodeOptions } from '../../../src/node/options.js'
import { TEST_NETWORK } from '../../helpers/batches.js'
import { DAY, Root } from '../forum/forumFixtures.js'

/** Log lines as objects, from a real pino logger writing into memory. */
function capturingLogger (): { logger: Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done() } })
  return { logger: pino({ level: 'info' }, sink), lines }
}

function options (dataDir: string, roots: string[]): NodeOptions {
  return {
    dataDir,
    network: TEST_NETWORK,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    announce: [],
    bootstrap: [],
    trust: [],
    forum: { roots, revokedEntries: 'keep', overrides: [] },
    policy: { falsePositiveThreshold: 0, confirmationsRequired: {} },
    maxClockSkewMs: 60_000,
    syncIntervalMs: 30_000,
    uploads: { concurrency: 1, maxWaiting: 0, maxPixels: 1_000_000 }
  }
}

describe('node: its own forum credential at start (real node, real store)', function () {
  this.timeout(30_000)
  let dir: string
  let node: HashmeshNode | undefined
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'hashmesh-own-credential-')) })
  afterEach(async () => {
    await node?.stop()
    node = undefined
    await rm(dir, { recursive: true, force: true })
  })

  async function startNode (roots: string[]): Promise<Array<Record<string, unknown>>> {
    const { logger, lines } = capturingLogger()
    node = await createHashmeshNode(options(dir, roots), { logger, registry: new Registry() })
    await node.start()
    return lines
  }

  const warnings = (lines: Array<Record<string, unknown>>): string[] => lines.filter(l => l.level === 40).map(l => String(l.msg))

  it('warns at start when its key has no credential, and says nothing without a forum', async () => {
    assert.deepEqual(warnings(await startNode([])).filter(m => m.includes('credential')), [])
    await node!.stop()
    assert.ok(warnings(await startNode([new Root().hex])).some(m => m.includes('has no active forum credential')))
    assert.deepEqual((await node!.status()).forum.own, { admitted: false, status: 'none', expiresSoon: false })
  })

  it('warns at start when its credential ends within 14 days, and status flags it', async () => {
    const root = new Root()
    const { publisherKey } = await initDataDir(dir)
    await startNode([root.hex])
    const now = Date.now()
    const soon = root.credential(publisherKey.publicKey, { organisation: 'Us', validFromMs: now - DAY, validUntilMs: now + 10 * DAY, createdAtMs: now })
    assert.equal((await node!.submitForumRecord(soon.signedBytes, 'test')).code, 'ACCEPTED')
    await node!.stop()
    const lines = await startNode([root.hex])
    const warned = lines.find(l => l.level === 40 && String(l.msg).includes('expires within 14 days'))
    assert.equal(warned?.organisation, 'Us')
    const own = (await node!.status()).forum.own
    assert.deepEqual([own.admitted, own.organisation, own.expiresSoon], [true, 'Us', true])
  })
})
