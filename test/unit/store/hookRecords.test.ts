import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Bucket } from '../../../src/store/buckets.js'
import { StoreError } from '../../../src/store/errors.js'
import { DEAD_KEY, HOOK_DELIVERY, HOOK_KEY, HOOK_RECORD, OUTBOX_KEY, outboxRangeOf } from '../../../src/store/hookRecords.js'

const corrupt = (err: unknown): boolean => err instanceof StoreError && err.code === 'CORRUPT_RECORD'

const delivery = fc.record({
  event: fc.uint8Array({ minLength: 1, maxLength: 2048 }),
  type: fc.constantFrom('match', 'unlisted', 'equivocation', 'revocation', 'appeal'),
  createdAtMs: fc.nat({ max: 2 ** 50 }),
  attempts: fc.nat({ max: 1000 }),
  firstAttemptMs: fc.nat({ max: 2 ** 50 }),
  lastError: fc.string({ maxLength: 200 }),
  deadAtMs: fc.nat({ max: 2 ** 50 })
})

describe('store: hook records', function () {
  it('round-trips keys and values', function () {
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat({ max: 2 ** 52 }), delivery,
      (hookId, eventId, dueMs, d) => {
        const key = OUTBOX_KEY.encode({ hookId, dueMs, eventId })
        assert.equal(key[0], Bucket.hookOutbox)
        assert.deepEqual(OUTBOX_KEY.decode(key), { hookId: Uint8Array.from(hookId), dueMs, eventId: Uint8Array.from(eventId) })
        const range = outboxRangeOf(hookId)
        assert.ok(Buffer.compare(range.gte, key) <= 0 && Buffer.compare(key, range.lt) < 0, 'a hook\'s rows are in its range')
        assert.deepEqual(DEAD_KEY.decode(DEAD_KEY.encode({ eventId, hookId })), { eventId: Uint8Array.from(eventId), hookId: Uint8Array.from(hookId) })
        assert.deepEqual(HOOK_KEY.decode(HOOK_KEY.encode(hookId)), Uint8Array.from(hookId))
        assert.deepEqual(HOOK_DELIVERY.decode(HOOK_DELIVERY.encode(d)), { ...d, event: Uint8Array.from(d.event) })
      }))
    const record = { url: 'https://x.example/hook', events: ['match', 'appeal'], createdAtMs: 5 }
    assert.deepEqual(HOOK_RECORD.decode(HOOK_RECORD.encode(record)), record)
  })

  it('orders a hook\'s outbox rows by due time', function () {
    const hookId = new Uint8Array(8).fill(7)
    const eventId = new Uint8Array(16).fill(0xff)
    const early = OUTBOX_KEY.encode({ hookId, dueMs: 255, eventId })
    const late = OUTBOX_KEY.encode({ hookId, dueMs: 256, eventId: new Uint8Array(16) })
    assert.ok(Buffer.compare(early, late) < 0)
  })

  it('throws CORRUPT_RECORD, and nothing else, on any bytes', function () {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), bytes => {
      for (const codec of [HOOK_RECORD, HOOK_DELIVERY, OUTBOX_KEY, DEAD_KEY, HOOK_KEY]) {
        try {
          codec.decode(bytes)
        } catch (err) {
          assert.ok(corrupt(err), String(err))
        }
      }
    }))
    assert.throws(() => HOOK_RECORD.decode(HOOK_RECORD.encode({ url: 'https://x/', events: ['match', 'match'], createdAtMs: 1 })), corrupt)
    assert.throws(() => HOOK_RECORD.decode(HOOK_RECORD.encode({ url: 'https://x/', events: ['NOT A NAME'], createdAtMs: 1 })), corrupt)
  })
})
