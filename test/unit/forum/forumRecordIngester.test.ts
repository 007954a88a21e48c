import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Registry } from 'prom-client'
import { sign } from '../../../src/crypto/ed25519.js'
import { ForumError } from '../../../src/forum/forumError.js'
import { ForumRecordIngester, type ForumRecordIngesterOptions } from '../../../src/forum/forumRecordIngester.js'
import { MAX_FORUM_RECORDS } from '../../../src/forum/limits.js'
import { Membership } from '../../../src/forum/membership.js'
import { createForumMetrics } from '../../../src/forum/metrics.js'
import { silentLogger } from '../../../src/logger.js'
import { Bucket } from '../../../src/store/buckets.js'
import { ForumRecordStore, encodeStoredForumRecord, forumRecordKey } from '../../../src/store/forumRecords.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { WireError } from '../../../src/wire/errors.js'
import { decodeSignedForumRecord, encodeForumRecordBody, encodeSignedForumRecord } from '../../../src/wire/forumCodec.js'
import { MAX_FORUM_RECORD_BYTES } from '../../../src/wire/limits.js'
import type { DecodedForumRecord } from '../../../src/wire/types.js'
import { TEST_NETWORK } from '../../helpers/batches.js'
import { TempStore, hex, interceptWrite, rawDbOf } from '../store/storeFixtures.js'
import { counter } from '../network/syncFixtures.js'
import { DAY, newMember, Root, rotation, T0 } from './forumFixtures.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'

const NOW = T0 + 10 * DAY
const SKEW = 60_000
const AUDIT_KEY = Uint8Array.of(Bucket.auditLog, 0, 0, 0, 0, 0, 0, 0, 1)

/** A root's credential with a random signature: what a forger without the root key can make. */
function unsigned (root: Root): DecodedForumRecord {
  const body = encodeForumRecordBody({
    signer: root.publicKey,
    network: TEST_NETWORK,
    createdAtMs: T0,
    credential: { member: newMember().publicKey, organisation: 'Forged', roles: ['publish'], validFromMs: T0, validUntilMs: T0 + DAY, serial: 1 }
  })
  return decodeSignedForumRecord(encodeSignedForumRecord(body, randomBytes(64)))
}

describe('forum: ForumRecordIngester with a real LevelDB store', function () {
  const temp = new TempStore()
  const root = new Root()
  const stranger = new Root()
  let store: HashStore
  let membership: Membership
  let registry: Registry
  let ingester: ForumRecordIngester

  function build (roots = [root], options: Partial<ForumRecordIngesterOptions> = {}): ForumRecordIngester {
    membership = new Membership({ roots: roots.map(r => r.hex), trusted: [], revokedEntries: 'keep' })
    registry = new Registry()
    return new ForumRecordIngester(
      { store, membership, logger: silentLogger(), metrics: createForumMetrics(registry) },
      { network: TEST_NETWORK, maxClockSkewMs: SKEW, now: () => NOW, ...options }
    )
  }

  beforeEach(async () => {
    store = await temp.setup()
    ingester = build()
  })
  afterEach(async () => { await temp.teardown() })

  async function outcome (bytes: Uint8Array): Promise<string> {
    const o = await ingester.ingest(bytes, gossipSource('peer'))
    return `${o.action}:${o.code}`
  }

  it('accepts a root\'s credential: stored, in the membership, counted', async function () {
    const member = newMember()
    const record = root.credential(member.publicKey)
    const o = await ingester.ingest(record.signedBytes, gossipSource('peer'))
    assert.deepEqual([o.action, o.code, hex(o.record?.id)], ['accept', 'ACCEPTED', hex(record.id)])
    assert.equal(membership.isTrusted(member.publicKey), true)
    const [stored] = await new ForumRecordStore(store).all()
    assert.deepEqual([hex(stored?.signed), stored?.source, stored?.receivedAtMs], [hex(record.signedBytes), gossipSource('peer'), NOW])
    assert.equal(await counter(registry, 'hashmesh_forum_records_total', { action: 'accept', code: 'ACCEPTED' }), 1)
    assert.deepEqual(ingester.outcomeCounts().accept, { ACCEPTED: 1 })
  })

  it('rejects bytes that are not a forum record, and oversized ones, before anything else', async function () {
    assert.equal(await outcome(Uint8Array.of(0xff, 0xff, 0xff)), 'reject:MALFORMED')
    assert.equal(await outcome(new Uint8Array(MAX_FORUM_RECORD_BYTES + 1)), 'reject:OVERSIZED')
  })

  it('rejects a record for another network', async function () {
    assert.equal(await outcome(root.credential(newMember().publicKey, { network: 'elsewhere' }).signedBytes), 'reject:WRONG_NETWORK')
  })

  it('ignores a record whose signer is not a configured root, without verifying it', async function () {
    assert.equal(await outcome(stranger.credential(newMember().publicKey).signedBytes), 'ignore:UNKNOWN_ROOT')
  })

  it('ignores a record dated beyond the clock skew, accepts one just inside it', async function () {
    assert.equal(await outcome(root.credential(newMember().publicKey, { createdAtMs: NOW + SKEW + 1 }).signedBytes), 'ignore:FUTURE_TIMESTAMP')
    assert.equal(await outcome(root.credential(newMember().publicKey, { createdAtMs: NOW + SKEW }).signedBytes), 'accept:ACCEPTED')
  })

  it('ignores a record it holds already, even with another signature, and one arriving twice at once', async function () {
    const record = root.credential(newMember().publicKey)
    const [a, b] = await Promise.all([ingester.ingest(record.signedBytes, gossipSource('a')), ingester.ingest(record.signedBytes, gossipSource('b'))])
    assert.deepEqual([a.code, b.code].sort(), ['ACCEPTED', 'DUPLICATE'])
    const resigned = encodeSignedForumRecord(record.bodyBytes, randomBytes(64))
    const again = await ingester.ingest(resigned, gossipSource('c'))
    assert.deepEqual([again.action, again.code, hex(again.record?.id)], ['ignore', 'DUPLICATE', hex(record.id)])
    assert.equal(await new ForumRecordStore(store).count(), 1)
  })

  it('ignores a new record once MAX_FORUM_RECORDS are held', async function () {
    for (let i = 0; i < MAX_FORUM_RECORDS; i++) membership.add(unsigned(root))
    assert.equal(await outcome(root.credential(newMember().publicKey).signedBytes), 'ignore:FORUM_FULL')
  })

  it('rejects a record the root did not sign', async function () {
    assert.equal(await outcome(unsigned(root).signedBytes), 'reject:BAD_SIGNATURE')
    assert.equal(membership.size, 0)
  })

  it('rejects a credential whose key rotation is not signed by the old key, or is for another network', async function () {
    const old = newMember()
    const next = newMember()
    const forged = rotation(old.secretKey, next.publicKey, { signer: next.secretKey })
    assert.equal(await outcome(root.credential(next.publicKey, { rotation: forged }).signedBytes), 'reject:BAD_ROTATION')
    const elsewhere = rotation(old.secretKey, next.publicKey, { network: 'elsewhere' })
    assert.equal(await outcome(root.credential(next.publicKey, { rotation: elsewhere }).signedBytes), 'reject:BAD_ROTATION')
    const good = rotation(old.secretKey, next.publicKey, { lastSeq: 2 })
    assert.equal(await outcome(root.credential(next.publicKey, { rotation: good }).signedBytes), 'accept:ACCEPTED')
    assert.equal(membership.rotatedTo(old.publicKey), next.hex)
  })

  it('writes extra ops with the record, and none for a refused or duplicate record', async function () {
    const db = rawDbOf(store)
    let calls = 0
    const extra = async (): Promise<Array<{ type: 'put', key: Uint8Array, value: Uint8Array }>> => {
      calls++
      return [{ type: 'put', key: AUDIT_KEY, value: Uint8Array.of(calls) }]
    }
    const record = root.credential(newMember().publicKey)
    await ingester.ingest(unsigned(root).signedBytes, LOCAL_SOURCE, extra)
    assert.equal(calls, 0)
    await ingester.ingest(record.signedBytes, LOCAL_SOURCE, extra)
    await ingester.ingest(record.signedBytes, LOCAL_SOURCE, extra)
    assert.equal(calls, 1)
    assert.equal(hex(await db.get(AUDIT_KEY)), '01')
  })

  it('ignores a record it cannot store (INTERNAL), keeps nothing of it, and takes it later', async function () {
    const record = root.credential(newMember().publicKey)
    interceptWrite(store, 'batch', async () => { throw new Error('injected: disk full') })
    assert.equal(await outcome(record.signedBytes), 'ignore:INTERNAL')
    assert.equal(membership.size, 0)
    store = await temp.reopen()
    ingester = build()
    assert.equal(await outcome(record.signedBytes), 'accept:ACCEPTED')
  })

  describe('submit (an administrator\'s record)', function () {
    it('returns ACCEPTED, then DUPLICATE for the same record', async function () {
      const record = root.revocation(newMember().publicKey)
      assert.equal((await ingester.submit(record.signedBytes, LOCAL_SOURCE)).code, 'ACCEPTED')
      const again = await ingester.submit(record.signedBytes, LOCAL_SOURCE)
      assert.deepEqual([again.code, hex(again.record.id)], ['DUPLICATE', hex(record.id)])
    })

    it('throws the refusal: a ForumError with its code and action, or the WireError for bad bytes', async function () {
      await assert.rejects(ingester.submit(stranger.credential(newMember().publicKey).signedBytes, LOCAL_SOURCE),
        (err: unknown) => err instanceof ForumError && err.code === 'UNKNOWN_ROOT' && err.action === 'ignore')
      await assert.rejects(ingester.submit(unsigned(root).signedBytes, LOCAL_SOURCE),
        (err: unknown) => err instanceof ForumError && err.code === 'BAD_SIGNATURE' && err.action === 'reject')
      await assert.rejects(ingester.submit(Uint8Array.of(1, 2, 3), LOCAL_SOURCE), (err: unknown) => err instanceof WireError)
      assert.equal(await counter(registry, 'hashmesh_forum_records_total', { action: 'ignore', code: 'UNKNOWN_ROOT' }), 1)
    })
  })

  describe('load', function () {
    it('rebuilds the membership from the store after a restart', async function () {
      const member = newMember()
      const records = [root.credential(member.publicKey, { serial: 5 }), root.revocation(member.publicKey, { serial: 5, effectiveAtMs: T0 + DAY })]
      for (const r of records) await ingester.ingest(r.signedBytes, gossipSource('peer'))
      const digest = hex(membership.digest())
      store = await temp.reopen()
      ingester = build()
      assert.deepEqual(await ingester.load(), { loaded: 2, skipped: 0 })
      assert.equal(hex(membership.digest()), digest)
      assert.equal(membership.standing(member.publicKey, 1, T0 + DAY, 'hash').status, 'after-cut')
      assert.equal(await outcome(records[0]!.signedBytes), 'ignore:DUPLICATE')
    })

    it('skips (never deletes) records of a root no longer configured, and records whose signature no longer verifies', async function () {
      const newRoot = new Root()
      ingester = build([root, newRoot])
      await ingester.ingest(root.credential(newMember().publicKey).signedBytes, gossipSource('peer'))
      await ingester.ingest(newRoot.credential(newMember().publicKey).signedBytes, gossipSource('peer'))
      const forged = unsigned(newRoot)
      await rawDbOf(store).put(forumRecordKey(forged.id), encodeStoredForumRecord({ signed: forged.signedBytes, receivedAtMs: 1, source: gossipSource('x') }))
      store = await temp.reopen()
      ingester = build([newRoot])
      assert.deepEqual(await ingester.load(), { loaded: 1, skipped: 2 })
      assert.equal(membership.size, 1)
      assert.equal(await new ForumRecordStore(store).count(), 3)
    })
  })

  it('a record signed by the root key over exactly its body bytes is what counts', async function () {
    // Sanity for the fixture: the same body signed here is the same record.
    const record = root.credential(newMember().publicKey)
    const bytes = encodeSignedForumRecord(record.bodyBytes, sign(record.bodyBytes, root.secretKey))
    assert.equal(await outcome(bytes), 'accept:ACCEPTED')
  })
})
