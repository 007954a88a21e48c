import assert from 'node:assert/strict'
import fc from 'fast-check'
import { AllowlistStore, MAX_ALLOWLIST_ENTRIES, MAX_AUTHOR_CHARS, MAX_NOTE_CHARS } from '../../../src/store/allowlist.js'
import type { AuditAppender, AuditEntryInput } from '../../../src/store/auditEntry.js'
import { Bucket } from '../../../src/store/buckets.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { bucketRange } from '../../../src/store/keys.js'
import type { AllowlistView } from '../../../src/lookup/allowlistView.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { TempStore, interceptWrite, rawDbOf } from './storeFixtures.js'

const MD5 = requireSignalType('md5').code
const PDQ = requireSignalType('pdq').code
const md5 = (n: number): Buffer => Buffer.from(n.toString(16).padStart(32, '0'), 'hex')

/** Appends audit records to the same atomic batch, as the real appender does; can be made to fail. */
class RecordingAudit implements AuditAppender {
  readonly entries: AuditEntryInput[] = []
  fail = false
  async opsFor (entry: AuditEntryInput): Promise<Array<{ type: 'put', key: Uint8Array, value: Uint8Array }>> {
    if (this.fail) throw new Error('audit head unreadable')
    this.entries.push(entry)
    return [{ type: 'put', key: Uint8Array.of(Bucket.auditLog, this.entries.length), value: Buffer.from(JSON.stringify(entry)) }]
  }
}

async function bucketKeys (store: HashStore, bucket: Bucket): Promise<number> {
  return (await rawDbOf(store).keys(bucketRange(bucket)).all()).length
}

describe('store: allowlist', () => {
  const temp = new TempStore()
  let store: HashStore
  let audit: RecordingAudit
  let allowlist: AllowlistStore
  let clock: number

  beforeEach(async () => {
    store = await temp.setup()
    audit = new RecordingAudit()
    clock = 1_000
    allowlist = await AllowlistStore.load(store, audit, () => clock)
  })
  afterEach(async () => { await temp.teardown() })

  it('adds, answers from memory, lists, and survives a reopen', async () => {
    const added = await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'stock photo — café', author: 'alice@ops' }, 'alice@ops')
    assert.equal(added.addedAtMs, 1_000)
    await allowlist.add({ signalTypeCode: PDQ, value: new Uint8Array(32).fill(3), note: 'meme', author: 'bob' }, 'bob')
    assert.deepEqual(allowlist.get(MD5, md5(1)), { note: 'stock photo — café', author: 'alice@ops', addedAtMs: 1_000 })
    assert.equal(allowlist.get(MD5, md5(2)), undefined)
    const reopened = await AllowlistStore.load(await temp.reopen(), audit)
    assert.deepEqual(reopened.list().map(e => [e.signalTypeCode, Buffer.from(e.value).toString('hex'), e.note]), [
      [MD5, Buffer.from(md5(1)).toString('hex'), 'stock photo — café'], [PDQ, '03'.repeat(32), 'meme']
    ])
    const view: AllowlistView = reopened
    assert.equal(view.get(PDQ, new Uint8Array(32).fill(3))?.author, 'bob')
  })

  it('adding a hash again replaces its note; removing it answers whether it was there', async () => {
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'first', author: 'a' }, 'a')
    clock = 2_000
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'second', author: 'b' }, 'b')
    assert.deepEqual(allowlist.list().map(e => [e.note, e.author, e.addedAtMs]), [['second', 'b', 2_000]])
    assert.equal(await allowlist.remove(MD5, md5(1), 'c'), true)
    assert.equal(await allowlist.remove(MD5, md5(1), 'c'), false)
    assert.equal(allowlist.get(MD5, md5(1)), undefined)
    assert.equal(await bucketKeys(store, Bucket.allowlist), 0)
  })

  it('audits every edit with the actor and what changed, and nothing for a remove of an absent hash', async () => {
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'n', author: 'alice' }, 'ops-bot')
    await allowlist.remove(MD5, md5(1), 'carol@host')
    await allowlist.remove(MD5, md5(1), 'carol@host')
    const details = { type: 'md5', value: Buffer.from(md5(1)).toString('hex'), note: 'n', author: 'alice' }
    assert.deepEqual(audit.entries, [
      { actor: 'ops-bot', action: 'allowlist.add', details },
      { actor: 'carol@host', action: 'allowlist.remove', details }
    ])
    assert.equal(await bucketKeys(store, Bucket.auditLog), 2)
  })

  it('writes nothing, and changes nothing in memory, when the audit record cannot be built', async () => {
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'kept', author: 'a' }, 'a')
    audit.fail = true
    await assert.rejects(allowlist.add({ signalTypeCode: MD5, value: md5(2), note: 'n', author: 'a' }, 'a'), /audit head unreadable/)
    await assert.rejects(allowlist.remove(MD5, md5(1), 'a'), /audit head unreadable/)
    assert.equal(allowlist.get(MD5, md5(2)), undefined)
    assert.equal(allowlist.get(MD5, md5(1))?.note, 'kept')
    assert.equal(await bucketKeys(store, Bucket.allowlist), 1)
    assert.equal(await bucketKeys(store, Bucket.auditLog), 1)
    audit.fail = false
    await allowlist.add({ signalTypeCode: MD5, value: md5(2), note: 'n', author: 'a' }, 'a')
    assert.equal(allowlist.size, 2, 'usable afterwards')
  })

  it('writes the entry and its audit record in one batch; a failed batch leaves memory as it was', async () => {
    const batches: unknown[][] = []
    let failNext = false
    interceptWrite(store, 'batch', async (args, original) => {
      batches.push(args[0] as unknown[])
      if (failNext) throw new Error('disk full')
      await original(...args)
    })
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'n', author: 'a' }, 'a')
    assert.equal(batches.length, 1)
    assert.equal(batches[0]!.length, 2)
    failNext = true
    await assert.rejects(allowlist.remove(MD5, md5(1), 'a'), /disk full/)
    assert.equal(allowlist.get(MD5, md5(1))?.note, 'n')
  })

  it('refuses a bad note or author, or a value of the wrong length, before writing anything', async () => {
    const bad: Array<[Partial<{ note: string, author: string }>, string]> = [
      [{ note: '' }, 'BAD_NOTE'], [{ note: 'x'.repeat(MAX_NOTE_CHARS + 1) }, 'BAD_NOTE'],
      [{ note: 'line\nbreak' }, 'BAD_NOTE'], [{ note: 'bidi \u202e' }, 'BAD_NOTE'],
      [{ author: '' }, 'BAD_AUTHOR'], [{ author: 'a'.repeat(MAX_AUTHOR_CHARS + 1) }, 'BAD_AUTHOR'], [{ author: 'tab\there' }, 'BAD_AUTHOR']
    ]
    for (const [fields, code] of bad) {
      await assert.rejects(allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'ok', author: 'ok', ...fields }, 'a'), { name: 'AllowlistError', code })
    }
    const shortValue = allowlist.add({ signalTypeCode: MD5, value: new Uint8Array(3), note: 'ok', author: 'ok' }, 'a')
    await assert.rejects(shortValue, { name: 'SignalError', code: 'BAD_SIGNAL_VALUE' })
    const emoji = await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: '😀'.repeat(MAX_NOTE_CHARS), author: 'ok' }, 'a')
    assert.ok(emoji, 'the bound counts characters, not UTF-16 units')
    assert.equal(audit.entries.length, 1)
  })

  it('refuses ALLOWLIST_FULL past the limit, even for concurrent adds, but still replaces a listed hash', async function () {
    this.timeout(120_000)
    // Filled through the store directly: 100,000 audited adds would only test the disk.
    const ops = Array.from({ length: MAX_ALLOWLIST_ENTRIES - 1 }, (_, i) => {
      const key = new Uint8Array(18)
      key[0] = Bucket.allowlist
      key[1] = MD5
      key.set(md5(i + 10), 2)
      return { type: 'put' as const, key, value: new Uint8Array(0) }
    })
    await store.writeAtomically(async () => ops)
    await allowlist.load()
    assert.equal(allowlist.size, MAX_ALLOWLIST_ENTRIES - 1)
    const results = await Promise.allSettled([1, 2, 3].map(async n => await allowlist.add({ signalTypeCode: MD5, value: md5(n), note: 'n', author: 'a' }, 'a')))
    assert.deepEqual(results.map(r => r.status), ['fulfilled', 'rejected', 'rejected'])
    assert.equal(((results[1] as PromiseRejectedResult).reason as { code: string }).code, 'ALLOWLIST_FULL')
    assert.equal(allowlist.size, MAX_ALLOWLIST_ENTRIES)
    await allowlist.add({ signalTypeCode: MD5, value: md5(1), note: 'replaced', author: 'a' }, 'a')
    assert.equal(allowlist.get(MD5, md5(1))?.note, 'replaced')
  })

  it('a store whose allowlist record is damaged fails to load with CORRUPT_RECORD', async () => {
    await rawDbOf(store).put(Uint8Array.of(Bucket.allowlist, MD5, 1, 2), new Uint8Array(0))
    await assert.rejects(AllowlistStore.load(store, audit), { name: 'StoreError', code: 'CORRUPT_RECORD' })
  })

  it('memory and store agree after any sequence of edits (property)', async () => {
    const edit = fc.record({ add: fc.boolean(), n: fc.integer({ min: 0, max: 5 }), note: fc.constantFrom('a', 'b') })
    await fc.assert(fc.asyncProperty(fc.array(edit, { maxLength: 12 }), async edits => {
      for (const e of allowlist.list()) await allowlist.remove(e.signalTypeCode, e.value, 'x')
      const model = new Map<number, string>()
      for (const e of edits) {
        if (e.add) {
          await allowlist.add({ signalTypeCode: MD5, value: md5(e.n), note: e.note, author: 'a' }, 'x')
          model.set(e.n, e.note)
        } else {
          assert.equal(await allowlist.remove(MD5, md5(e.n), 'x'), model.delete(e.n))
        }
      }
      const reloaded = await AllowlistStore.load(store, audit)
      const expected = [...model].sort(([a], [b]) => a - b).map(([n, note]) => [Buffer.from(md5(n)).toString('hex'), note])
      assert.deepEqual(allowlist.list().map(e => [Buffer.from(e.value).toString('hex'), e.note]), expected)
      assert.deepEqual(reloaded.list().map(e => [Buffer.from(e.value).toString('hex'), e.note]), expected)
    }), { numRuns: 30 })
  })
})
