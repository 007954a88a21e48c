import assert from 'node:assert/strict'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { RowStanding, StandingView } from '../../../src/forum/standing.js'
import type { BatchObserver } from '../../../src/ingest/batchObserver.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { StaticTrustList } from '../../../src/ingest/trustPolicy.js'
import { silentLogger } from '../../../src/logger.js'
import { HashJudge } from '../../../src/lookup/hashJudge.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { toHex } from '../../../src/signals/hex.js'
import { AllowlistStore } from '../../../src/store/allowlist.js'
import { AuditLog } from '../../../src/store/auditLog.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { type WatchParts, loadWatchParts } from '../../../src/watch/watchParts.js'
import { parseWatchItems } from '../../../src/watch/watchInput.js'
import { LOCAL_SOURCE } from '../../../src/wire/batchSource.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { TEST_NETWORK, makeSignedBatch, randomValue } from '../../helpers/batches.js'
import { CollectingEvents, CollectingMatches } from '../../helpers/collectingRecorders.js'
import { TempStore } from '../store/storeFixtures.js'

/** A membership stand-in: publishers it is told to hide stand revoked (hidden); the rest trusted. */
class HidingStanding implements StandingView {
  readonly hidden = new Set<string>()
  standing (publisher: Uint8Array): RowStanding {
    return this.hidden.has(toHex(publisher)) ? { status: 'revoked', visible: false } : { status: 'trusted', visible: true }
  }
}

/** A PDQ `bits` bits away from `value`. */
function near (value: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(value)
  for (let i = 0; i < bits; i++) out[i >> 3]! ^= 1 << (i & 7)
  return out
}

const add = (signalType: string, value: Uint8Array, labels = ['csam']): Entry => ({ signalType, value, labels, action: Action.ADD })
const say = (signalType: string, value: Uint8Array, action: Action): Entry => ({ signalType, value, labels: [], action })

/** Each publisher's chain, so a test just says what it publishes next. */
class Publisher {
  readonly key = generateSecretKey()
  private seq = 0
  private prev: Uint8Array | undefined
  next (entries: Entry[]): DecodedBatch {
    const batch = makeSignedBatch({ secretKey: this.key, seq: ++this.seq, ...(this.prev === undefined ? {} : { prev: this.prev }), entries })
    this.prev = batch.id
    return batch
  }

  get hex (): string { return toHex(publicKeyOf(this.key)) }
}

describe('watch: retroactive matching over a real store', function () {
  const temp = new TempStore()
  let store: HashStore
  let events: CollectingEvents
  let matches: CollectingMatches
  let standing: HidingStanding
  let allowlist: AllowlistStore
  let parts: WatchParts
  let ingester: BatchIngester
  let observers: BatchObserver[]
  let a: Publisher
  let c: Publisher

  async function build (): Promise<void> {
    events = new CollectingEvents()
    matches = new CollectingMatches()
    standing = new HidingStanding()
    allowlist = await AllowlistStore.load(store, new AuditLog(store))
    const judge = new HashJudge({ standing, allowlist, policy: { falsePositiveThreshold: 1, confirmationsRequired: {} } })
    const lookupIndexes = await LookupIndexes.load(store, silentLogger())
    observers = []
    parts = await loadWatchParts({
      store, judge, lookupIndexes, events, matches, betweenBatches: async fn => await ingester.betweenBatches(fn)
    }, { pdqMaxDistance: 31, maxItems: 1000 })
    observers.push(parts.observer)
    allowlist.observe(parts.list.allowlistObserver())
    ingester = new BatchIngester(
      { store, indexes: lookupIndexes, trust: new StaticTrustList([c.hex], publicKeyOf(a.key)), logger: silentLogger(), observers },
      { network: TEST_NETWORK, maxClockSkewMs: 60_000 }
    )
  }

  async function ingest (batch: DecodedBatch): Promise<void> {
    const outcome = await ingester.ingest(batch.signedBytes, LOCAL_SOURCE)
    assert.equal(outcome.code, 'ACCEPTED')
    await settled()
  }

  /** Memory follows a transition in the write queue; an empty write waits for it. */
  async function settled (): Promise<void> {
    await store.writeAtomically(async () => [])
  }

  beforeEach(async function () {
    a = new Publisher()
    c = new Publisher()
    store = await temp.setup()
    await build()
  })

  afterEach(async function () {
    await temp.teardown()
  })

  it('a later add of a watched exact hash emits one signed-off match, recorded, with the listing it rests on', async function () {
    const x = randomValue('sha256')
    await parts.list.add(parseWatchItems([{ id: 'video/1', hashes: { sha256: toHex(x) } }, { id: 'other', hashes: { md5: toHex(randomValue('md5')) } }]))
    assert.equal(events.committed_.length, 0)
    const batch = a.next([add('sha256', x, ['csam', 'ncii']), add('sha256', randomValue('sha256'))])
    await ingest(batch)
    const [m] = events.of('match')
    assert.equal(events.committed_.length, 1)
    assert.deepEqual({ ...m!.data, receivedAt: undefined }, {
      matchId: matches.records[0]!.id,
      contentId: 'video/1',
      hash: { type: 'sha256', value: toHex(x) },
      distance: 0,
      publisher: a.hex,
      labels: ['csam', 'ncii'],
      batchId: toHex(batch.id),
      receivedAt: undefined,
      cause: 'listed'
    })
    assert.equal(matches.records[0]!.source, 'retroactive')
    assert.equal(matches.records[0]!.matched[0]!.match, true)
    assert.deepEqual((await parts.list.get('video/1'))!.matched.map(m => m.matchId), [m!.data.matchId])
  })

  it('a stored PDQ within the distance matches a watched PDQ and names the stored hash; one past it does not', async function () {
    const w = randomValue('pdq')
    await parts.list.add(parseWatchItems([{ id: 'img', hashes: { pdq: toHex(w) } }]))
    await ingest(a.next([add('pdq', near(w, 40))]))
    assert.equal(events.committed_.length, 0)
    const stored = near(w, 12)
    await ingest(a.next([add('pdq', stored)]))
    const [m] = events.of('match')
    assert.deepEqual([m?.data.hash, m?.data.distance], [{ type: 'pdq', value: toHex(stored) }, 12])
    assert.deepEqual(matches.records[0]!.hash, { type: 'pdq', value: toHex(w) }, 'the record keeps the platform\'s own hash')
  })

  it('retract emits unlisted; a later add emits match again as relisted', async function () {
    const x = randomValue('md5')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { md5: toHex(x) } }]))
    await ingest(a.next([add('md5', x)]))
    await ingest(a.next([say('md5', x, Action.RETRACT)]))
    const [u] = events.of('unlisted')
    assert.deepEqual([u?.data.contentId, u?.data.cause, u?.data.matchId], ['f', 'retracted', events.of('match')[0]!.data.matchId])
    assert.deepEqual(matches.unlisted, [u!.data.matchId])
    await ingest(a.next([add('md5', x)]))
    assert.deepEqual(events.of('match').map(e => e.data.cause), ['listed', 'relisted'])
  })

  it('a false-positive opinion crossing the threshold unlists; withdrawing it matches again by policy', async function () {
    const x = randomValue('sha1')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha1: toHex(x) } }]))
    await ingest(a.next([add('sha1', x)]))
    await ingest(c.next([say('sha1', x, Action.FALSE_POSITIVE)]))
    assert.deepEqual(events.of('unlisted').map(e => e.data.cause), ['false_positive'])
    await ingest(c.next([say('sha1', x, Action.WITHDRAW)]))
    assert.deepEqual(events.of('match').map(e => e.data.cause), ['listed', 'policy'])
  })

  it('an allowlist entry unlists; removing it matches again, each in the allowlist\'s own write', async function () {
    const x = randomValue('sha256')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha256: toHex(x) } }]))
    await ingest(a.next([add('sha256', x)]))
    await allowlist.add({ signalTypeCode: 3, value: x, note: 'stock photo', author: 'ops' }, 'ops')
    await settled()
    assert.deepEqual(events.of('unlisted').map(e => e.data.cause), ['allowlisted'])
    assert.deepEqual((await parts.list.get('f'))!.matched, [])
    await allowlist.remove(3, x, 'ops')
    await settled()
    assert.deepEqual(events.of('match').map(e => e.data.cause), ['listed', 'policy'])
  })

  it('a revocation under hide unlists at the next reconcile, as revoked', async function () {
    const x = randomValue('sha256')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha256: toHex(x) } }]))
    await ingest(c.next([add('sha256', x)]))
    standing.hidden.add(c.hex)
    assert.equal(await parts.list.reconcile(), 1)
    assert.deepEqual(events.of('unlisted').map(e => e.data.cause), ['revoked'])
    assert.equal(await parts.list.reconcile(), 0, 'nothing left to change')
  })

  it('a publisher that becomes visible has its stored batches read again, and what matches now matches', async function () {
    const x = randomValue('md5')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { md5: toHex(x) } }]))
    standing.hidden.add(c.hex)
    await ingest(c.next([add('md5', randomValue('md5'))]))
    await ingest(c.next([add('md5', x)]))
    assert.equal(events.committed_.length, 0, 'hidden: no match')
    standing.hidden.delete(c.hex)
    assert.equal(await parts.list.rescanPublisher(publicKeyOf(c.key)), 1)
    assert.deepEqual(events.of('match').map(e => [e.data.contentId, e.data.publisher]), [['f', c.hex]])
    assert.equal(await parts.list.rescanPublisher(publicKeyOf(c.key)), 0, 'a second rescan changes nothing')
  })

  it('an item stops being unlisted only at its last listing: two publishers, one retracts', async function () {
    const x = randomValue('sha256')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha256: toHex(x) } }]))
    await ingest(a.next([add('sha256', x)]))
    await ingest(c.next([add('sha256', x)]))
    await ingest(a.next([say('sha256', x, Action.RETRACT)]))
    assert.equal(events.of('unlisted').length, 0)
    assert.equal(events.of('match').length, 1, 'a second publisher of the same stored hash is not a new match')
    await ingest(c.next([say('sha256', x, Action.RETRACT)]))
    assert.equal(events.of('unlisted').length, 1)
  })

  it('a batch that is not stored emits nothing and changes nothing; stored later, it matches', async function () {
    const x = randomValue('sha256')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha256: toHex(x) } }]))
    const batch = a.next([add('sha256', x)])
    observers.push({ opsFor: async () => { throw new Error('disk full') } })
    const outcome = await ingester.ingest(batch.signedBytes, LOCAL_SOURCE)
    assert.notEqual(outcome.code, 'ACCEPTED')
    await settled()
    assert.equal(events.commits, 0)
    assert.equal(events.committed_.length, 0)
    assert.deepEqual((await parts.list.get('f'))!.matched, [])
    events.discardOffered()
    observers.pop()
    await ingest(batch)
    assert.equal(events.of('match').length, 1)
  })

  it('registering an item whose hash is listed already emits match at once, in the add', async function () {
    const x = randomValue('sha256')
    const w = randomValue('pdq')
    await ingest(a.next([add('sha256', x), add('pdq', near(w, 3))]))
    const result = await parts.list.add(parseWatchItems([
      { id: 'f', hashes: { sha256: toHex(x) } }, { id: 'g', hashes: { pdq: toHex(w) } }, { id: 'h', hashes: { md5: toHex(randomValue('md5')) } }
    ]))
    assert.deepEqual(result, { added: 3, replaced: 0, matched: 2 })
    assert.deepEqual(events.of('match').map(e => [e.data.contentId, e.data.distance]).sort(), [['f', 0], ['g', 3]])
  })

  it('state survives a restart: the reloaded indexes match and unlist as before', async function () {
    const x = randomValue('sha256')
    const w = randomValue('pdq')
    await parts.list.add(parseWatchItems([{ id: 'f', hashes: { sha256: toHex(x), pdq: toHex(w) } }]))
    await ingest(a.next([add('sha256', x)]))
    store = await temp.reopen()
    await build()
    assert.equal(parts.list.size, 1)
    await ingest(a.next([add('pdq', near(w, 2))]))
    assert.equal(events.of('match').length, 1, 'the PDQ, a second stored hash of the same item, matches too')
    await ingest(a.next([say('sha256', x, Action.RETRACT), say('pdq', near(w, 2), Action.RETRACT)]))
    assert.deepEqual(events.of('unlisted').map(e => e.data.cause), ['retracted'])
  })

  it('removing an item forgets it: a later listing emits nothing', async function () {
    const w = randomValue('pdq')
    await parts.list.add(parseWatchItems([{ id: 'g', hashes: { pdq: toHex(w) } }]))
    assert.equal(await parts.list.remove('g'), true)
    assert.equal(await parts.list.remove('g'), false)
    await ingest(a.next([add('pdq', w)]))
    assert.equal(events.committed_.length, 0)
    assert.equal(parts.list.size, 0)
    assert.equal(parts.indexes.pdq.size, 0)
  })

  it('refuses to grow past maxItems, and writes nothing of a refused request', async function () {
    const items = Array.from({ length: 1001 }, (_, i) => ({ id: `i${i}`, hashes: { md5: toHex(randomValue('md5')) } }))
    await assert.rejects(parts.list.add(parseWatchItems(items)), { name: 'WatchError', code: 'WATCH_FULL' })
    assert.equal((await parts.list.list()).items.length, 0)
    await parts.list.add(parseWatchItems(items.slice(0, 1000)))
    assert.equal(parts.list.size, 1000)
    await parts.list.add(parseWatchItems(items.slice(0, 10)))
    assert.equal(parts.list.size, 1000, 'replacing is not growing')
  })
})
