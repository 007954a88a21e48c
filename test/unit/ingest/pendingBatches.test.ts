import assert from 'node:assert/strict'
import { generateSecretKey } from '../../../src/crypto/ed25519.js'
import { MAX_PENDING_BATCHES, MAX_PENDING_BYTES, PendingBatches } from '../../../src/ingest/pendingBatches.js'
import { makeSignedBatch, randomEntries } from '../../helpers/batches.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

const receipt = { receivedAtMs: 0, source: gossipSource('test') }

describe('PendingBatches', function () {
  const key = generateSecretKey()
  const batchAt = (seq: number, entries = 1) => makeSignedBatch({ secretKey: key, seq, prev: new Uint8Array(32), entries: randomEntries(entries) })

  it('holds one batch per publisher and seq, and hands it back once', function () {
    const pending = new PendingBatches()
    const b = batchAt(5)
    assert.equal(pending.add(b, receipt), true)
    assert.equal(pending.add(batchAt(5), receipt), false)
    assert.equal(pending.countFor(toHex(b.body.publisher)), 1)
    assert.equal(pending.take(b.body.publisher, 5)?.batch, b)
    assert.equal(pending.take(b.body.publisher, 5), undefined)
    assert.deepEqual(pending.publishers(), [])
  })

  it('evicts the oldest arrivals past the count bound', function () {
    const pending = new PendingBatches()
    for (let seq = 2; seq < MAX_PENDING_BATCHES + 12; seq++) pending.add(batchAt(seq), receipt)
    assert.equal(pending.size, MAX_PENDING_BATCHES)
    assert.equal(pending.evictedTotal, 10)
    const publisher = batchAt(2).body.publisher
    assert.equal(pending.take(publisher, 2), undefined, 'the oldest went first')
    assert.ok(pending.take(publisher, 12) !== undefined)
  })

  it('evicts by bytes too, so large batches cannot pin memory', function () {
    const pending = new PendingBatches()
    const big = batchAt(2, 10_000)
    const fit = Math.floor(MAX_PENDING_BYTES / big.signedBytes.length)
    for (let seq = 2; seq < fit + 5; seq++) pending.add({ ...big, body: { ...big.body, seq } }, receipt)
    assert.ok(pending.heldBytes <= MAX_PENDING_BYTES)
    assert.equal(pending.size, fit)
  })

  it('drops what can no longer link once the head passes it', function () {
    const pending = new PendingBatches()
    for (const seq of [3, 4, 9]) pending.add(batchAt(seq), receipt)
    pending.dropUpTo(batchAt(3).body.publisher, 4)
    assert.equal(pending.size, 1)
    assert.equal(pending.heldBytes > 0, true)
  })
})
