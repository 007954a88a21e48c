import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { HashStore, MAX_ROWS_PER_LOOKUP, type EntryRecord } from '../../../src/store/hashStore.js'
import { batchIdKey } from '../../../src/store/keys.js'
import { decodeBatchLocation } from '../../../src/store/records.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { makeChain, makeSignedBatch, randomEntries, randomValue } from '../../helpers/batches.js'
import { TempStore, hex, interceptWrite, rawDbOf } from './storeFixtures.js'
import { LOCAL_SOURCE, gossipSource } from '../../../src/wire/batchSource.js'

const RECEIPT = { receivedAtMs: 1_700_000_123_456, source: gossipSource('12D3KooWTest') }

function codeOf (e: Entry): number {
  return requireSignalType(e.signalType).code
}

/** Publishers ordered by their public key bytes, as the entry index orders them. */
function twoPublishersInKeyOrder (): [Uint8Array, Uint8Array] {
  const [a, b] = [generateSecretKey(), generateSecretKey()]
  return Buffer.compare(publicKeyOf(a), publicKeyOf(b)) < 0 ? [a, b] : [b, a]
}

function summary (r: EntryRecord): string {
  return `${hex(r.publisher)}/${r.seq}/${r.position}/${r.action}`
}

describe('HashStore', () => {
  const temp = new TempStore()
  let store: HashStore
  const secretKey = generateSecretKey()
  const publisher = publicKeyOf(secretKey)

  beforeEach(async () => { store = await temp.setup() })
  afterEach(async () => { await temp.teardown() })

  describe('applyBatch then read back', () => {
    let batch: DecodedBatch

    beforeEach(async () => {
      batch = makeSignedBatch({
        secretKey,
        seq: 1,
        createdAtMs: 1_690_000_000_000,
        entries: [
          { signalType: 'md5', value: randomValue('md5'), labels: ['csam', 'tier:1'], action: Action.ADD },
          { signalType: 'sha1', value: randomValue('sha1'), labels: [], action: Action.RETRACT },
          { signalType: 'sha256', value: randomValue('sha256'), labels: ['terror'], action: Action.ADD },
          { signalType: 'pdq', value: randomValue('pdq'), labels: ['ncii'], action: Action.ADD }
        ]
      })
      await store.applyBatch(batch, RECEIPT)
    })

    it('knows the batch by id and by publisher and seq', async () => {
      assert.equal(await store.hasBatch(batch.id), true)
      assert.equal(hex(await store.batchIdAt(publisher, 1)), hex(batch.id))
      assert.equal(await store.batchIdAt(publisher, 2), undefined)
      assert.equal(await store.hasBatch(new Uint8Array(32)), false)
    })

    it('returns the exact signed bytes', async () => {
      assert.equal(hex(await store.getSignedBatch(publisher, 1)), hex(batch.signedBytes))
      assert.equal(await store.getSignedBatch(publisher, 2), undefined)
    })

    it('writes the batch-id record pointing at publisher and seq', async () => {
      const raw = await rawDbOf(store).get(batchIdKey(batch.id))
      assert.ok(raw !== undefined)
      const location = decodeBatchLocation(raw)
      assert.deepEqual({ publisher: hex(location.publisher), seq: location.seq }, { publisher: hex(publisher), seq: 1 })
    })

    it('sets the head and its counters', async () => {
      const head = await store.head(publisher)
      assert.ok(head !== undefined)
      assert.deepEqual(
        { ...head, publisher: hex(head.publisher), headId: hex(head.headId) },
        { publisher: hex(publisher), seq: 1, headId: hex(batch.id), batches: 1, entries: 4 }
      )
      assert.equal(await store.head(publicKeyOf(generateSecretKey())), undefined)
    })

    it('indexes every entry with its denormalised details', async () => {
      for (const [position, e] of batch.body.entries.entries()) {
        const records = await store.entriesFor(codeOf(e), e.value)
        assert.equal(records.length, 1)
        const r = records[0]!
        assert.deepEqual(
          { ...r, publisher: hex(r.publisher), batchId: hex(r.batchId) },
          {
            publisher: hex(publisher),
            seq: 1,
            position,
            batchId: hex(batch.id),
            action: e.action,
            labels: e.labels,
            receivedAtMs: RECEIPT.receivedAtMs,
            createdAtMs: 1_690_000_000_000
          }
        )
      }
    })

    it('finds nothing for an unknown hash or the same bytes under another type', async () => {
      const sha256 = batch.body.entries[2]!
      assert.deepEqual(await store.entriesFor(codeOf(sha256), randomValue('sha256')), [])
      assert.deepEqual(await store.entriesFor(requireSignalType('pdq').code, sha256.value), [])
    })

    it('keeps everything across close and reopen', async () => {
      store = await temp.reopen()
      assert.equal(await store.hasBatch(batch.id), true)
      assert.equal(hex(await store.getSignedBatch(publisher, 1)), hex(batch.signedBytes))
      assert.equal((await store.head(publisher))?.entries, 4)
      for (const e of batch.body.entries) assert.equal((await store.entriesFor(codeOf(e), e.value)).length, 1)
      assert.equal(await store.forEachIndexedValue(() => {}), 4)
    })
  })

  it('orders entriesFor by publisher, then seq, then position, whatever the order publishers are applied in', async () => {
    const value = randomValue('sha256')
    const listed = (action: Action = Action.ADD): Entry => ({ signalType: 'sha256', value, labels: ['x'], action })
    const [first, second] = twoPublishersInKeyOrder()
    const firstChain = makeChain(first, [[listed(), ...randomEntries(2)], randomEntries(3), [...randomEntries(1), listed(), listed(Action.RETRACT)]])
    const secondChain = makeChain(second, [[listed()], [listed(Action.RETRACT)]])
    for (const b of [secondChain[0]!, secondChain[1]!, firstChain[0]!, firstChain[1]!, firstChain[2]!]) await store.applyBatch(b, RECEIPT)

    const records = await store.entriesFor(requireSignalType('sha256').code, value)
    const [p1, p2] = [hex(publicKeyOf(first)), hex(publicKeyOf(second))]
    assert.deepEqual(records.map(summary), [`${p1}/1/0/0`, `${p1}/3/1/0`, `${p1}/3/2/1`, `${p2}/1/0/0`, `${p2}/2/0/1`])
    assert.deepEqual(records.map(r => hex(r.batchId)), [firstChain[0]!, firstChain[2]!, firstChain[2]!, secondChain[0]!, secondChain[1]!].map(b => hex(b.id)))
  })

  it('rejects a lookup value of the wrong length or an unknown type rather than scanning a prefix', async () => {
    await assert.rejects(store.entriesFor(requireSignalType('sha256').code, new Uint8Array(16)), { name: 'SignalError', code: 'BAD_SIGNAL_VALUE' })
    await assert.rejects(store.entriesFor(99, new Uint8Array(16)), { name: 'SignalError', code: 'UNKNOWN_SIGNAL_TYPE' })
  })

  it('caps entriesFor at MAX_ROWS_PER_LOOKUP rows, oldest first', async function () {
    this.timeout(60_000)
    const value = randomValue('md5')
    const perBatch = MAX_ROWS_PER_LOOKUP / 2 + 1
    const same = Array.from({ length: perBatch }, (): Entry => ({ signalType: 'md5', value, labels: [], action: Action.ADD }))
    for (const b of makeChain(secretKey, [same, same])) await store.applyBatch(b, RECEIPT)

    const records = await store.entriesFor(requireSignalType('md5').code, value)
    assert.equal(records.length, MAX_ROWS_PER_LOOKUP)
    assert.deepEqual([records[0]!.seq, records[0]!.position], [1, 0])
    assert.deepEqual([records.at(-1)!.seq, records.at(-1)!.position], [2, MAX_ROWS_PER_LOOKUP - perBatch - 1])
  })

  it('refuses a batch that does not extend the head, changing nothing', async () => {
    const chain = makeChain(secretKey, [randomEntries(1), randomEntries(2), randomEntries(3)])
    await assert.rejects(store.applyBatch(chain[1]!, RECEIPT), { name: 'StoreError', code: 'NOT_LINKED' })
    await store.applyBatch(chain[0]!, RECEIPT)
    await assert.rejects(store.applyBatch(chain[2]!, RECEIPT), { name: 'StoreError', code: 'NOT_LINKED' })
    const fork = makeSignedBatch({ secretKey, seq: 2, prev: new Uint8Array(32).fill(9), entries: randomEntries(1) })
    await assert.rejects(store.applyBatch(fork, RECEIPT), { name: 'StoreError', code: 'PREV_MISMATCH' })
    for (const refused of [chain[1]!, chain[2]!, fork]) assert.equal(await store.hasBatch(refused.id), false)
    const head = await store.head(publisher)
    assert.deepEqual([head?.seq, hex(head?.headId), head?.batches, head?.entries], [1, hex(chain[0]!.id), 1, 1])
  })

  it('lists one head per publisher', async () => {
    const [a, b] = twoPublishersInKeyOrder()
    await store.applyBatch(makeSignedBatch({ secretKey: a, seq: 1, entries: randomEntries(2) }), RECEIPT)
    for (const batch of makeChain(b, [randomEntries(1), randomEntries(1)])) await store.applyBatch(batch, RECEIPT)
    const heads = (await store.heads()).map(h => [hex(h.publisher), h.seq, h.batches, h.entries])
    assert.deepEqual(heads, [[hex(publicKeyOf(a)), 1, 1, 2], [hex(publicKeyOf(b)), 2, 2, 2]])
  })

  it('treats re-applying a stored batch as a no-op', async () => {
    const batch = makeSignedBatch({ secretKey, seq: 1, entries: randomEntries(5) })
    assert.equal(await store.applyBatch(batch, RECEIPT), 'stored')
    let writes = 0
    interceptWrite(store, 'batch', async (args, original) => { writes++; await original(...args) })

    assert.equal(await store.applyBatch(batch, { receivedAtMs: 1, source: LOCAL_SOURCE }), 'duplicate')
    assert.equal(writes, 0)
    assert.equal((await store.head(publisher))?.batches, 1)
    assert.equal((await store.entriesFor(codeOf(batch.body.entries[0]!), batch.body.entries[0]!.value)).length, 1)
    assert.equal(await store.forEachIndexedValue(() => {}), 5)
  })

  it('refuses a different batch at a seq already taken, changing nothing', async () => {
    const kept = makeSignedBatch({ secretKey, seq: 1, entries: randomEntries(1) })
    const rival = makeSignedBatch({ secretKey, seq: 1, entries: randomEntries(1) })
    await store.applyBatch(kept, RECEIPT)
    await assert.rejects(store.applyBatch(rival, RECEIPT), { name: 'StoreError', code: 'SEQ_CONFLICT' })
    assert.equal(await store.hasBatch(rival.id), false)
    assert.equal(hex(await store.batchIdAt(publisher, 1)), hex(kept.id))
    assert.equal((await store.head(publisher))?.batches, 1)
  })

  it('serialises concurrent applies so no head update is lost', async () => {
    const chain = makeChain(secretKey, Array.from({ length: 12 }, (_, i) => randomEntries(i + 1)))
    // Issued together, applied in call order: each one sees the head its predecessor wrote.
    await Promise.all(chain.map(async b => { await store.applyBatch(b, RECEIPT) }))
    const head = await store.head(publisher)
    assert.deepEqual([head?.seq, hex(head?.headId), head?.batches, head?.entries], [12, hex(chain[11]!.id), 12, 78])
  })

  it('visits every index row in forEachIndexedValue, across scan chunks', async () => {
    const entries = [...randomEntries(900, 'md5'), ...randomEntries(700, 'sha1'), ...randomEntries(800, 'sha256'), ...randomEntries(600, 'pdq')]
    const duplicate = entries[0]!
    const chain = makeChain(secretKey, [entries.slice(0, 1500), [...entries.slice(1500), duplicate]])
    for (const b of chain) await store.applyBatch(b, RECEIPT)

    const seen = new Map<string, number>()
    const rows = await store.forEachIndexedValue((code, value) => {
      const k = `${code}:${hex(value)}`
      seen.set(k, (seen.get(k) ?? 0) + 1)
    })
    assert.equal(rows, entries.length + 1)
    assert.equal(seen.size, entries.length)
    for (const e of entries) assert.equal(seen.get(`${codeOf(e)}:${hex(e.value)}`), e === duplicate ? 2 : 1)
  })

  describe('forEachListedValue', () => {
    const pdq = requireSignalType('pdq').code

    async function listed (): Promise<Set<string>> {
      const values = new Set<string>()
      await store.forEachListedValue(pdq, v => { values.add(hex(v)!) })
      return values
    }

    it('visits each listed value of the type once, across scan chunks, and nothing of other types', async () => {
      const pdqs = randomEntries(2500, 'pdq')
      const chain = makeChain(secretKey, [[...pdqs.slice(0, 1200), ...randomEntries(50, 'sha256')], [...pdqs.slice(1200), pdqs[0]!]])
      for (const b of chain) await store.applyBatch(b, RECEIPT)
      const seen: string[] = []
      const scan = await store.forEachListedValue(pdq, v => { seen.push(hex(v)!) })
      assert.deepEqual(scan, { rows: 2501, listed: 2500 })
      assert.deepEqual(new Set(seen), new Set(pdqs.map(e => hex(e.value))))
      assert.equal(seen.length, 2500)
    })

    it('leaves out a value whose every publisher has retracted it, keeps one another publisher still adds', async () => {
      const [first, second] = twoPublishersInKeyOrder()
      const [gone, kept, readded] = randomEntries(3, 'pdq')
      const retract = (e: Entry): Entry => ({ ...e, action: Action.RETRACT })
      const a = makeChain(first, [[gone!, kept!, readded!], [retract(gone!), retract(kept!), retract(readded!)], [readded!]])
      const b = makeChain(second, [[kept!]])
      for (const batch of [...a, ...b]) await store.applyBatch(batch, RECEIPT)
      assert.deepEqual(await listed(), new Set([hex(kept!.value), hex(readded!.value)]))
    })

    it('takes the last entry of a batch that adds and retracts the same value', async () => {
      const [v] = randomEntries(1, 'pdq')
      await store.applyBatch(makeSignedBatch({ secretKey, seq: 1, entries: [v!, { ...v!, action: Action.RETRACT }] }), RECEIPT)
      assert.deepEqual(await listed(), new Set())
    })
  })
})
