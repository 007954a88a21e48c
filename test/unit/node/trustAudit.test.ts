import assert from 'node:assert/strict'
import { recordTrustSettings } from '../../../src/node/trustAudit.js'
import type { NodeOptions } from '../../../src/node/options.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { TempStore } from '../store/storeFixtures.js'

const KEY_A = 'aa'.repeat(32)
const KEY_B = 'bb'.repeat(32)

function options (o: { trust?: string[], roots?: string[], revokedEntries?: 'keep' | 'hide', confirmationsRequired?: Record<string, number> } = {}): NodeOptions {
  return {
    dataDir: '/unused',
    network: 'test',
    listen: [],
    announce: [],
    bootstrap: [],
    trust: o.trust ?? [KEY_A],
    forum: { roots: o.roots ?? [], revokedEntries: o.revokedEntries ?? 'keep' },
    policy: { falsePositiveThreshold: 0, confirmationsRequired: o.confirmationsRequired ?? {} },
    maxClockSkewMs: 0,
    syncIntervalMs: 30_000,
    uploads: { concurrency: 1, maxWaiting: 0, maxPixels: 1 }
  }
}

describe('node: trust settings in the audit log', () => {
  const temp = new TempStore()
  let store: HashStore
  let log: AuditLog

  beforeEach(async () => {
    store = await temp.setup()
    log = new AuditLog(store)
  })
  afterEach(async () => { await temp.teardown() })

  it('records the settings at the first start, then only when they change', async () => {
    assert.equal(await recordTrustSettings(log, options()), true)
    assert.equal(await recordTrustSettings(log, options()), false, 'unchanged')
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B] })), true)
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], roots: [KEY_B] })), true)
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], roots: [KEY_B], revokedEntries: 'hide' })), true)
    const records = await log.list()
    assert.deepEqual(records.map(r => [r.actor, r.action]), Array(4).fill(['config', 'config.trust']))
    assert.deepEqual(records.at(-1)!.details, { trust: [KEY_A, KEY_B], roots: [KEY_B], revokedEntries: 'hide', falsePositiveThreshold: 0, confirmationsRequired: {} })
  })

  it('takes the same settings in another order as unchanged', async () => {
    await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], confirmationsRequired: { x: 1, y: 2 } }))
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_B, KEY_A], confirmationsRequired: { y: 2, x: 1 } })), false)
    assert.equal((await log.verify()).problems.length, 0)
  })
})
