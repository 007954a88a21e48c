import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { ExactIndex } from '../../../src/index/exactIndex.js'
import { LookupService } from '../../../src/lookup/lookupService.js'
import { SignalError, requireSignalType } from '../../../src/signals/registry.js'
import { HashStore } from '../../../src/store/hashStore.js'
import { Action, type DecodedBatch } from '../../../src/wire/types.js'
import { makeSignedBatch } from '../../helpers/batches.js'
import { toHex } from '../../../src/signals/hex.js'


describe('LookupService', function () {
  let dir: string
  let store: HashStore
  let index: ExactIndex
  let lookups: LookupService
  const alice = generateSecretKey()
  const bob = generateSecretKey()
  const value = new Uint8Array(32).fill(7)

  async function apply (batch: DecodedBatch): Promise<void> {
    await store.applyBatch(batch, { receivedAtMs: 1_000 * batch.body.seq, source: 'test' })
    for (const e of batch.body.entries) index.add(requireSignalType(e.signalType).code, e.value)
  }

  function entry (action: Action, labels: string[] = []): { signalType: string, value: Uint8Array, labels: string[], action: Action } {
    return { signalType: 'sha256', value, labels, action }
  }

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'hashmesh-lookup-'))
    store = await HashStore.open(join(dir, 'db'))
    index = new ExactIndex()
    lookups = new LookupService({ store, index })
  })

  afterEach(async function () {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reports an added hash with its provenance', async function () {
    const batch = makeSignedBatch({ secretKey: alice, seq: 1, entries: [entry(Action.ADD, ['category:x'])], createdAtMs: 5_000 })
    await apply(batch)
    const r = await lookups.lookup('sha256', toHex(value).toUpperCase())
    assert.equal(r.value, toHex(value))
    assert.equal(r.listed, true)
    assert.deepEqual(r.matches, [{
      publisher: toHex(publicKeyOf(alice)), labels: ['category:x'], batchId: toHex(batch.id), seq: 1, action: 'add',
      receivedAt: new Date(1_000).toISOString(), createdAt: new Date(5_000).toISOString(), current: true,
      publisherEquivocating: false
    }])
  })

  it('a retraction by the same publisher supersedes its add; history stays visible', async function () {
    const first = makeSignedBatch({ secretKey: alice, seq: 1, entries: [entry(Action.ADD)] })
    await apply(first)
    await apply(makeSignedBatch({ secretKey: alice, seq: 2, prev: first.id, entries: [entry(Action.RETRACT)] }))
    const r = await lookups.lookup('sha256', toHex(value))
    assert.equal(r.listed, false)
    assert.deepEqual(r.matches.map(m => [m.seq, m.action, m.current]), [[1, 'add', false], [2, 'retract', true]])
  })

  it('one publisher retracting does not unlist a hash another publisher still lists', async function () {
    const first = makeSignedBatch({ secretKey: alice, seq: 1, entries: [entry(Action.ADD)] })
    await apply(first)
    await apply(makeSignedBatch({ secretKey: alice, seq: 2, prev: first.id, entries: [entry(Action.RETRACT)] }))
    await apply(makeSignedBatch({ secretKey: bob, seq: 1, entries: [entry(Action.ADD)] }))
    const r = await lookups.lookup('sha256', toHex(value))
    assert.equal(r.listed, true)
    assert.equal(r.matches.filter(m => m.current).length, 2)
  })

  it('answers a miss from memory without touching the store', async function () {
    const untouchable = { entriesFor: async () => { throw new Error('disk touched') } } as unknown as HashStore
    const r = await new LookupService({ store: untouchable, index }).lookup('md5', '00'.repeat(16))
    assert.deepEqual(r, { type: 'md5', value: '00'.repeat(16), listed: false, matches: [] })
  })

  it('checks every query of a batch lookup before answering, naming the bad one', async function () {
    await assert.rejects(lookups.lookupMany([{ type: 'md5', value: '00'.repeat(16) }, { type: 'sha1', value: 'xyz' }]),
      (e: unknown) => e instanceof SignalError && e.code === 'BAD_SIGNAL_VALUE' && e.message.startsWith('queries[1]'))
  })
})
