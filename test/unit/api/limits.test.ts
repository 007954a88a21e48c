import assert from 'node:assert/strict'
import { LOOKUP_BODY_LIMIT, MAX_LOOKUP_QUERIES, PUBLISH_BODY_LIMIT } from '../../../src/api/limits.js'
import { MAX_PDQ_DISTANCE, MAX_PDQ_VARIANTS } from '../../../src/lookup/limits.js'
import { entryFromInput } from '../../../src/node/batchPublisher.js'
import type { EntryInput } from '../../../src/node/interface.js'
import { encodeBatchBody } from '../../../src/wire/batchCodec.js'
import { MAX_BODY_BYTES, MAX_ENTRIES_PER_BATCH, MAX_LABEL_BYTES, MAX_LABELS_PER_ENTRY } from '../../../src/wire/limits.js'

function encodedSize (entries: readonly EntryInput[]): number {
  return encodeBatchBody({
    publisher: new Uint8Array(32),
    seq: 2,
    prev: new Uint8Array(32),
    createdAtMs: Date.now(),
    network: 'n'.repeat(64),
    entries: entries.map(entryFromInput)
  }).length
}

/** The most entries of this shape that one publishable batch can hold. */
function fullestBatch (entry: EntryInput): EntryInput[] {
  const one = encodedSize([entry])
  const perEntry = encodedSize([entry, entry]) - one
  const n = Math.min(MAX_ENTRIES_PER_BATCH, 1 + Math.floor((MAX_BODY_BYTES - one) / perEntry))
  return Array.from({ length: n }, () => entry)
}

describe('api: body limits admit every publishable request', () => {
  // Shapes where JSON is largest relative to the wire: short fields (key names dominate), labels
  // that JSON must escape, and the longest labels.
  const fullLabels = (label: string): string[] => Array.from({ length: MAX_LABELS_PER_ENTRY }, () => label)
  const shapes: Array<[string, EntryInput]> = [
    ['bare md5 add with every optional field', { type: 'md5', value: 'ab'.repeat(16), labels: [], action: 'add' }],
    ['md5 with 16 one-char escaped labels', { type: 'md5', value: 'ab'.repeat(16), labels: fullLabels('"'), action: 'retract' }],
    ['sha256 with 16 longest escaped labels', { type: 'sha256', value: 'ab'.repeat(32), labels: fullLabels('\\'.repeat(MAX_LABEL_BYTES)), action: 'retract' }],
    ['md5 opinion with the longest reason', { type: 'md5', value: 'ab'.repeat(16), labels: [], action: 'false_positive', reason: 'x'.repeat(32) }],
    ['md5 opinion with a one-character reason', { type: 'md5', value: 'ab'.repeat(16), action: 'false_positive', reason: 'x' }],
    ['pdq with 16 longest plain labels', { type: 'pdq', value: 'ab'.repeat(32), labels: fullLabels('x'.repeat(MAX_LABEL_BYTES)) }]
  ]
  for (const [name, entry] of shapes) {
    it(`POST /v1/batches: ${name}`, () => {
      const entries = fullestBatch(entry)
      assert.ok(encodedSize(entries) <= MAX_BODY_BYTES)
      const json = Buffer.byteLength(JSON.stringify({ entries }, null, 1))
      assert.ok(json < PUBLISH_BODY_LIMIT, `${entries.length} entries are ${json} bytes of JSON, limit ${PUBLISH_BODY_LIMIT}`)
    })
  }

  it('POST /v1/lookup: a full request of the longest queries without variants, pretty-printed', () => {
    const queries = Array.from({ length: MAX_LOOKUP_QUERIES }, () => ({ type: 'pdq', value: 'ab'.repeat(32), maxDistance: MAX_PDQ_DISTANCE }))
    assert.ok(Buffer.byteLength(JSON.stringify({ queries }, null, 2)) < LOOKUP_BODY_LIMIT)
  })

  it('POST /v1/lookup: 2,900 queries with every variant, pretty-printed', () => {
    const pdq = 'ab'.repeat(32)
    const variants = Array.from({ length: MAX_PDQ_VARIANTS }, () => pdq)
    const queries = Array.from({ length: 2900 }, () => ({ type: 'pdq', value: pdq, maxDistance: MAX_PDQ_DISTANCE, variants }))
    assert.ok(Buffer.byteLength(JSON.stringify({ queries }, null, 2)) < LOOKUP_BODY_LIMIT)
  })
})

describe('api: body limits refuse what no route needs', () => {
  it('POST /v1/lookup: about 2 MiB, not the 9 MB that let a nested-array body stall the node', () => {
    assert.ok(LOOKUP_BODY_LIMIT <= 2 * 1024 * 1024)
  })
})
