import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { validateBatch, type ValidatorContext } from '../../../src/ingest/batchValidator.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { BatchBodyType, SignedBatchType } from '../../../src/wire/schema.js'
import { makeSignedBatch, randomEntries, TEST_NETWORK } from '../../helpers/batches.js'
import { outcome } from './validationOutcome.js'

const NOW = 1_700_000_000_000
const SKEW = 60_000

function context (o: { trusted?: Uint8Array[], stored?: Uint8Array[] } = {}): ValidatorContext {
  const self = publicKeyOf(generateSecretKey())
  const stored = new Set((o.stored ?? []).map(id => Buffer.from(id).toString('hex')))
  return {
    network: TEST_NETWORK,
    trust: new StaticTrustList((o.trusted ?? []).map(k => Buffer.from(k).toString('hex')), self),
    store: { hasBatch: async id => stored.has(Buffer.from(id).toString('hex')) },
    maxClockSkewMs: SKEW,
    now: () => NOW
  }
}

describe('validateBatch: every outcome', function () {
  const key = generateSecretKey()
  const publisher = publicKeyOf(key)
  const valid = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(3), createdAtMs: NOW })

  it('accepts a valid batch from a trusted publisher and returns it decoded', async function () {
    const batch = await validateBatch(valid.signedBytes, context({ trusted: [publisher] }))
    assert.deepEqual(batch.id, valid.id)
    assert.equal(batch.body.entries.length, 3)
  })

  it('rejects bytes that are not a signed batch', async function () {
    assert.equal(await outcome(Uint8Array.from([0xff, 0xff, 0xff]), context({ trusted: [publisher] })), 'reject:MALFORMED')
  })

  it('rejects a batch for another network', async function () {
    const other = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1), network: 'elsewhere', createdAtMs: NOW })
    assert.equal(await outcome(other.signedBytes, context({ trusted: [publisher] })), 'reject:WRONG_NETWORK')
  })

  it('ignores an untrusted publisher without checking its signature', async function () {
    assert.equal(await outcome(valid.signedBytes, context()), 'ignore:UNTRUSTED_PUBLISHER')
  })

  it('ignores, with the trust policy\'s own code and before the signature, a batch its policy refuses', async function () {
    const seen: number[] = []
    const trust = { isTrusted: () => true, check: (b: { seq: number }) => { seen.push(b.seq); return { code: 'KEY_ROTATED' as const, message: 'moved on' } } }
    const forged = SignedBatchType.encode({ body: valid.bodyBytes, signature: new Uint8Array(64) }).finish()
    assert.equal(await outcome(forged, { ...context(), trust }), 'ignore:KEY_ROTATED')
    assert.deepEqual(seen, [1])
  })

  it('ignores a batch dated beyond the allowed clock skew, accepts one just inside it', async function () {
    const late = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1), createdAtMs: NOW + SKEW + 1 })
    assert.equal(await outcome(late.signedBytes, context({ trusted: [publisher] })), 'ignore:FUTURE_TIMESTAMP')
    const edge = makeSignedBatch({ secretKey: key, seq: 1, entries: randomEntries(1), createdAtMs: NOW + SKEW })
    assert.equal(await outcome(edge.signedBytes, context({ trusted: [publisher] })), 'accept')
  })

  it('ignores a batch already stored (a replay)', async function () {
    assert.equal(await outcome(valid.signedBytes, context({ trusted: [publisher], stored: [valid.id] })), 'ignore:DUPLICATE')
  })

  it('rejects a bad signature: flipped signature bit, or a body signed by another key', async function () {
    const signature = Uint8Array.from(valid.signature)
    signature[10]! ^= 0x01
    const flipped = SignedBatchType.encode({ body: valid.bodyBytes, signature }).finish()
    assert.equal(await outcome(flipped, context({ trusted: [publisher] })), 'reject:BAD_SIGNATURE')
    const impostor = makeSignedBatch({ secretKey: generateSecretKey(), seq: 1, entries: randomEntries(1), createdAtMs: NOW })
    const claimed = SignedBatchType.encode({ body: valid.bodyBytes, signature: impostor.signature }).finish()
    assert.equal(await outcome(claimed, context({ trusted: [publisher] })), 'reject:BAD_SIGNATURE')
  })

  it('ignores (does not punish) a signal type this node does not know', async function () {
    const body = BatchBodyType.encode({
      publisher, seq: 1, prev: new Uint8Array(0), createdAtMs: NOW, network: TEST_NETWORK,
      entries: [{ signalType: 'tmk', value: new Uint8Array(8), labels: [], action: 0 }]
    }).finish()
    const bytes = SignedBatchType.encode({ body, signature: new Uint8Array(64) }).finish()
    assert.equal(await outcome(bytes, context({ trusted: [publisher] })), 'ignore:UNKNOWN_SIGNAL_TYPE')
  })

  it('rejects structural faults as such (value of the wrong length)', async function () {
    const body = BatchBodyType.encode({
      publisher, seq: 1, prev: new Uint8Array(0), createdAtMs: NOW, network: TEST_NETWORK,
      entries: [{ signalType: 'md5', value: new Uint8Array(15), labels: [], action: 0 }]
    }).finish()
    const bytes = SignedBatchType.encode({ body, signature: new Uint8Array(64) }).finish()
    assert.equal(await outcome(bytes, context({ trusted: [publisher] })), 'reject:BAD_VALUE_LENGTH')
  })
})
