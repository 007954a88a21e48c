import assert from 'node:assert/strict'
import fc from 'fast-check'
import { type BatchLimits, type InputBatch, WIRE_BATCH_LIMITS, splitIntoBatches } from '../../../src/cli/input/batchSplitter.js'
import type { EntryRow } from '../../../src/cli/input/entryRow.js'
import { BODY_HEADER_BYTES, entryWireBytes } from '../../../src/cli/input/entrySize.js'
import { entryFromInput } from '../../../src/node/batchPublisher.js'
import type { EntryInput } from '../../../src/node/interface.js'
import { SIGNAL_TYPES } from '../../../src/signals/registry.js'
import { encodeBatchBody } from '../../../src/wire/batchCodec.js'
import { MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH, MAX_LABELS_PER_ENTRY } from '../../../src/wire/limits.js'

function encodedBodyBytes (entries: readonly EntryInput[]): number {
  return encodeBatchBody({
    publisher: new Uint8Array(32).fill(1),
    seq: Number.MAX_SAFE_INTEGER,
    prev: new Uint8Array(32).fill(2),
    createdAtMs: Number.MAX_SAFE_INTEGER,
    network: 'n'.repeat(64),
    entries: entries.map(entryFromInput)
  }).length
}

async function * rowsOf (entries: readonly EntryInput[]): AsyncGenerator<EntryRow> {
  for (const [i, entry] of entries.entries()) yield { line: i + 2, entry }
}

async function split (entries: readonly EntryInput[], limits?: BatchLimits): Promise<InputBatch[]> {
  const batches: InputBatch[] = []
  for await (const b of splitIntoBatches(rowsOf(entries), limits)) batches.push(b)
  return batches
}

const label = fc.stringMatching(/^[a-z0-9:_-]{1,64}$/)
const hashAction: fc.Arbitrary<EntryInput> = fc.record({
  type: fc.constantFrom(...SIGNAL_TYPES.map(t => t.name)),
  labels: fc.array(label, { maxLength: MAX_LABELS_PER_ENTRY }),
  retract: fc.boolean(),
  seed: fc.uint8Array({ minLength: 32, maxLength: 32 })
}).map(({ type, labels, retract, seed }) => {
  const length = SIGNAL_TYPES.find(t => t.name === type)!.length
  const e: EntryInput = { type, value: Buffer.from(seed.subarray(0, length)).toString('hex'), labels }
  if (retract) e.action = 'retract'
  return e
})

/** Opinions carry no labels and may carry a reason code. */
const opinion: fc.Arbitrary<EntryInput> = fc.record({
  action: fc.constantFrom('confirm', 'false_positive', 'dispute', 'withdraw'),
  reason: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,31}$/), { nil: undefined }),
  seed: fc.uint8Array({ minLength: 32, maxLength: 32 })
}).map(({ action, reason, seed }) => ({ type: 'sha256', value: Buffer.from(seed).toString('hex'), labels: [], action,
  ...(reason === undefined ? {} : { reason }) }))

const entry = fc.oneof(hashAction, opinion)

const md5 = (i: number): EntryInput => ({ type: 'md5', value: i.toString(16).padStart(32, '0'), labels: [] })

describe('cli: batch splitter', () => {
  it('estimates never undershoot the real encoding (property)', () => {
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 40 }), entries => {
      const estimate = BODY_HEADER_BYTES + entries.reduce((n, e) => n + entryWireBytes(e), 0)
      const actual = encodedBodyBytes(entries)
      assert.ok(estimate >= actual, `estimate ${estimate} < actual ${actual}`)
      // Over-counted: the two-byte action field (omitted for add) per entry, and the 10-byte varint
      // reserve for seq and created_at_ms, which take 8 bytes at most below 2^53.
      assert.ok(estimate - actual <= 2 * entries.length + 4, `estimate ${estimate} far above actual ${actual}`)
    }), { numRuns: 300 })
  })

  it('cuts at the entry count bound', async () => {
    const batches = await split(Array.from({ length: 2 * MAX_ENTRIES_PER_BATCH + 1 }, (_, i) => md5(i)))
    assert.deepEqual(batches.map(b => b.entries.length), [MAX_ENTRIES_PER_BATCH, MAX_ENTRIES_PER_BATCH, 1])
    assert.deepEqual(batches.map(b => [b.firstLine, b.lastLine]), [[2, 10_001], [10_002, 20_001], [20_002, 20_002]])
  })

  it('cuts at the size bound, every batch encodable within MAX_BODY_BYTES', async () => {
    const big: EntryInput = { type: 'sha256', value: 'ab'.repeat(32),
      labels: Array.from({ length: MAX_LABELS_PER_ENTRY }, (_, i) => `${i}`.padEnd(64, 'x')), action: 'retract' }
    const batches = await split(Array.from({ length: 3000 }, () => big))
    assert.ok(batches.length >= 3, `${batches.length} batches`)
    for (const b of batches) {
      assert.ok(b.entries.length < MAX_ENTRIES_PER_BATCH)
      assert.ok(encodedBodyBytes(b.entries) <= MAX_BODY_BYTES)
    }
    const first = batches[0]!.entries
    assert.ok(BODY_HEADER_BYTES + (first.length + 1) * entryWireBytes(big) > MAX_BODY_BYTES, 'one more entry would not fit')
    assert.equal(batches.reduce((n, b) => n + b.entries.length, 0), 3000)
  })

  it('keeps order and loses nothing under arbitrary small limits (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(entry, { maxLength: 60 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1500, max: 6000 }),
      async (entries, maxEntries, maxBodyBytes) => {
        const batches = await split(entries, { maxEntries, maxBodyBytes })
        assert.deepEqual(batches.flatMap(b => b.entries), entries)
        for (const b of batches) {
          assert.ok(b.entries.length >= 1 && b.entries.length <= maxEntries)
          assert.ok(BODY_HEADER_BYTES + b.entries.reduce((n, e) => n + entryWireBytes(e), 0) <= maxBodyBytes)
        }
      }), { numRuns: 200 })
  })

  it('yields nothing for no input', async () => {
    assert.deepEqual(await split([]), [])
  })

  it('uses the wire bounds by default', () => {
    assert.deepEqual(WIRE_BATCH_LIMITS, { maxEntries: MAX_ENTRIES_PER_BATCH, maxBodyBytes: MAX_BODY_BYTES })
  })
})
