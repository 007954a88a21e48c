import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { retryDelayMs } from '../../../src/webhooks/backoff.js'
import { signatureHeader } from '../../../src/webhooks/signature.js'

describe('webhooks: signature', function () {
  it('is t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>, as node:crypto computes it', function () {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 1024 }), fc.uint8Array({ maxLength: 4096 }), fc.integer({ min: 0, max: 2 ** 40 }),
      (secret, body, t) => {
        const expected = createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${t}.`), body])).digest('hex')
        assert.equal(signatureHeader(secret, t, body), `t=${t},v1=${expected}`)
      }))
  })

  it('matches a fixed vector', function () {
    const header = signatureHeader(new TextEncoder().encode('whsec_0123456789abcdef'), 1_700_000_000, new TextEncoder().encode('{"id":"evt_x"}'))
    const expected = createHmac('sha256', 'whsec_0123456789abcdef').update('1700000000.{"id":"evt_x"}').digest('hex')
    assert.equal(header, `t=1700000000,v1=${expected}`)
  })
})

describe('webhooks: backoff', function () {
  it('waits in [0, min(cap, base·2^(attempt-1))): exponential growth, full jitter, capped', function () {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, base, capExtra, r) => {
        const cap = base + capExtra
        const ceiling = Math.min(cap, base * 2 ** (attempt - 1))
        const wait = retryDelayMs(attempt, base, cap, () => r)
        assert.ok(Number.isInteger(wait) && wait >= 0 && wait < ceiling, `${wait} for attempt ${attempt}`)
      }))
  })

  it('grows until the cap with the same draw', function () {
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map(n => retryDelayMs(n, 1000, 30_000, () => 0.5))
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000])
    assert.equal(retryDelayMs(3, 1000, 30_000, () => 0), 0)
  })
})
