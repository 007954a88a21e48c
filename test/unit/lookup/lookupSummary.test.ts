import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { RowKind, StandingView } from '../../../src/forum/standing.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import type { LookupQuery, LookupService as LookupServiceType } from '../../../src/lookup/lookupService.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import { toHex } from '../../../src/signals/hex.js'
import { MAX_HASH_ROWS } from '../../../src/store/hashRows.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { makeSignedBatch } from '../../helpers/batches.js'

const PUBLISHERS = [generateSecretKey(), generateSecretKey(), generateSecretKey()]
/** A few values per type, so that histories pile up on the same hashes. */
const VALUES = {
  md5: [new Uint8Array(16).fill(1), new Uint8Array(16).fill(2)],
  sha256: [new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)],
  pdq: [new Uint8Array(32).fill(0), Uint8Array.from({ length: 32 }, (_, i) => i === 0 ? 1 : 0)]
}
type TypeName = keyof typeof VALUES
const TYPES = Object.keys(VALUES) as TypeName[]

const entryArb = fc.record({
  type: fc.constantFrom(...TYPES),
  which: fc.nat(1),
  action: fc.constantFrom(Action.ADD, Action.RETRACT, Action.CONFIRM, Action.FALSE_POSITIVE, Action.DISPUTE, Action.WITHDRAW),
  labels: fc.subarray(['csam', 'terror', 'ncii'])
})
const batchArb = fc.record({
  publisher: fc.nat(PUBLISHERS.length - 1),
  entries: fc.array(entryArb, { minLength: 1, maxLength: 4 }),
  createdAtMs: fc.integer({ min: 1_000, max: 9_000 })
})

/** Hides a publisher's rows past a seq or a time, the way revocations and expiries cut. */
const cutArb = fc.record({
  publisher: fc.nat(PUBLISHERS.length - 1),
  afterSeq: fc.nat(4),
  afterMs: fc.integer({ min: 1_000, max: 9_000 }),
  opinionsOnly: fc.boolean()
})

interface Cut { publisher: number, afterSeq: number, afterMs: number, opinionsOnly: boolean }

function standingWith (cuts: readonly Cut[]): StandingView {
  const keys = PUBLISHERS.map(k => toHex(publicKeyOf(k)))
  return {
    standing: (publisher: Uint8Array, seq: number, createdAtMs: number, kind: RowKind) => {
      const hidden = cuts.some(c => keys[c.publisher] === toHex(publisher) &&
        (seq > c.afterSeq || createdAtMs > c.afterMs) &&
        (!c.opinionsOnly || kind === 'opinion'))
      return hidden ? { status: 'revoked', visible: false } : { status: 'member', visible: true, organisation: `org-${toHex(publisher).slice(0, 2)}` }
    }
  }
}

/** Every known value, queried both exactly and (for PDQ) near, so that near hits are summarised too. */
function allQueries (): LookupQuery[] {
  return TYPES.flatMap(type => VALUES[type].map(v => type === 'pdq' ? { type, value: toHex(v), maxDistance: 8 } : { type, value: toHex(v) }))
}

function withoutMatches<T extends { matches: unknown }> (results: readonly T[]): Array<Omit<T, 'matches'>> {
  return results.map(({ matches: _, ...summary }) => summary)
}

describe('LookupService.summarise: the positive path from one HashRows record per hash', function () {
  this.timeout(120_000)
  let dir: string
  let store: HashStore
  let indexes: LookupIndexes
  const heads = new Map<number, DecodedBatch>()

  async function publish (publisher: number, entries: Entry[], createdAtMs = 5_000): Promise<void> {
    const last = heads.get(publisher)
    const batch = makeSignedBatch({ secretKey: PUBLISHERS[publisher]!, seq: (last?.body.seq ?? 0) + 1, prev: last?.id, entries, createdAtMs })
    heads.set(publisher, batch)
    await store.applyBatch(batch, { receivedAtMs: 1_000, source: LOCAL_SOURCE })
    await indexes.applyStored(batch)
  }

  function service (standing?: StandingView): LookupServiceType {
    return new LookupService({ store, indexes, ...(standing === undefined ? {} : { standing }) })
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-summary-'))
    store = await HashStore.open(join(dir, 'db'))
    indexes = new LookupIndexes(store)
    heads.clear()
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers exactly what lookupMany answers, less the entries, for any history and any membership cut', async function () {
    await fc.assert(fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 12 }), fc.array(cutArb, { maxLength: 2 }), async (batches, cuts) => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
      store = await HashStore.open(join(dir, 'db'))
      indexes = new LookupIndexes(store)
      heads.clear()
      for (const b of batches) {
        const entries = b.entries.map(e => ({
          signalType: e.type,
          value: VALUES[e.type][e.which]!,
          action: e.action,
          labels: e.action === Action.ADD ? e.labels : []
        }))
        await publish(b.publisher, entries, b.createdAtMs)
      }
      const lookups = service(standingWith(cuts))
      // Twice: the second answer comes from the cache and must not differ.
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(await lookups.summarise(allQueries()), withoutMatches(await lookups.lookupMany(allQueries())))
      }
    }), { numRuns: 60 })
  })

  it('reads no entry-index range for a summarised hash', async function () {
    await publish(0, [{ signalType: 'md5', value: VALUES.md5[0]!, action: Action.ADD, labels: ['csam'] }])
    await publish(1, [{ signalType: 'md5', value: VALUES.md5[0]!, action: Action.CONFIRM, labels: [] }])
    let ranges = 0
    const entriesFor = store.entriesFor.bind(store)
    store.entriesFor = async (code, value) => { ranges++; return await entriesFor(code, value) }

    const [answer] = await service().summarise([{ type: 'md5', value: toHex(VALUES.md5[0]!) }])
    assert.equal(ranges, 0)
    assert.equal(answer?.listed, true)
    assert.equal(answer?.hashes[0]?.opinions.confirm.count, 1)
    assert.equal('matches' in answer, false)
  })

  it('shows a later write at once, though the earlier answer was cached', async function () {
    const query = [{ type: 'sha256', value: toHex(VALUES.sha256[0]!) }]
    await publish(0, [{ signalType: 'sha256', value: VALUES.sha256[0]!, action: Action.ADD, labels: [] }])
    const lookups = service()
    assert.equal((await lookups.summarise(query))[0]?.listed, true)
    await publish(0, [{ signalType: 'sha256', value: VALUES.sha256[0]!, action: Action.RETRACT, labels: [] }])
    assert.equal((await lookups.summarise(query))[0]?.listed, false)
  })

  it('a write racing a read never leaves the replaced record cached', async function () {
    const query = [{ type: 'sha256', value: toHex(VALUES.sha256[1]!) }]
    await publish(0, [{ signalType: 'sha256', value: VALUES.sha256[1]!, action: Action.ADD, labels: [] }])
    const lookups = service()
    for (let i = 0; i < 20; i++) {
      const action = i % 2 === 0 ? Action.RETRACT : Action.ADD
      const [read] = await Promise.all([lookups.summarise(query), publish(0, [{ signalType: 'sha256', value: VALUES.sha256[1]!, action, labels: [] }])])
      assert.ok(read !== undefined)
      assert.equal((await lookups.summarise(query))[0]?.listed, action === Action.ADD, `after write ${i}`)
    }
  })

  it('a hash with more rows than one record holds is answered from the entry index, the same', async function () {
    const value = VALUES.md5[1]!
    const entries = Array.from({ length: MAX_HASH_ROWS + 1 }, (_, i): Entry =>
      ({ signalType: 'md5', value, action: i % 2 === 0 ? Action.ADD : Action.RETRACT, labels: [] }))
    await publish(2, entries)
    const [record] = await store.hashRowsFor([{ signalTypeCode: 1, value }])
    assert.deepEqual(record, { overflow: true })
    const lookups = service()
    const query = [{ type: 'md5', value: toHex(value) }]
    assert.deepEqual(await lookups.summarise(query), withoutMatches(await lookups.lookupMany(query)))
    assert.equal((await lookups.summarise(query))[0]?.listed, true)
  })
})
