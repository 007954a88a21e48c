import assert from 'node:assert/strict'
import { pino } from 'pino'
import { announceTrustSettings, recordTrustSettings } from '../../../src/node/trustAudit.js'
import type { NodeOptions } from '../../../src/node/options.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { TempStore } from '../store/storeFixtures.js'

const KEY_A = 'aa'.repeat(32)
const KEY_B = 'bb'.repeat(32)

interface Settings {
  trust?: string[]
  roots?: string[]
  revokedEntries?: 'keep' | 'hide'
  confirmationsRequired?: Record<string, number>
  overrides?: Array<{ key: string, reason: string }>
}

function options (o: Settings = {}): NodeOptions {
  return {
    dataDir: '/unused',
    network: 'test',
    listen: [],
    announce: [],
    bootstrap: [],
    trust: o.trust ?? [KEY_A],
    forum: { roots: o.roots ?? [], revokedEntries: o.revokedEntries ?? 'keep', overrides: o.overrides ?? [] },
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
    assert.equal(await recordTrustSettings(log, options()), 'first')
    assert.equal(await recordTrustSettings(log, options()), 'unchanged')
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B] })), 'changed')
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], roots: [KEY_B] })), 'changed')
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], roots: [KEY_B], revokedEntries: 'hide' })), 'changed')
    const records = await log.list()
    assert.deepEqual(records.map(r => [r.actor, r.action]), Array(4).fill(['config', 'config.trust']))
    assert.deepEqual(records.at(-1)!.details, {
      trust: [KEY_A, KEY_B], roots: [KEY_B], revokedEntries: 'hide', overrides: [], falsePositiveThreshold: 0, confirmationsRequired: {}
    })
  })

  it('is a first start only on an empty log', async () => {
    await log.append({ actor: 'admin', action: 'publish', details: {} })
    assert.equal(await recordTrustSettings(log, options()), 'changed')
  })

  it('records an override, with its reason, when it is added, changed or removed', async () => {
    const override = { key: KEY_A, reason: 'our own second node while its credential is renewed' }
    await recordTrustSettings(log, options({ roots: [KEY_B] }))
    assert.equal(await recordTrustSettings(log, options({ roots: [KEY_B], overrides: [override] })), 'changed')
    assert.equal(await recordTrustSettings(log, options({ roots: [KEY_B], overrides: [override] })), 'unchanged')
    assert.equal(await recordTrustSettings(log, options({ roots: [KEY_B], overrides: [{ ...override, reason: 'renewal delayed' }] })), 'changed')
    assert.equal(await recordTrustSettings(log, options({ roots: [KEY_B] })), 'changed')
    assert.deepEqual((await log.list()).map(r => r.details.overrides), [[], [override], [{ ...override, reason: 'renewal delayed' }], []])
  })

  it('logs "first start" on a new store, "changed" later, and warns about trust keys beside roots', async () => {
    interface Line { level: number, msg: string, ignoredTrust?: string[] }
    const lines: Line[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Line) } })
    await announceTrustSettings(log, options(), logger)
    await announceTrustSettings(log, options(), logger)
    await announceTrustSettings(log, options({ roots: [KEY_B] }), logger)
    assert.deepEqual(lines.map(l => l.msg.split(/[:;]/)[0]), [
      'first start', 'trust settings changed since the last start', 'forum roots are configured, so the trust list is ignored'
    ])
    assert.deepEqual(lines[2]!.ignoredTrust, [KEY_A])
    assert.match(lines[2]!.msg, /forum\.overrides/)
  })

  it('takes the same settings in another order as unchanged', async () => {
    await recordTrustSettings(log, options({ trust: [KEY_A, KEY_B], confirmationsRequired: { x: 1, y: 2 } }))
    assert.equal(await recordTrustSettings(log, options({ trust: [KEY_B, KEY_A], confirmationsRequired: { y: 2, x: 1 } })), 'unchanged')
    assert.equal((await log.verify()).problems.length, 0)
  })
})
