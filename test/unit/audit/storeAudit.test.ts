import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { auditStore } from '../../../src/audit/storeAudit.js'
import { toHex } from '../../../src/signals/hex.js'
import { AllowlistStore } from '../../../src/store/allowlist.js'
import { AuditLog, GENESIS_HASH, auditRecordKey } from '../../../src/store/auditLog.js'
import { Bucket } from '../../../src/store/buckets.js'
import { ForumRecordStore, decodeStoredForumRecord, encodeStoredForumRecord, forumRecordKey } from '../../../src/store/forumRecords.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { headKey } from '../../../src/store/keys.js'
import { TempStore, rawDbOf } from '../store/storeFixtures.js'
import { ForumRoot, Publisher, T0, hashEntry, randomMd5 } from './auditFixtures.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'

describe('auditStore (audit verify)', () => {
  const temp = new TempStore()
  let store: HashStore
  let log: AuditLog
  const root = new ForumRoot()
  let member: Publisher

  beforeEach(async () => {
    store = await temp.setup()
    member = new Publisher()
    log = new AuditLog(store, { now: () => T0 })
    await member.publish(store, [hashEntry(randomMd5())], T0, { receivedAtMs: T0, source: LOCAL_SOURCE })
    const forum = new ForumRecordStore(store)
    const audited = async (): ReturnType<AuditLog['opsFor']> => await log.opsFor({ actor: 'gossip', action: 'forum.record', details: {} })
    await forum.put(root.credential(member.publicKey), { receivedAtMs: T0, source: gossipSource('p') }, audited)
    await forum.put(root.credential(member.publicKey, { serial: 2, rotateFrom: generateSecretKey() }), { receivedAtMs: T0, source: LOCAL_SOURCE })
    const allowlist = await AllowlistStore.load(store, log, () => T0)
    await allowlist.add({ signalTypeCode: 1, value: randomMd5(), note: 'stock photo', author: 'alice' }, 'alice@ops')
  })
  afterEach(async () => { await temp.teardown() })

  it('a clean store: ok, everything counted, the audit head reported', async () => {
    const report = await auditStore(store, { forumRoots: [root.publicKey] })
    assert.deepEqual(report.problems, [])
    assert.equal(report.ok, true)
    assert.deepEqual(report.checked, {
      batches: 1, signatures: 1, entries: 1, indexRows: 1, publishers: 1, heads: 1, batchAt: 1, batchIds: 1, equivocations: 0,
      forumRecords: 2, allowlistEntries: 1, auditRecords: 2
    })
    assert.deepEqual(report.auditHead, await log.head())
    assert.equal(report.expectedHead, undefined)
  })

  it('forum records: an unknown root, a broken signature, a forged rotation, damage', async () => {
    assert.deepEqual((await auditStore(store, { forumRoots: [] })).problems.map(p => p.code), ['FORUM_UNKNOWN_ROOT', 'FORUM_UNKNOWN_ROOT'])

    const forged = root.credential(member.publicKey, { serial: 3, rotateFrom: generateSecretKey(), rotationSigner: generateSecretKey() })
    await new ForumRecordStore(store).put(forged, { receivedAtMs: T0, source: LOCAL_SOURCE })
    assert.deepEqual((await auditStore(store, { forumRoots: [root.publicKey] })).problems.map(p => p.code), ['FORUM_BAD_ROTATION'])

    const db = rawDbOf(store)
    const k = forumRecordKey(forged.id)
    const stored = decodeStoredForumRecord((await db.get(k)))
    const signed = Uint8Array.from(stored.signed)
    signed[signed.length - 1]! ^= 1
    await db.put(k, encodeStoredForumRecord({ ...stored, signed }))
    assert.deepEqual((await auditStore(store, { forumRoots: [root.publicKey] })).problems.map(p => p.code), ['FORUM_BAD_SIGNATURE', 'FORUM_BAD_ROTATION'])

    await db.put(k, Uint8Array.of(0xff))
    await db.put(forumRecordKey(new Uint8Array(32)), (await db.get(forumRecordKey(root.credential(member.publicKey).id))))
    const codes = (await auditStore(store, { forumRoots: [root.publicKey] })).problems.map(p => p.code).sort()
    assert.deepEqual(codes, ['FORUM_ID_MISMATCH', 'FORUM_RECORD_UNDECODABLE'])
  })

  it('allowlist records that the allowlist could not have written', async () => {
    const db = rawDbOf(store)
    await db.put(Uint8Array.of(Bucket.allowlist, 1, 2, 3), Uint8Array.of())
    await db.put(Uint8Array.of(Bucket.allowlist, 1, ...new Uint8Array(16)), Uint8Array.of(0xff, 0xff))
    const report = await auditStore(store, { forumRoots: [root.publicKey] })
    const expected = [['allowlist', 'ALLOWLIST_ENTRY_UNDECODABLE'], ['allowlist', 'ALLOWLIST_KEY_MALFORMED']]
    assert.deepEqual(report.problems.map(p => [p.check, p.code]).sort(), expected)
    assert.equal(report.ok, false)
  })

  it('puts store, forum and audit-log problems in one report', async () => {
    const db = rawDbOf(store)
    await db.del(headKey(member.publicKey))
    await db.del(auditRecordKey(1))
    const report = await auditStore(store, { forumRoots: [root.publicKey] })
    assert.deepEqual(report.problems.map(p => [p.check, p.code]), [['head', 'HEAD_MISSING'], ['audit', 'AUDIT_SEQ_GAP']])
  })

  it('--expect-head: an earlier head still in the log passes; one rewritten away fails', async () => {
    const earlier = await log.head()
    await log.append({ actor: 'bob', action: 'config.trust', details: { added: 1 } })
    const later = await auditStore(store, { forumRoots: [root.publicKey], expectHead: Buffer.from(earlier.hash, 'hex') })
    assert.deepEqual([later.ok, later.expectedHead], [true, { hash: earlier.hash, seq: earlier.seq }])
    const empty = await auditStore(store, { forumRoots: [root.publicKey], expectHead: GENESIS_HASH })
    assert.deepEqual(empty.expectedHead, { hash: toHex(GENESIS_HASH), seq: 0 })

    const forged = await auditStore(store, { forumRoots: [root.publicKey], expectHead: publicKeyOf(generateSecretKey()) })
    assert.equal(forged.ok, false)
    assert.deepEqual(forged.problems.map(p => p.code), ['AUDIT_HEAD_UNEXPECTED'])
    assert.equal(forged.expectedHead?.seq, null)
  })

  describe('forum roots the node recorded (offline verify without a config)', () => {
    const settings = (roots: Uint8Array[]): Record<string, unknown> => ({ trust: [], roots: roots.map(r => toHex(r)).sort(), revokedEntries: 'keep' })

    it('records signed by the recorded roots are sound with no config, and the same config adds nothing', async () => {
      await log.append({ actor: 'config', action: 'config.trust', details: settings([root.publicKey]) })
      const offline = await auditStore(store, {})
      assert.deepEqual([offline.ok, offline.problems, offline.notices], [true, [], []])
      const same = await auditStore(store, { forumRoots: [root.publicKey] })
      assert.deepEqual([same.ok, same.notices], [true, []])
    })

    it('a config whose roots differ from the last recorded ones is a notice, not a problem', async () => {
      const next = new ForumRoot()
      await log.append({ actor: 'config', action: 'config.trust', details: settings([root.publicKey]) })
      const report = await auditStore(store, { forumRoots: [next.publicKey] })
      assert.deepEqual([report.ok, report.problems], [true, []])
      const message = `forum roots changed: recorded [${toHex(root.publicKey)}], config [${toHex(next.publicKey)}]`
      assert.deepEqual(report.notices, [{ check: 'forum', code: 'FORUM_ROOTS_CHANGED', message }])
    })

    it('records of a root the node ran with earlier stay sound after the roots changed', async () => {
      const next = new ForumRoot()
      await log.append({ actor: 'config', action: 'config.trust', details: settings([root.publicKey]) })
      await log.append({ actor: 'config', action: 'config.trust', details: settings([next.publicKey]) })
      await new ForumRecordStore(store).put(next.credential(member.publicKey, { serial: 7 }), { receivedAtMs: T0, source: LOCAL_SOURCE })
      assert.deepEqual((await auditStore(store, {})).problems, [])
      assert.deepEqual((await auditStore(store, { forumRoots: [next.publicKey] })).notices, [])
    })

    it('a record signed by a key that was never a root is still a problem, with or without a config', async () => {
      await log.append({ actor: 'config', action: 'config.trust', details: settings([root.publicKey]) })
      await new ForumRecordStore(store).put(new ForumRoot().credential(member.publicKey, { serial: 9 }), { receivedAtMs: T0, source: LOCAL_SOURCE })
      for (const options of [{}, { forumRoots: [root.publicKey] }]) {
        const report = await auditStore(store, options)
        assert.deepEqual([report.ok, report.problems.map(p => p.code)], [false, ['FORUM_UNKNOWN_ROOT']])
      }
    })
  })
})
