import assert from 'node:assert/strict'
import { MAX_PROVENANCE_ROWS, type Verdict, viaOf, provenance } from '../../../src/audit/provenance.js'
import { toHex } from '../../../src/signals/hex.js'
import type { HashStore } from '../../../src/store/hashStore.js'
import { signedBatchKey } from '../../../src/store/keys.js'
import { decodeStoredBatch, encodeStoredBatch } from '../../../src/store/records.js'
import { Action } from '../../../src/wire/types.js'
import { TempStore, rawDbOf } from '../store/storeFixtures.js'
import { DAY, Publisher, T0, hashEntry, opinionEntry, randomMd5, standingOf } from './auditFixtures.js'
import { LOCAL_SOURCE, gossipSource, syncSource } from '../../../src/wire/batchSource.js'

const VERDICT: Verdict = { match: true, reasons: ['listed by Org B (csam)'], listed: true }

describe('provenance', () => {
  const temp = new TempStore()
  let store: HashStore
  const a = new Publisher()
  const b = new Publisher()
  const c = new Publisher()
  const hash = randomMd5()
  const asked: Array<[string, string]> = []
  const components = (): Parameters<typeof provenance>[0] => ({
    store,
    standing: standingOf({ [a.hex]: 'Org A', [b.hex]: 'Org B' }),
    verdict: async (type, value) => { asked.push([type, value]); return VERDICT },
    allowlist: {
      get: (code, value) => code === 1 && toHex(value) === toHex(hash) ? { note: 'stock photo', author: 'alice', addedAtMs: T0 + 9 * DAY } : undefined
    },
    equivocations: { isEquivocating: p => p === c.hex }
  })

  before(async () => {
    store = await temp.setup()
    // Added by A, confirmed by B, reported false positive by C (same created-at as B's, received
    // later), retracted by A, then added by B.
    const peerX = gossipSource('12D3KooWPeerX')
    await a.publish(store, [hashEntry(randomMd5()), hashEntry(hash, Action.ADD, ['csam'])], T0 + DAY, { receivedAtMs: T0 + DAY + 5, source: peerX })
    const peerY = syncSource('12D3KooWPeerY')
    await b.publish(store, [opinionEntry(hash, Action.CONFIRM, 'seen_it')], T0 + 2 * DAY, { receivedAtMs: T0 + 2 * DAY + 1, source: peerY })
    await c.publish(store, [opinionEntry(hash, Action.FALSE_POSITIVE, 'not_violating')], T0 + 2 * DAY, { receivedAtMs: T0 + 2 * DAY + 2, source: peerX })
    await a.publish(store, [hashEntry(hash, Action.RETRACT, [])], T0 + 3 * DAY, { receivedAtMs: T0 + 3 * DAY + 5, source: gossipSource('12D3KooWPeerX') })
    await b.publish(store, [hashEntry(hash, Action.ADD, ['csam', 'extra'])], T0 + 4 * DAY, { receivedAtMs: T0 + 4 * DAY, source: LOCAL_SOURCE })
  })
  after(async () => { await temp.teardown() })

  it('orders every entry by created-at, then received-at, and says who, how and whether it still holds', async () => {
    const report = await provenance(components(), 'md5', toHex(hash).toUpperCase())
    assert.equal(report.type, 'md5')
    assert.equal(report.value, toHex(hash))
    assert.equal(report.truncated, false)
    assert.deepEqual(report.events.map(e => [e.publisher, e.action, e.current]), [
      [a.hex, 'add', false],
      [b.hex, 'confirm', true],
      [c.hex, 'false_positive', true],
      [a.hex, 'retract', true],
      [b.hex, 'add', true]
    ])
    const [added, confirmed, reported, , readded] = report.events
    assert.deepEqual(added, {
      kind: 'hash', action: 'add', labels: ['csam'], publisher: a.hex, organisation: 'Org A', serial: 7, root: 'ab'.repeat(32),
      standing: 'member', visible: true, publisherEquivocating: false, seq: 1, position: 1, batchId: added!.batchId,
      signature: 'valid', createdAt: new Date(T0 + DAY).toISOString(), receivedAt: new Date(T0 + DAY + 5).toISOString(),
      via: { path: 'gossip', peer: '12D3KooWPeerX' }, current: false
    })
    assert.deepEqual([confirmed!.kind, confirmed!.reason, confirmed!.via], ['opinion', 'seen_it', { path: 'sync', peer: '12D3KooWPeerY' }])
    const { standing, visible, organisation, publisherEquivocating } = reported!
    assert.deepEqual([standing, visible, organisation, publisherEquivocating], ['no-credential', false, undefined, true])
    assert.deepEqual([readded!.labels, readded!.via, readded!.signature], [['csam', 'extra'], { path: 'local' }, 'valid'])
  })

  it('carries the verdict for the exact hash and the allowlist mark', async () => {
    asked.length = 0
    const report = await provenance(components(), 'md5', toHex(hash))
    assert.deepEqual(report.verdict, VERDICT)
    assert.deepEqual(asked, [['md5', toHex(hash)]])
    assert.deepEqual(report.allowlisted, { note: 'stock photo', author: 'alice', addedAt: new Date(T0 + 9 * DAY).toISOString() })
    const unknown = await provenance(components(), 'sha256', '00'.repeat(32))
    assert.deepEqual([unknown.events, unknown.allowlisted], [[], undefined])
  })

  it('refuses a bad type or value with the signal error codes', async () => {
    await assert.rejects(provenance(components(), 'crc32', '00'), { code: 'UNKNOWN_SIGNAL_TYPE' })
    await assert.rejects(provenance(components(), 'md5', 'xyz'), { code: 'BAD_SIGNAL_VALUE' })
  })

  it('re-verifies each batch: a tampered one is invalid, a deleted one missing', async () => {
    const db = rawDbOf(store)
    const k = signedBatchKey(a.publicKey, 1)
    const original = (await db.get(k))
    const stored = decodeStoredBatch(original)
    const signed = Uint8Array.from(stored.signed)
    signed[signed.length - 1]! ^= 1
    await db.put(k, encodeStoredBatch({ ...stored, signed }))
    assert.equal((await provenance(components(), 'md5', toHex(hash))).events[0]!.signature, 'invalid')
    await db.del(k)
    const missing = (await provenance(components(), 'md5', toHex(hash))).events[0]!
    assert.deepEqual([missing.signature, missing.via], ['missing', { path: 'unknown' }])
    await db.put(k, original)
    assert.equal((await provenance(components(), 'md5', toHex(hash))).events[0]!.signature, 'valid')
  })

  it('stops at MAX_PROVENANCE_ROWS and says so', async () => {
    const many = randomMd5()
    const d = new Publisher()
    await d.publish(store, Array.from({ length: MAX_PROVENANCE_ROWS + 5 }, () => hashEntry(many)), T0, { receivedAtMs: T0, source: LOCAL_SOURCE })
    const report = await provenance(components(), 'md5', toHex(many))
    assert.equal(report.truncated, true)
    assert.equal(report.events.length, MAX_PROVENANCE_ROWS)
    assert.ok(report.events.every(e => !e.current && e.signature === 'valid'))
  })

  it('reads where a batch came from out of its stored source', () => {
    assert.deepEqual(viaOf(LOCAL_SOURCE), { path: 'local' })
    assert.deepEqual(viaOf(gossipSource('p1')), { path: 'gossip', peer: 'p1' })
    assert.deepEqual(viaOf(syncSource('p2')), { path: 'sync', peer: 'p2' })
  })
})
