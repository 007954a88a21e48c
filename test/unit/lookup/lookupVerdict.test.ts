import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import type { RowKind, RowStanding, StandingView } from '../../../src/forum/standing.js'
import type { AllowlistMark, AllowlistView } from '../../../src/lookup/allowlistView.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import type { MatchPolicyOptions } from '../../../src/lookup/matchPolicy.js'
import { toHex } from '../../../src/signals/hex.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { Action, type DecodedBatch, type Entry } from '../../../src/wire/types.js'
import { makeSignedBatch } from '../../helpers/batches.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

/** `base` with the first `bits` bits flipped. */
function flipped (base: Uint8Array, bits: number): Uint8Array<ArrayBuffer> {
  const out = Uint8Array.from(base)
  for (let i = 0; i < bits; i++) out[i >> 3]! ^= 1 << (i & 7)
  return out
}

/** Membership as a table: each key's organisation, and a rule deciding which of its rows stand. */
class TableStanding implements StandingView {
  readonly rules = new Map<string, { organisation?: string, visible?: (seq: number, kind: RowKind) => boolean }>()
  calls = 0

  standing (publisher: Uint8Array, seq: number, _createdAtMs: number, kind: RowKind): RowStanding {
    this.calls++
    const rule = this.rules.get(toHex(publisher))
    if (rule === undefined) return { status: 'no-credential', visible: false }
    const visible = rule.visible?.(seq, kind) ?? true
    return { status: visible ? 'member' : 'after-cut', visible, ...(rule.organisation === undefined ? {} : { organisation: rule.organisation }) }
  }
}

class MapAllowlist implements AllowlistView {
  readonly marks = new Map<string, AllowlistMark>()
  get (code: number, value: Uint8Array): AllowlistMark | undefined {
    return this.marks.get(`${code}:${toHex(value)}`)
  }
}

describe('LookupService: membership, opinions, allowlist and policy', function () {
  let dir: string
  let store: HashStore
  let indexes: LookupIndexes
  let standing: TableStanding
  let allowlist: MapAllowlist
  const keys = { alice: generateSecretKey(), bob: generateSecretKey(), carol: generateSecretKey(), dave: generateSecretKey() }
  const hexOf = (k: Uint8Array): string => toHex(publicKeyOf(k))
  const last = new Map<Uint8Array, DecodedBatch>()
  const value = new Uint8Array(32).fill(9)
  const SHA256 = requireSignalType('sha256').code

  async function publish (secretKey: Uint8Array, entries: Entry[]): Promise<void> {
    const prev = last.get(secretKey)
    const batch = makeSignedBatch({ secretKey, seq: (prev?.body.seq ?? 0) + 1, prev: prev?.id, entries, createdAtMs: 5_000 })
    last.set(secretKey, batch)
    await store.applyBatch(batch, { receivedAtMs: 1_000, source: gossipSource('test') })
    await indexes.applyStored(batch)
  }

  const add = (labels: string[] = [], v: Uint8Array = value, signalType = 'sha256'): Entry => ({ signalType, value: v, labels, action: Action.ADD })
  const opine = (action: Action, reason?: string, v: Uint8Array = value, signalType = 'sha256'): Entry =>
    ({ signalType, value: v, labels: [], action, ...(reason === undefined ? {} : { reason }) })

  function service (policy?: MatchPolicyOptions): LookupService {
    return new LookupService({ store, indexes, standing, allowlist, ...(policy === undefined ? {} : { policy }) })
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-verdict-'))
    store = await HashStore.open(join(dir, 'db'))
    indexes = new LookupIndexes(store)
    standing = new TableStanding()
    standing.rules.set(hexOf(keys.alice), { organisation: 'Acme' })
    standing.rules.set(hexOf(keys.bob), { organisation: 'Acme' })
    standing.rules.set(hexOf(keys.carol), { organisation: 'Beta' })
    allowlist = new MapAllowlist()
    last.clear()
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('gives each entry its organisation, standing and reason, and the hash its tallies and verdict', async function () {
    await publish(keys.carol, [add(['csam'])])
    await publish(keys.alice, [opine(Action.CONFIRM, 'verified')])
    await publish(keys.bob, [opine(Action.CONFIRM)])
    const r = await service().lookup('sha256', toHex(value))
    assert.equal(r.match, true)
    assert.deepEqual(r.matches.map(m => [m.organisation, m.standing, m.action, m.reason]).sort(), [
      ['Acme', 'member', 'confirm', 'verified'], ['Acme', 'member', 'confirm', undefined], ['Beta', 'member', 'add', undefined]
    ].sort())
    const [h] = r.hashes
    assert.deepEqual(h?.opinions.confirm, { count: 1, organisations: ['Acme'], publishers: 2 })
    assert.deepEqual(h?.addedBy, [{ publisher: hexOf(keys.carol), organisation: 'Beta', labels: ['csam'] }])
    assert.deepEqual(h?.reasons, ['listed by 1 organisation (Beta)'])
    assert.equal(standing.calls, 3, 'one standing per row, no more')
  })

  it('hidden rows count for nothing: not in matches, not listed, not tallied', async function () {
    standing.rules.delete(hexOf(keys.carol))
    await publish(keys.carol, [add()])
    const hidden = await service().lookup('sha256', toHex(value))
    assert.deepEqual([hidden.listed, hidden.match, hidden.matches, hidden.hashes], [false, false, [], []])
    await publish(keys.alice, [add()])
    await publish(keys.carol, [opine(Action.FALSE_POSITIVE)])
    const r = await service({ falsePositiveThreshold: 1, confirmationsRequired: {} }).lookup('sha256', toHex(value))
    assert.equal(r.match, true, "carol's report does not count")
    assert.deepEqual(r.matches.map(m => m.publisher), [hexOf(keys.alice)])
    assert.equal(r.hashes[0]?.opinions.falsePositive.count, 0)
  })

  it('a hidden later word leaves the earlier visible one current', async function () {
    standing.rules.set(hexOf(keys.alice), { organisation: 'Acme', visible: seq => seq < 2 })
    await publish(keys.alice, [add()])
    await publish(keys.alice, [{ ...add(), action: Action.RETRACT }])
    const r = await service().lookup('sha256', toHex(value))
    assert.equal(r.listed, true)
    assert.deepEqual(r.matches.map(m => [m.seq, m.action, m.current]), [[1, 'add', true]])
  })

  it('asks standing by kind: a member who may publish but not opine keeps its adds only', async function () {
    standing.rules.set(hexOf(keys.dave), { organisation: 'Delta', visible: (_seq, kind) => kind === 'hash' })
    await publish(keys.dave, [add()])
    await publish(keys.dave, [opine(Action.DISPUTE)])
    const r = await service().lookup('sha256', toHex(value))
    assert.deepEqual(r.matches.map(m => m.action), ['add'])
    assert.equal(r.hashes[0]?.disputed, false)
  })

  it('an allowlisted hash stays listed but never matches, and says who allowlisted it and why', async function () {
    await publish(keys.alice, [add()])
    allowlist.marks.set(`${SHA256}:${toHex(value)}`, { note: 'stock photo', author: 'ops@host', addedAtMs: 7_000 })
    const r = await service().lookup('sha256', toHex(value))
    assert.deepEqual([r.listed, r.match], [true, false])
    assert.deepEqual(r.hashes[0]?.allowlisted, { note: 'stock photo', author: 'ops@host', addedAt: new Date(7_000).toISOString() })
    assert.deepEqual(r.hashes[0]?.reasons, ['allowlisted by ops@host: stock photo'])
  })

  it('false-positive reports past the threshold stop a match; a withdraw or a changed opinion restores it', async function () {
    const policy = { falsePositiveThreshold: 2, confirmationsRequired: {} }
    await publish(keys.alice, [add()])
    await publish(keys.carol, [opine(Action.FALSE_POSITIVE, 'not_violating')])
    await publish(keys.bob, [opine(Action.FALSE_POSITIVE)])
    const reported = await service(policy).lookup('sha256', toHex(value))
    assert.equal(reported.match, false)
    assert.equal(reported.hashes[0]?.disputed, false)
    await publish(keys.bob, [opine(Action.WITHDRAW)])
    assert.equal((await service(policy).lookup('sha256', toHex(value))).match, true, 'withdrawn')
    await publish(keys.bob, [opine(Action.FALSE_POSITIVE)])
    assert.equal((await service(policy).lookup('sha256', toHex(value))).match, false, 'reported again')
    await publish(keys.bob, [opine(Action.CONFIRM)])
    const changed = await service(policy).lookup('sha256', toHex(value))
    assert.equal(changed.match, true, 'a confirm supersedes the same publisher\'s report')
    assert.equal(changed.hashes[0]?.disputed, true, 'one confirms, another reports a false positive')
    assert.deepEqual(changed.matches.filter(m => m.publisher === hexOf(keys.bob)).map(m => [m.action, m.current]),
      [['false_positive', false], ['withdraw', false], ['false_positive', false], ['confirm', true]])
  })

  it('a label needing confirmations matches once enough organisations confirm', async function () {
    const policy = { falsePositiveThreshold: 0, confirmationsRequired: { csam: 2 } }
    await publish(keys.carol, [add(['csam'])])
    await publish(keys.alice, [opine(Action.CONFIRM)])
    await publish(keys.bob, [opine(Action.CONFIRM)])
    assert.equal((await service(policy).lookup('sha256', toHex(value))).match, false, 'Acme twice is one organisation')
    standing.rules.set(hexOf(keys.dave), {})
    await publish(keys.dave, [opine(Action.CONFIRM)])
    const r = await service(policy).lookup('sha256', toHex(value))
    assert.equal(r.match, true)
    assert.deepEqual(r.hashes[0]?.opinions.confirm.organisations, ['Acme', hexOf(keys.dave)].sort())
  })

  it('PDQ: one summary per near hash with a visible entry, each judged on its own', async function () {
    const base = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)
    const near = flipped(base, 4)
    const nearer = flipped(base, 2)
    const hiddenOnly = flipped(base, 6)
    standing.rules.set(hexOf(keys.dave), { visible: () => false })
    await publish(keys.alice, [add([], near, 'pdq'), add([], nearer, 'pdq')])
    await publish(keys.dave, [add([], hiddenOnly, 'pdq')])
    allowlist.marks.set(`${requireSignalType('pdq').code}:${toHex(nearer)}`, { note: 'meme', author: 'ops', addedAtMs: 0 })
    const r = await service().lookup('pdq', toHex(base))
    assert.deepEqual(r.hashes.map(h => [h.value, h.distance, h.match]), [[toHex(nearer), 2, false], [toHex(near), 4, true]])
    assert.equal(r.match, true)
    assert.deepEqual(r.matches.map(m => m.value), [toHex(nearer), toHex(near)])
    allowlist.marks.set(`${requireSignalType('pdq').code}:${toHex(near)}`, { note: 'meme', author: 'ops', addedAtMs: 0 })
    const none = await service().lookup('pdq', toHex(base))
    assert.deepEqual([none.listed, none.match], [true, false])
  })
})
