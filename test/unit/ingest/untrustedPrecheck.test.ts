import assert from 'node:assert/strict'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf, sign } from '../../../src/crypto/ed25519.js'
import type { ValidatorContext } from '../../../src/ingest/batchValidator.js'
import { StaticTrustList, type TrustPolicy } from '../../../src/ingest/trustPolicy.js'
import { peekBatchHeader } from '../../../src/wire/batchHeader.js'
import { WireError } from '../../../src/wire/errors.js'
import { BatchBodyType, SignedBatchType } from '../../../src/wire/schema.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { outcome } from './validationOutcome.js'

const NOW = 1_700_000_000_000
const RUNS = 200

const trustedKey = generateSecretKey()
const untrustedKey = generateSecretKey()

function context (extra: Partial<ValidatorContext> = {}): ValidatorContext {
  return {
    network: TEST_NETWORK,
    trust: new StaticTrustList([Buffer.from(publicKeyOf(trustedKey)).toString('hex')], publicKeyOf(generateSecretKey())),
    store: { hasBatch: async () => false },
    maxClockSkewMs: 60_000,
    now: () => NOW,
    ...extra
  }
}

/** The same policy, but claiming everyone is trusted, so the pre-check always defers: the full path alone. */
function fullPathOnly (ctx: ValidatorContext): ValidatorContext {
  return { ...ctx, trust: { isTrusted: () => true, check: body => ctx.trust.check(body) } }
}

/** A validly signed batch whose entries break the wire rules: only a full decode sees it. */
function signedWithBadEntry (secretKey: Uint8Array): Uint8Array {
  const body = BatchBodyType.encode(BatchBodyType.fromObject({
    publisher: publicKeyOf(secretKey), seq: 1, createdAtMs: NOW, network: TEST_NETWORK,
    entries: [{ signalType: 'sha256', value: new Uint8Array(31), labels: ['x'], action: 0 }]
  })).finish()
  return SignedBatchType.encode({ body, signature: sign(body, secretKey) }).finish()
}

const batchArb = fc.record({
  trusted: fc.boolean(),
  entries: fc.integer({ min: 1, max: 5 }),
  seq: fc.integer({ min: 1, max: 1000 }),
  network: fc.constantFrom(TEST_NETWORK, 'elsewhere'),
  ageMs: fc.integer({ min: -120_000, max: 120_000 }),
  forged: fc.boolean()
}).map(o => {
  const batch = makeSignedBatch({
    secretKey: o.trusted ? trustedKey : untrustedKey,
    seq: o.seq,
    ...(o.seq === 1 ? {} : { prev: new Uint8Array(32).fill(o.seq % 256) }),
    entries: randomEntries(o.entries),
    network: o.network,
    createdAtMs: NOW - o.ageMs
  })
  return o.forged ? SignedBatchType.encode({ body: batch.bodyBytes, signature: new Uint8Array(64) }).finish() : batch.signedBytes
})

function readablePublisher (bytes: Uint8Array): Uint8Array | undefined {
  try {
    return peekBatchHeader(bytes).publisher
  } catch (err) {
    if (err instanceof WireError) return undefined
    throw err
  }
}

describe('validateBatch: the untrusted pre-check', function () {
  this.timeout(60_000)

  it('never changes the outcome of a well-formed batch, trusted or not, forged or not', async function () {
    await fc.assert(fc.asyncProperty(batchArb, async bytes => {
      const ctx = context()
      assert.equal(await outcome(bytes, ctx), await outcome(bytes, fullPathOnly(ctx)))
    }), { numRuns: RUNS })
  })

  it('on mutated bytes changes nothing, except that an untrusted batch is refused without its entries being read', async function () {
    await fc.assert(fc.asyncProperty(batchArb, fc.nat(), fc.nat({ max: 40 }), fc.uint8Array({ maxLength: 40 }), async (bytes, at, remove, insert) => {
      const start = at % bytes.length
      const mutated = Buffer.concat([bytes.subarray(0, start), insert, bytes.subarray(Math.min(bytes.length, start + remove))])
      const ctx = context()
      const [withCheck, fullPath] = [await outcome(mutated, ctx), await outcome(mutated, fullPathOnly(ctx))]
      const publisher = readablePublisher(mutated)
      if (withCheck === fullPath) return
      assert.ok(publisher !== undefined && !ctx.trust.isTrusted(publisher), `${withCheck} vs ${fullPath} for a readable, trusted or unreadable header`)
      assert.equal(withCheck, 'ignore:UNTRUSTED_PUBLISHER')
      assert.match(fullPath, /^(reject:|ignore:UNKNOWN_SIGNAL_TYPE$)/, 'the full path differs only by a fault in the entries')
    }), { numRuns: RUNS * 2 })
  })

  it('still rejects bytes that are not a batch', async function () {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async bytes => {
      fc.pre(readablePublisher(bytes) === undefined)
      assert.match(await outcome(bytes, context()), /^(reject:|ignore:UNKNOWN_SIGNAL_TYPE$)/)
    }), { numRuns: RUNS })
  })

  it('refuses an untrusted publisher before decoding its entries; a trusted one\'s bad entry is still rejected', async function () {
    assert.equal(await outcome(signedWithBadEntry(untrustedKey), context()), 'ignore:UNTRUSTED_PUBLISHER')
    assert.equal(await outcome(signedWithBadEntry(trustedKey), context()), 'reject:BAD_VALUE_LENGTH')
  })

  it('gives the trust policy\'s own code for an untrusted publisher (a forum\'s KEY_ROTATED, say)', async function () {
    const trust: TrustPolicy = { isTrusted: () => false, check: () => ({ code: 'KEY_ROTATED', message: 'moved on' }) }
    assert.equal(await outcome(signedWithBadEntry(untrustedKey), context({ trust })), 'ignore:KEY_ROTATED')
  })

  it('accepts a publisher\'s batch once it is trusted (a credential arrived after its first batch was refused)', async function () {
    const keys = new Set<string>()
    const trust: TrustPolicy = {
      isTrusted: p => keys.has(Buffer.from(p).toString('hex')),
      check: b => keys.has(Buffer.from(b.publisher).toString('hex')) ? undefined : { code: 'UNTRUSTED_PUBLISHER', message: 'no' }
    }
    const batch = makeSignedBatch({ secretKey: untrustedKey, seq: 1, entries: randomEntries(2), createdAtMs: NOW })
    assert.equal(await outcome(batch.signedBytes, context({ trust })), 'ignore:UNTRUSTED_PUBLISHER')
    keys.add(Buffer.from(publicKeyOf(untrustedKey)).toString('hex'))
    assert.equal(await outcome(batch.signedBytes, context({ trust })), 'accept')
  })

  describe('budget', function () {
    it('charges an untrusted batch\'s bytes to its publisher, and drops it once the budget says no', async function () {
      const batch = makeSignedBatch({ secretKey: untrustedKey, seq: 1, entries: randomEntries(3), createdAtMs: NOW })
      const spent: Array<[string, number]> = []
      let allow = true
      const spendUntrusted = (publisher: Uint8Array, bytes: number): boolean => {
        spent.push([Buffer.from(publisher).toString('hex'), bytes])
        return allow
      }
      assert.equal(await outcome(batch.signedBytes, context({ spendUntrusted })), 'ignore:UNTRUSTED_PUBLISHER')
      allow = false
      assert.equal(await outcome(batch.signedBytes, context({ spendUntrusted })), 'ignore:UNTRUSTED_BUDGET')
      const charge: [string, number] = [Buffer.from(publicKeyOf(untrustedKey)).toString('hex'), batch.signedBytes.length]
      assert.deepEqual(spent, [charge, charge])
    })

    it('never charges, nor drops, a trusted publisher\'s batch', async function () {
      const batch = makeSignedBatch({ secretKey: trustedKey, seq: 1, entries: randomEntries(3), createdAtMs: NOW })
      assert.equal(await outcome(batch.signedBytes, context({ spendUntrusted: () => assert.fail('charged a trusted batch') })), 'accept')
    })
  })
})
