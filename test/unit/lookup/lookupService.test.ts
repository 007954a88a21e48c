import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { MAX_MIH_DISTANCE } from '../../../src/index/pdqIndex.js'
import { MAX_NEAR_MATCHES, MAX_SCANNING_PDQ_QUERIES } from '../../../src/lookup/limits.js'
import { LookupError } from '../../../src/lookup/lookupError.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import { silentLogger } from '../../../src/logger.js'
import { toHex } from '../../../src/signals/hex.js'
import { SignalError } from '../../../src/signals/registry.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { makeSignedBatch } from '../../helpers/batches.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

/** `base` with the first `bits` bits flipped: exactly that Hamming distance from it. */
function flipped (base: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(base)
  for (let i = 0; i < bits; i++) out[i >> 3]! ^= 1 << (i & 7)
  return out
}

describe('LookupService', function () {
  let dir: string
  let store: HashStore
  let indexes: LookupIndexes
  let lookups: LookupService
  const alice = generateSecretKey()
  const bob = generateSecretKey()
  const value = new Uint8Array(32).fill(7)
  const seqs = new Map<Uint8Array, DecodedBatch>()

  /** Stores the publisher's next batch (linked to its last) and updates the indexes as the ingester does. */
  async function publish (secretKey: Uint8Array, entries: Entry[]): Promise<DecodedBatch> {
    const last = seqs.get(secretKey)
    const batch = makeSignedBatch({ secretKey, seq: (last?.body.seq ?? 0) + 1, prev: last?.id, entries, createdAtMs: 5_000 })
    seqs.set(secretKey, batch)
    await store.applyBatch(batch, { receivedAtMs: 1_000 * batch.body.seq, source: gossipSource('test') })
    await indexes.applyStored(batch)
    return batch
  }

  function entry (action: Action, labels: string[] = [], signalType = 'sha256', v: Uint8Array = value): Entry {
    return { signalType, value: v, labels, action }
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-lookup-'))
    store = await HashStore.open(join(dir, 'db'))
    indexes = new LookupIndexes(store)
    lookups = new LookupService({ store, indexes })
    seqs.clear()
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  describe('exact types', function () {
    it('reports an added hash with its provenance', async function () {
      const batch = await publish(alice, [entry(Action.ADD, ['category:x'])])
      const r = await lookups.lookup('sha256', toHex(value).toUpperCase())
      assert.equal(r.value, toHex(value))
      assert.equal(r.listed, true)
      assert.deepEqual(r.matches, [{
        publisher: toHex(publicKeyOf(alice)), labels: ['category:x'], batchId: toHex(batch.id), seq: 1, action: 'add',
        receivedAt: new Date(1_000).toISOString(), createdAt: new Date(5_000).toISOString(), current: true,
        publisherEquivocating: false, standing: 'trusted'
      }])
      assert.equal(r.match, true)
      assert.deepEqual(r.hashes.map(h => [h.value, h.listed, h.match]), [[toHex(value), true, true]])
    })

    it('a retraction by the same publisher supersedes its add; history stays visible', async function () {
      await publish(alice, [entry(Action.ADD)])
      await publish(alice, [entry(Action.RETRACT)])
      const r = await lookups.lookup('sha256', toHex(value))
      assert.equal(r.listed, false)
      assert.deepEqual(r.matches.map(m => [m.seq, m.action, m.current]), [[1, 'add', false], [2, 'retract', true]])
    })

    it('one publisher retracting does not unlist a hash another publisher still lists', async function () {
      await publish(alice, [entry(Action.ADD)])
      await publish(alice, [entry(Action.RETRACT)])
      await publish(bob, [entry(Action.ADD)])
      const r = await lookups.lookup('sha256', toHex(value))
      assert.equal(r.listed, true)
      assert.equal(r.matches.filter(m => m.current).length, 2)
    })

    it('answers a miss from memory without touching the store', async function () {
      const untouchable = { entriesFor: async () => { throw new Error('disk touched') } } as unknown as HashStore
      const r = await new LookupService({ store: untouchable, indexes }).lookup('md5', '00'.repeat(16))
      assert.deepEqual(r, { type: 'md5', value: '00'.repeat(16), listed: false, matches: [], match: false, hashes: [] })
    })

    it('checks every query of a batch lookup before answering, naming the bad one', async function () {
      await assert.rejects(lookups.lookupMany([{ type: 'md5', value: '00'.repeat(16) }, { type: 'sha1', value: 'xyz' }]),
        (e: unknown) => e instanceof SignalError && e.code === 'BAD_SIGNAL_VALUE' && e.message.startsWith('queries[1]'))
    })

    it('refuses a distance or variants for a type matched exactly', async function () {
      await assert.rejects(lookups.lookup('md5', '00'.repeat(16), { maxDistance: 3 }), { name: 'LookupError', code: 'NOT_PERCEPTUAL' })
      await assert.rejects(lookups.lookupMany([{ type: 'sha256', value: toHex(value), variants: [] }]),
        (e: unknown) => e instanceof LookupError && e.code === 'NOT_PERCEPTUAL' && e.message.startsWith('queries[0]'))
    })
  })

  describe('pdq by distance', function () {
    const base = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)
    const pdq = (v: Uint8Array, action: Action = Action.ADD, labels = ['terror']): Entry => entry(action, labels, 'pdq', v)

    it('finds stored hashes within maxDistance, nearest first, each with its distance and provenance', async function () {
      const near = flipped(base, 10)
      const edge = flipped(base, 31)
      const far = flipped(base, 32)
      const batch = await publish(alice, [pdq(edge), pdq(far), pdq(near, Action.ADD, ['ncii'])])
      const r = await lookups.lookup('pdq', toHex(base))
      assert.equal(r.listed, true)
      assert.equal(r.maxDistance, 31)
      assert.equal(r.truncated, false)
      assert.deepEqual(r.matches.map(m => [m.value, m.distance, m.labels, m.batchId, m.seq]), [
        [toHex(near), 10, ['ncii'], toHex(batch.id), 1],
        [toHex(edge), 31, ['terror'], toHex(batch.id), 1]
      ])
      const wider = await lookups.lookup('pdq', toHex(base), { maxDistance: 32 })
      assert.deepEqual(wider.matches.map(m => m.distance), [10, 31, 32])
      const exact = await lookups.lookup('pdq', toHex(base), { maxDistance: 0 })
      assert.deepEqual(exact, { type: 'pdq', value: toHex(base), listed: false, matches: [], match: false, hashes: [], maxDistance: 0, truncated: false })
    })

    it('a hash every publisher retracted is no longer near-matched, but its own lookup shows the history', async function () {
      const v = flipped(base, 5)
      await publish(alice, [pdq(v)])
      await publish(bob, [pdq(v)])
      await publish(alice, [pdq(v, Action.RETRACT)])
      assert.equal((await lookups.lookup('pdq', toHex(base))).listed, true, 'bob still lists it')
      await publish(bob, [pdq(v, Action.RETRACT)])
      assert.deepEqual((await lookups.lookup('pdq', toHex(base))).matches, [])
      const own = await lookups.lookup('pdq', toHex(v))
      assert.equal(own.listed, false)
      const expected = [[0, 'add', false], [0, 'retract', true], [0, 'add', false], [0, 'retract', true]]
      assert.deepEqual(own.matches.map(m => [m.distance, m.action, m.current]), expected)
      await publish(alice, [pdq(v)])
      assert.equal((await lookups.lookup('pdq', toHex(base))).listed, true, 're-added')
    })

    it('reports at most MAX_NEAR_MATCHES stored hashes, the nearest, and says it truncated', async function () {
      const many = Array.from({ length: MAX_NEAR_MATCHES + 20 }, (_, i) => { const v = flipped(base, 1 + (i % 20)); v[31] = i; return v })
      await publish(alice, many.map(v => pdq(v)))
      const r = await lookups.lookup('pdq', toHex(base), { maxDistance: 64 })
      assert.equal(r.truncated, true)
      const values = new Set(r.matches.map(m => m.value))
      assert.equal(values.size, MAX_NEAR_MATCHES)
      const distances = r.matches.map(m => m.distance!)
      assert.deepEqual(distances, [...distances].sort((x, y) => x - y))
    })

    it('searches variants at once, reporting which one came closest', async function () {
      const rotated = Uint8Array.from(base).reverse()
      const stored = flipped(rotated, 3)
      await publish(alice, [pdq(stored)])
      assert.equal((await lookups.lookup('pdq', toHex(base))).listed, false)
      const r = await lookups.lookup('pdq', toHex(base), { variants: [toHex(flipped(base, 100)), toHex(rotated)] })
      assert.equal(r.listed, true)
      assert.deepEqual(r.matches.map(m => [m.value, m.distance, m.variant]), [[toHex(stored), 3, 2]])
    })

    it('refuses a distance outside 0-256 and more than seven variants', async function () {
      for (const maxDistance of [-1, 257, 2.5]) {
        await assert.rejects(lookups.lookup('pdq', toHex(base), { maxDistance }), { name: 'LookupError', code: 'BAD_MAX_DISTANCE' })
      }
      const eight = Array.from({ length: 8 }, () => toHex(base))
      await assert.rejects(lookups.lookup('pdq', toHex(base), { variants: eight }), { name: 'LookupError', code: 'TOO_MANY_VARIANTS' })
      const badVariant = (e: unknown): boolean => e instanceof SignalError && e.message.startsWith('variants[0]')
      await assert.rejects(lookups.lookup('pdq', toHex(base), { variants: ['abc'] }), badVariant)
    })

    it('holds at most MAX_SCANNING_PDQ_QUERIES queries past the index\'s reach in one request', async function () {
      const wide = { type: 'pdq', value: toHex(base), maxDistance: MAX_MIH_DISTANCE + 1 }
      const narrow = { type: 'pdq', value: toHex(base), maxDistance: MAX_MIH_DISTANCE }
      const atLimit = [...Array.from({ length: MAX_SCANNING_PDQ_QUERIES }, () => wide), narrow, narrow]
      assert.equal((await lookups.lookupMany(atLimit)).length, MAX_SCANNING_PDQ_QUERIES + 2)
      const overLimit = Array.from({ length: MAX_SCANNING_PDQ_QUERIES + 1 }, () => wide)
      await assert.rejects(lookups.lookupMany(overLimit), { name: 'LookupError', code: 'TOO_MANY_SCANS' })
    })

    it('an index rebuilt from the store answers as the one kept up to date', async function () {
      const values = Array.from({ length: 50 }, (_, i) => flipped(base, i))
      await publish(alice, values.map(v => pdq(v)))
      await publish(alice, values.filter((_, i) => i % 3 === 0).map(v => pdq(v, Action.RETRACT)))
      await publish(bob, [pdq(values[3]!)])
      const rebuilt = new LookupService({ store, indexes: await LookupIndexes.load(store, silentLogger()) })
      for (const d of [0, 10, 31, 49]) {
        assert.deepEqual(await rebuilt.lookup('pdq', toHex(base), { maxDistance: d }), await lookups.lookup('pdq', toHex(base), { maxDistance: d }), `d=${d}`)
      }
      assert.equal((await LookupIndexes.load(store, silentLogger())).pdq.size, indexes.pdq.size)
    })
  })
})
