import assert from 'node:assert/strict'
import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { toHex } from '../../../src/signals/hex.js'
import type { AuditEntryInput } from '../../../src/store/auditEntry.js'
import { AuditLog, GENESIS_HASH, MAX_AUDIT_DETAILS_BYTES, MAX_AUDIT_PAGE, auditRecordKey } from '../../../src/store/auditLog.js'
import { MetaKey } from '../../../src/store/buckets.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { metaKey } from '../../../src/store/keys.js'
import { encode, storeRecordType } from '../../../src/store/records.js'
import { TempStore, hex, interceptWrite, rawDbOf } from './storeFixtures.js'

const T0 = Date.UTC(2024, 0, 1)
const AuditRecordType = storeRecordType('AuditRecord')

function entry (i: number): AuditEntryInput {
  return { actor: `alice@ops-${i}`, action: 'allowlist.add', details: { type: 'md5', value: i.toString(16).padStart(32, '0') } }
}

async function codes (log: AuditLog): Promise<string[]> {
  return (await log.verify()).problems.map(p => p.code)
}

describe('AuditLog', () => {
  const temp = new TempStore()
  let store: HashStore
  let log: AuditLog
  let clock: number

  beforeEach(async () => {
    store = await temp.setup()
    clock = T0
    log = new AuditLog(store, { now: () => clock++ })
  })
  afterEach(async () => { await temp.teardown() })

  async function appendN (n: number): Promise<void> {
    for (let i = 1; i <= n; i++) await log.append(entry(i))
  }

  it('starts empty: head 0 with the zero hash, nothing listed, verifies clean', async () => {
    assert.deepEqual(await log.head(), { seq: 0, hash: toHex(GENESIS_HASH) })
    assert.deepEqual(await log.list(), [])
    assert.deepEqual(await log.verify(), { records: 0, head: { seq: 0, hash: toHex(GENESIS_HASH) }, problems: [] })
  })

  it('appends records chained by hash and lists them JSON-shaped', async () => {
    await appendN(3)
    const records = await log.list()
    assert.deepEqual(records.map(r => r.seq), [1, 2, 3])
    assert.equal(records[0]!.prev, toHex(GENESIS_HASH))
    assert.equal(records[1]!.prev, records[0]!.hash)
    assert.equal(records[2]!.prev, records[1]!.hash)
    assert.deepEqual(records[0], {
      seq: 1, at: new Date(T0).toISOString(), actor: 'alice@ops-1', action: 'allowlist.add',
      details: { type: 'md5', value: '1'.padStart(32, '0') }, hash: records[0]!.hash, prev: toHex(GENESIS_HASH)
    })
    const stored = await rawDbOf(store).get(auditRecordKey(3))
    assert.equal(records[2]!.hash, toHex(sha256(stored)))
    assert.deepEqual(await log.head(), { seq: 3, hash: records[2]!.hash })
    assert.deepEqual(await log.verify(), { records: 3, head: { seq: 3, hash: records[2]!.hash }, problems: [] })
  })

  it('pages with afterSeq and limit, and refuses limits out of range', async () => {
    await appendN(5)
    assert.deepEqual((await log.list({ afterSeq: 1, limit: 2 })).map(r => r.seq), [2, 3])
    assert.deepEqual((await log.list({ afterSeq: 4 })).map(r => r.seq), [5])
    assert.deepEqual(await log.list({ afterSeq: 5 }), [])
    for (const bad of [{ limit: 0 }, { limit: MAX_AUDIT_PAGE + 1 }, { limit: 1.5 }, { afterSeq: -1 }]) {
      await assert.rejects(log.list(bad), { name: 'AuditError', code: 'BAD_LIMIT' })
    }
  })

  it('lists a whole page of large records: more bytes than LevelDB reads in one native call', async () => {
    const note = 'n'.repeat(2000)
    for (let i = 1; i <= 40; i++) await log.append({ ...entry(i), details: { ...entry(i).details, note } })
    const page = await log.list({ limit: 40 })
    assert.deepEqual(page.map(r => r.seq), Array.from({ length: 40 }, (_, i) => i + 1))
  })

  it('refuses a bad actor, action or oversized details with typed errors, writing nothing', async () => {
    await assert.rejects(log.append({ ...entry(1), actor: '' }), { code: 'BAD_ACTOR' })
    await assert.rejects(log.append({ ...entry(1), actor: 'x'.repeat(129) }), { code: 'BAD_ACTOR' })
    await assert.rejects(log.append({ ...entry(1), actor: 'a\nb' }), { code: 'BAD_ACTOR' })
    await assert.rejects(log.append({ ...entry(1), action: '' as 'publish' }), { code: 'BAD_ACTION' })
    await assert.rejects(log.append({ ...entry(1), details: { big: 'x'.repeat(MAX_AUDIT_DETAILS_BYTES) } }), { code: 'DETAILS_TOO_LARGE' })
    await assert.rejects(log.append({ ...entry(1), details: { n: 1n } }), { code: 'BAD_DETAILS' })
    assert.equal((await log.head()).seq, 0)
    await log.append({ ...entry(1), actor: 'x'.repeat(128) })
    assert.equal((await log.head()).seq, 1)
  })

  it('serialises concurrent appends: seqs 1..n, one chain', async () => {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => { await log.append(entry(i)) }))
    assert.deepEqual((await log.list()).map(r => r.seq), Array.from({ length: 20 }, (_, i) => i + 1))
    assert.deepEqual(await codes(log), [])
  })

  it('lands in the same atomic batch as the act it records, or not at all', async () => {
    const actKey = Uint8Array.of(0xfe, 1)
    await store.writeAtomically(async () => [{ type: 'put', key: actKey, value: Uint8Array.of(1) }, ...await log.opsFor(entry(1))])
    assert.equal((await log.head()).seq, 1)

    interceptWrite(store, 'batch', async () => { throw new Error('injected: disk full') })
    await assert.rejects(store.writeAtomically(async () => [{ type: 'del', key: actKey }, ...await log.opsFor(entry(2))]), /disk full/)
    store = await temp.reopen()
    log = new AuditLog(store)
    assert.equal(hex(await rawDbOf(store).get(actKey)), '01')
    assert.equal((await log.head()).seq, 1)
    assert.deepEqual(await codes(log), [])
  })

  describe('verify finds every tampering', () => {
    beforeEach(async () => { await appendN(4) })
    const db = (): ReturnType<typeof rawDbOf> => rawDbOf(store)

    async function reencoded (seq: number, change: Record<string, unknown>): Promise<Uint8Array> {
      const raw = AuditRecordType.decode((await db().get(auditRecordKey(seq)))) as unknown as Record<string, unknown>
      return encode(AuditRecordType, { ...raw, ...change })
    }

    it('an edited record in the middle breaks the next link', async () => {
      await db().put(auditRecordKey(2), await reencoded(2, { actor: 'mallory' }))
      assert.deepEqual(await codes(log), ['AUDIT_LINK_BROKEN'])
      assert.equal((await log.verify()).problems[0]!.seq, 3)
    })

    it('an edited last record no longer matches the head', async () => {
      await db().put(auditRecordKey(4), await reencoded(4, { details: '{"value":"other"}' }))
      assert.deepEqual(await codes(log), ['AUDIT_HEAD_MISMATCH'])
    })

    it('a flipped byte is found whatever it hits', async () => {
      const stored = (await db().get(auditRecordKey(2)))
      await fc.assert(fc.asyncProperty(fc.nat({ max: stored.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const flipped = Uint8Array.from(stored)
        flipped[at]! ^= mask
        await db().put(auditRecordKey(2), flipped)
        assert.ok((await codes(log)).length > 0)
      }), { numRuns: 60 })
    })

    it('a record deleted from the middle leaves a gap', async () => {
      await db().del(auditRecordKey(2))
      assert.deepEqual(await codes(log), ['AUDIT_SEQ_GAP'])
    })

    it('the first record deleted leaves a gap at 1', async () => {
      await db().del(auditRecordKey(1))
      const { problems } = await log.verify()
      assert.deepEqual(problems.map(p => [p.code, p.seq]), [['AUDIT_SEQ_GAP', 1]])
    })

    it('the last record deleted no longer matches the head', async () => {
      await db().del(auditRecordKey(4))
      assert.deepEqual(await codes(log), ['AUDIT_HEAD_MISMATCH'])
    })

    it('two records swapped are out of place and out of chain', async () => {
      const [two, three] = [await db().get(auditRecordKey(2)), await db().get(auditRecordKey(3))]
      await db().batch([{ type: 'put', key: auditRecordKey(2), value: three }, { type: 'put', key: auditRecordKey(3), value: two }])
      const found = await codes(log)
      assert.ok(found.includes('AUDIT_SEQ_MISMATCH'))
      assert.ok(found.includes('AUDIT_LINK_BROKEN'))
    })

    it('a record appended without the head is past the head', async () => {
      const last = (await log.list({ afterSeq: 3 }))[0]!
      const appended = encode(AuditRecordType, { seq: 5, prev: Buffer.from(last.hash, 'hex'), atMs: T0, actor: 'mallory', action: 'publish', details: '{}' })
      await db().put(auditRecordKey(5), appended)
      assert.deepEqual(await codes(log), ['AUDIT_HEAD_MISMATCH'])
      // And an append now refuses to write over it.
      await assert.rejects(log.append(entry(9)), { code: 'LOG_DAMAGED' })
    })

    it('a deleted head is reported, and appends refuse to restart the log over it', async () => {
      await db().del(metaKey(MetaKey.auditHead))
      assert.deepEqual(await codes(log), ['AUDIT_HEAD_MISSING'])
      await assert.rejects(log.append(entry(9)), { code: 'LOG_DAMAGED' })
      assert.equal((await log.list())[0]!.actor, 'alice@ops-1')
    })

    it('a whole chain rewritten consistently verifies: only a head kept elsewhere tells', async () => {
      const before = await log.head()
      await db().clear()
      const forger = new AuditLog(store, { now: () => T0 })
      for (let i = 1; i <= 4; i++) await forger.append({ ...entry(i), actor: 'mallory' })
      const { head, problems } = await log.verify()
      assert.deepEqual(problems, [])
      assert.notEqual(head.hash, before.hash)
    })
  })
})
