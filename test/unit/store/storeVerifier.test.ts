import assert from 'node:assert/strict'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { Bucket } from '../../../src/store/buckets.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { batchAtKey, batchIdKey, entryKey, headKey, signedBatchKey } from '../../../src/store/keys.js'
import { Decision, decodeHead, decodeIndexRow, decodeStoredBatch, encodeHead, encodeIndexRow, encodeStoredBatch } from '../../../src/store/records.js'
import { ProblemLog, verifyStore } from '../../../src/store/storeVerifier.js'
import { decodeSignedBatch } from '../../../src/wire/batchCodec.js'
import { encodeEquivocationProof } from '../../../src/wire/equivocationCodec.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { makeChain, makeSignedBatch, randomEntries, randomValue } from '../../helpers/batches.js'
import { TempStore, type RawDb, hex, rawDbOf } from './storeFixtures.js'
import { gossipSource, peerOf } from '../../../src/wire/batchSource.js'

const RECEIPT = { receivedAtMs: 1_700_000_000_000, source: gossipSource('12D3KooWtest') }

function opinion (of: Entry, action: Action, reason?: string): Entry {
  return { signalType: of.signalType, value: of.value, labels: [], action, ...(reason === undefined ? {} : { reason }) }
}

function keyOf (batch: DecodedBatch, position: number): Uint8Array {
  const e = batch.body.entries[position]!
  return entryKey({ signalTypeCode: requireSignalType(e.signalType).code, value: e.value, publisher: batch.body.publisher, seq: batch.body.seq, position })
}

describe('verifyStore', () => {
  const temp = new TempStore()
  const alice = generateSecretKey()
  const bob = generateSecretKey()
  let store: HashStore
  let db: RawDb
  let aliceChain: DecodedBatch[]
  let bobChain: DecodedBatch[]

  beforeEach(async () => {
    store = await temp.setup()
    db = rawDbOf(store)
    const shared = randomEntries(1, 'md5')[0]!
    aliceChain = makeChain(alice, [[shared, ...randomEntries(3, 'sha256')], randomEntries(2, 'pdq'), [{ ...shared, action: Action.RETRACT }]])
    bobChain = makeChain(bob, [[{ ...shared, labels: ['a', 'b'] }, opinion(shared, Action.CONFIRM, 'seen_it')], [opinion(shared, Action.DISPUTE)]])
    for (const b of [...aliceChain, ...bobChain]) await store.applyBatch(b, RECEIPT)
  })
  afterEach(async () => { await temp.teardown() })

  async function codes (): Promise<string[]> {
    return [...new Set((await verifyStore(store)).problems.map(p => p.code))].sort()
  }

  it('a clean store verifies with zero problems and counts what it checked', async () => {
    const result = await verifyStore(store)
    assert.deepEqual(result.problems, [])
    assert.equal(result.problemsOmitted, 0)
    assert.deepEqual(result.checked, {
      batches: 5, signatures: 5, entries: 10, indexRows: 10, publishers: 2, heads: 2, batchAt: 5, batchIds: 5, equivocations: 0
    })
  })

  it('reads one snapshot: batches written while it runs do not look like damage', async () => {
    const more = makeChain(alice, Array.from({ length: 40 }, () => randomEntries(5)))
    // Alice's chain continues from seq 4; the new batches link to her current head.
    let prev = aliceChain.at(-1)!.id
    const continued = more.map((b, i) => {
      const next = makeSignedBatch({ secretKey: alice, seq: 4 + i, prev, entries: b.body.entries })
      prev = next.id
      return next
    })
    const [result] = await Promise.all([
      verifyStore(store),
      (async () => { for (const b of continued) await store.applyBatch(b, RECEIPT) })()
    ])
    assert.deepEqual(result.problems, [])
    assert.deepEqual((await verifyStore(store)).problems, [])
  })

  describe('finds each kind of damage with its own code', () => {
    it('a flipped byte in a stored batch\'s signature: BAD_SIGNATURE', async () => {
      const k = signedBatchKey(publicKeyOf(alice), 2)
      const stored = decodeStoredBatch((await db.get(k)))
      const signed = Uint8Array.from(stored.signed)
      signed[signed.length - 1]! ^= 0x01
      await db.put(k, encodeStoredBatch({ ...stored, signed }))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => [p.check, p.code, p.seq]), [['batch', 'BAD_SIGNATURE', 2]])
    })

    it('a flipped byte anywhere in a stored batch\'s signed bytes or receipt time is found, unless protobuf reads it the same', async () => {
      const k = signedBatchKey(publicKeyOf(bob), 1)
      const original = (await db.get(k))
      const signed = decodeSignedBatch(decodeStoredBatch(original).signed)
      // The source is last (tag, length, then its kind and peer fields): unsigned and derived nowhere, so not checkable.
      const checkable = original.length - 6 - (peerOf(RECEIPT.source) ?? '').length
      await fc.assert(fc.asyncProperty(fc.nat({ max: checkable - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const flipped = Uint8Array.from(original)
        flipped[at]! ^= mask
        await db.put(k, flipped)
        const { problems } = await verifyStore(store)
        await db.put(k, original)
        if (problems.length > 0) return
        // protobufjs ignores the wire type of a known field: a flipped tag bit inside the signed
        // bytes can leave the body and signature exactly as signed, which is no change to find.
        const read = decodeSignedBatch(decodeStoredBatch(flipped).signed)
        assert.ok(hex(read.bodyBytes) === hex(signed.bodyBytes) && hex(read.signature) === hex(signed.signature), `flip at ${at} went unnoticed`)
      }), { numRuns: 60 })
    })

    it('an envelope edited so that protobuf still reads it the same: BATCH_NOT_CANONICAL', async () => {
      const k = signedBatchKey(publicKeyOf(bob), 1)
      const flipped = Uint8Array.from((await db.get(k)))
      flipped[0]! ^= 0x01 // field 1's wire type 2 → 3, which protobufjs ignores for a known field
      await db.put(k, flipped)
      assert.deepEqual(await codes(), ['BATCH_NOT_CANONICAL'])
    })

    it('a deleted batch: BATCH_AT_ORPHAN (and the chain and head disagree)', async () => {
      await db.del(signedBatchKey(publicKeyOf(alice), 2))
      const found = await codes()
      assert.ok(found.includes('BATCH_AT_ORPHAN'))
      assert.ok(found.includes('CHAIN_GAP'))
      assert.ok(found.includes('HEAD_MISMATCH'))
      assert.ok(found.includes('INDEX_EXTRA_ROWS'))
    })

    it('the last batch deleted: BATCH_AT_ORPHAN and HEAD_MISMATCH', async () => {
      await db.del(signedBatchKey(publicKeyOf(bob), 2))
      assert.deepEqual(await codes(), ['BATCH_AT_ORPHAN', 'HEAD_MISMATCH', 'INDEX_EXTRA_ROWS'])
    })

    it('an edited entry-index value: INDEX_ROW_MISMATCH naming the field', async () => {
      const k = keyOf(bobChain[0]!, 0)
      const row = decodeIndexRow((await db.get(k)))
      await db.put(k, encodeIndexRow({ ...row, labels: ['a'] }))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => [p.code, p.seq, p.position]), [['INDEX_ROW_MISMATCH', 1, 0]])
      assert.match(problems[0]!.message, /labels/)
    })

    it('an index row whose received_at differs from its batch\'s: INDEX_ROW_MISMATCH', async () => {
      const k = keyOf(aliceChain[1]!, 1)
      const row = decodeIndexRow((await db.get(k)))
      await db.put(k, encodeIndexRow({ ...row, receivedAtMs: row.receivedAtMs + 1 }))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => p.code), ['INDEX_ROW_MISMATCH'])
      assert.match(problems[0]!.message, /received_at_ms/)
    })

    it('an undecodable index value: INDEX_ROW_UNDECODABLE', async () => {
      await db.put(keyOf(aliceChain[0]!, 2), Uint8Array.of(0xff, 0xff, 0xff))
      assert.deepEqual(await codes(), ['INDEX_ROW_UNDECODABLE'])
    })

    it('a deleted index row: INDEX_ROW_MISSING', async () => {
      await db.del(keyOf(aliceChain[0]!, 3))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => [p.code, p.seq, p.position]), [['INDEX_ROW_MISSING', 1, 3]])
    })

    it('an extra index row naming no stored batch: INDEX_EXTRA_ROWS and INDEX_ROW_ORPHAN', async () => {
      const sha256 = requireSignalType('sha256').code
      const forged = entryKey({ signalTypeCode: sha256, value: randomValue('sha256'), publisher: publicKeyOf(alice), seq: 9, position: 0 })
      await db.put(forged, encodeIndexRow({ action: Action.ADD, labels: ['x'], batchId: randomValue('sha256'), receivedAtMs: 1, createdAtMs: 1 }))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => p.code), ['INDEX_EXTRA_ROWS', 'INDEX_ROW_ORPHAN'])
      assert.equal(problems[1]!.seq, 9)
    })

    it('an extra index row copying a real one under another hash: INDEX_EXTRA_ROWS', async () => {
      const real = (await db.get(keyOf(aliceChain[0]!, 1)))
      const sha256 = requireSignalType('sha256').code
      const forged = entryKey({ signalTypeCode: sha256, value: randomValue('sha256'), publisher: publicKeyOf(alice), seq: 1, position: 1 })
      await db.put(forged, real)
      assert.deepEqual(await codes(), ['INDEX_EXTRA_ROWS'])
    })

    it('a malformed index key: KEY_MALFORMED, and the extra row counted', async () => {
      await db.put(Uint8Array.of(Bucket.entryIndex, 99, 1, 2), Uint8Array.of())
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => [p.check, p.code]), [['index', 'KEY_MALFORMED'], ['index', 'INDEX_EXTRA_ROWS']])
    })

    it('a HashRows record deleted, edited, or made up for a hash no row mentions: HASH_ROWS_MISSING, _MISMATCH, _ORPHAN', async () => {
      const repo = store.repositories.hashRows
      const shared = aliceChain[0]!.body.entries[0]!
      const sharedHash = { signalTypeCode: requireSignalType(shared.signalType).code, value: shared.value }
      const other = aliceChain[0]!.body.entries[1]!
      const otherHash = { signalTypeCode: requireSignalType(other.signalType).code, value: other.value }
      const record = (await repo.get(sharedHash))!
      assert.equal(record.overflow, false)
      await db.put(repo.encodeKey(sharedHash), repo.encodeValue({ overflow: false, rows: record.overflow ? [] : record.rows.slice(1) }))
      await db.del(repo.encodeKey(otherHash))
      const madeUp = { signalTypeCode: requireSignalType('sha256').code, value: randomValue('sha256') }
      await db.put(repo.encodeKey(madeUp), repo.encodeValue(record))
      const { problems } = await verifyStore(store)
      const expected = [['index', 'HASH_ROWS_MISMATCH'], ['index', 'HASH_ROWS_MISSING'], ['index', 'HASH_ROWS_ORPHAN']]
      assert.deepEqual(problems.map(p => [p.check, p.code]).sort(), expected)
    })

    it('a batch copied under another seq: BATCH_KEY_MISMATCH', async () => {
      await db.put(signedBatchKey(publicKeyOf(bob), 3), (await db.get(signedBatchKey(publicKeyOf(bob), 1))))
      const found = await codes()
      assert.ok(found.includes('BATCH_KEY_MISMATCH'))
      assert.ok(found.includes('PREV_MISMATCH'))
    })

    it('a head with the wrong counts: HEAD_MISMATCH', async () => {
      const k = headKey(publicKeyOf(alice))
      const head = decodeHead((await db.get(k)))
      await db.put(k, encodeHead({ ...head, entries: head.entries + 1 }))
      const { problems } = await verifyStore(store)
      assert.deepEqual(problems.map(p => p.code), ['HEAD_MISMATCH'])
      assert.match(problems[0]!.message, /entries/)
    })

    it('a head naming an earlier batch: HEAD_MISMATCH', async () => {
      const k = headKey(publicKeyOf(alice))
      const head = decodeHead((await db.get(k)))
      await db.put(k, encodeHead({ ...head, seq: 2, headId: aliceChain[1]!.id }))
      assert.deepEqual(await codes(), ['HEAD_MISMATCH'])
    })

    it('a deleted head: HEAD_MISSING; a head without batches: HEAD_WITHOUT_BATCHES', async () => {
      const head = (await db.get(headKey(publicKeyOf(bob))))
      await db.del(headKey(publicKeyOf(bob)))
      await db.put(headKey(publicKeyOf(generateSecretKey())), head)
      assert.deepEqual(await codes(), ['HEAD_MISSING', 'HEAD_WITHOUT_BATCHES'])
    })

    it('deleted or wrong id records: BATCH_ID_MISSING, BATCH_ID_MISMATCH, BATCH_AT_MISMATCH, BATCH_ID_ORPHAN', async () => {
      const a0 = batchIdKey(aliceChain[0]!.id)
      const location = (await db.get(a0))
      await db.del(a0)
      assert.deepEqual(await codes(), ['BATCH_ID_MISSING'])
      await db.put(a0, (await db.get(batchIdKey(aliceChain[1]!.id))))
      assert.deepEqual(await codes(), ['BATCH_ID_MISMATCH', 'BATCH_ID_ORPHAN'])
      await db.put(a0, location)
      await db.put(batchAtKey(publicKeyOf(bob), 1), aliceChain[0]!.id)
      assert.deepEqual(await codes(), ['BATCH_AT_MISMATCH', 'BATCH_ID_ORPHAN'])
    })

    it('an undecodable or bogus equivocation proof', async () => {
      const forked = makeSignedBatch({ secretKey: alice, seq: 1, entries: randomEntries(1) })
      const proof = encodeEquivocationProof(aliceChain[0]!.signedBytes, forked.signedBytes)
      await store.putEquivocation(publicKeyOf(alice), { proof, forkSeq: 1, detectedAtMs: 1, decision: Decision.UNDECIDED })
      const clean = await verifyStore(store)
      assert.deepEqual(clean.problems, [])
      assert.equal(clean.checked.equivocations, 1)

      await store.putEquivocation(publicKeyOf(bob), { proof, forkSeq: 1, detectedAtMs: 1, decision: Decision.UNDECIDED })
      assert.deepEqual(await codes(), ['EQUIVOCATION_PROOF_INVALID'])
      await store.putEquivocation(publicKeyOf(bob), { proof: Uint8Array.of(1, 2, 3), forkSeq: 1, detectedAtMs: 1, decision: Decision.UNDECIDED })
      assert.deepEqual(await codes(), ['EQUIVOCATION_UNDECODABLE'])
    })
  })

  it('sums index problems per batch and caps stored problems, counting the rest', async () => {
    const big = makeSignedBatch({ secretKey: bob, seq: 3, prev: bobChain[1]!.id, entries: randomEntries(50) })
    await store.applyBatch(big, RECEIPT)
    await db.batch(big.body.entries.map((_, i) => ({ type: 'del' as const, key: keyOf(big, i) })))
    const { problems } = await verifyStore(store)
    assert.deepEqual(problems.map(p => p.code), ['INDEX_ROW_MISSING'])
    assert.match(problems[0]!.message, /^50 of 50 index rows/)

    const log = new ProblemLog(2)
    for (let i = 0; i < 5; i++) log.add({ check: 'index', code: 'X', message: String(i) })
    assert.deepEqual([log.problems.length, log.omitted, log.total], [2, 3, 5])
  })
})
