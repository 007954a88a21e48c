import assert from 'node:assert/strict'
import { AuditService } from '../../../src/audit/auditService.js'
import type { AuditNodeApi } from '../../../src/node/auditApi.js'
import { toHex } from '../../../src/signals/hex.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { TempStore } from '../store/storeFixtures.js'
import { Publisher, T0, hashEntry, randomMd5, standingOf } from './auditFixtures.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'

describe('AuditService', () => {
  const temp = new TempStore()
  let store: HashStore
  let service: AuditService
  let log: AuditLog
  const hash = randomMd5()

  beforeEach(async () => {
    store = await temp.setup()
    log = new AuditLog(store, { now: () => T0 })
    await new Publisher().publish(store, [hashEntry(hash)], T0, { receivedAtMs: T0, source: LOCAL_SOURCE })
    service = new AuditService({
      store,
      auditLog: log,
      standing: standingOf({}),
      verdict: async () => ({ match: false, reasons: ['nobody visible lists it'], listed: true }),
      forumRoots: () => [],
      now: () => T0
    })
  })
  afterEach(async () => { await temp.teardown() })

  it('is the node\'s AuditNodeApi', async () => {
    const api: AuditNodeApi = service
    assert.equal((await api.provenance('md5', toHex(hash))).events.length, 1)
    assert.equal((await api.transparency({ period: 'day' })).entries, 1)
  })

  it('checks an export query before any row is read', async () => {
    assert.throws(() => service.exportEntries({ since: 'soon' }), { name: 'AuditQueryError', code: 'BAD_DATE' })
    const rows = []
    for await (const r of service.exportEntries({ since: '2024-01-01' })) rows.push(r)
    assert.equal(rows.length, 1)
  })

  it('pages the audit log, saying where the next page starts', async () => {
    for (let i = 0; i < 5; i++) await log.append({ actor: 'alice', action: 'publish', details: { i } })
    const first = await service.auditLog({ limit: 2 })
    assert.deepEqual([first.records.map(r => r.seq), first.next, first.head.seq], [[1, 2], 2, 5])
    const last = await service.auditLog({ afterSeq: 3, limit: 2 })
    assert.deepEqual([last.records.map(r => r.seq), last.next], [[4, 5], undefined])
    await assert.rejects(service.auditLog({ limit: 5000 }), { code: 'BAD_LIMIT' })
  })

  it('runs one verify at a time for the same question', async () => {
    const [one, two] = await Promise.all([service.auditVerify(), service.auditVerify()])
    assert.equal(one, two)
    assert.equal(one.ok, true)
    assert.notEqual(await service.auditVerify(), one)
    await assert.rejects(service.auditVerify({ expectHead: 'xyz' }), { code: 'BAD_AUDIT_HEAD' })
    assert.equal((await service.auditVerify({ expectHead: '00'.repeat(32) })).expectedHead?.seq, 0)
  })
})
