import assert from 'node:assert/strict'
import type { AuditEntryInput } from '../../../src/store/auditEntry.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { TempStore } from './storeFixtures.js'

function entry (i: number): AuditEntryInput {
  return { actor: `officer-${i}`, action: i % 2 === 0 ? 'publish' : 'appeal', details: { n: i } }
}

describe('AuditLog: several records in one atomic write (opsForAll)', () => {
  const temp = new TempStore()
  let store: HashStore
  let log: AuditLog

  beforeEach(async () => {
    store = await temp.setup()
    log = new AuditLog(store)
  })
  afterEach(async () => { await temp.teardown() })

  it('chains each record to the one before it, after and before single appends, and verify finds no problem', async () => {
    await log.append(entry(1))
    await store.writeAtomically(async () => await log.opsForAll([entry(2), entry(3), entry(4)]))
    await log.append(entry(5))
    const records = await log.list({})
    assert.deepEqual(records.map(r => [r.seq, r.actor]), [1, 2, 3, 4, 5].map(i => [i, `officer-${i}`]))
    for (let i = 1; i < records.length; i++) assert.equal(records[i]!.prev, records[i - 1]!.hash)
    const verified = await log.verify()
    assert.deepEqual(verified.problems, [])
    assert.deepEqual(verified.head, { seq: 5, hash: records[4]!.hash })
  })

  it('writes nothing for no records, and refuses a bad one before anything is built', async () => {
    assert.deepEqual(await log.opsForAll([]), [])
    await assert.rejects(log.opsForAll([entry(1), { ...entry(2), actor: '' }]), { code: 'BAD_ACTOR' })
    assert.deepEqual(await log.list({}), [])
  })
})
