import assert from 'node:assert/strict'
import fc from 'fast-check'
import { InputError } from '../../../src/cli/input/inputError.js'
import { WatchItemChunker, parseWatchRow, watchCsvChunks } from '../../../src/cli/input/watchCsv.js'
import { toHex } from '../../../src/signals/hex.js'
import { requireSignalType } from '../../../src/signals/registry.js'
import { WATCH_ITEM_KEY, WATCH_ITEM_VALUE, WATCH_MATCH_VALUE } from '../../../src/store/watchRecords.js'
import { WatchError } from '../../../src/watch/watchError.js'
import { WATCH_HASH_TYPES, type WatchItemInput, parseWatchItem } from '../../../src/watch/watchInput.js'

/** Code points, whole: the emoji is one unit of two UTF-16 code units. */
const UNITS = ['a', 'b', 'c', 'X', 'Z', '0', '9', ' ', '_', '-', '.', '/', ':', 'é', 'ж', '漢', '😀']
const printable = fc.array(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 256 }).map(units => units.join(''))
const control = fc.constantFrom('\u0000', '\u0007', '\n', '\r', '\u001b', '\u202e', '\u2028', '\u200f', '\ud83d')

function hashesArb (): fc.Arbitrary<Partial<Record<typeof WATCH_HASH_TYPES[number], string>>> {
  const one = (t: typeof WATCH_HASH_TYPES[number]): fc.Arbitrary<string> => {
    const { length } = requireSignalType(t)
    return fc.uint8Array({ minLength: length, maxLength: length }).map(toHex)
  }
  // Mapped to a plain object: fc.record may build one without a prototype, which deepEqual tells apart.
  return fc.record({ md5: one('md5'), sha1: one('sha1'), sha256: one('sha256'), pdq: one('pdq') }, { requiredKeys: [] })
    .map(h => ({ ...h }))
    .filter(h => Object.keys(h).length > 0)
}

async function * text (s: string): AsyncGenerator<string> { yield s }

describe('watch input: property tests of the validator, the CSV reader and the stored records', function () {
  it('every item of printable ids and well-formed hashes is accepted, and survives the store codecs unchanged', () => {
    fc.assert(fc.property(printable, hashesArb(), (id, hashes) => {
      const item = parseWatchItem({ id, hashes })
      assert.equal(item.contentId, id)
      assert.deepEqual(item.hashes.map(h => toHex(h.value)).sort(), Object.values(hashes).map(v => v.toLowerCase()).sort())
      assert.equal(WATCH_ITEM_KEY.decode(WATCH_ITEM_KEY.encode(id)), id)
      const stored = WATCH_ITEM_VALUE.decode(WATCH_ITEM_VALUE.encode({ hashes: item.hashes, addedAtMs: 5 }))
      assert.deepEqual(stored.hashes.map(h => [h.signalTypeCode, toHex(h.value)]), item.hashes.map(h => [h.signalTypeCode, toHex(h.value)]))
    }))
  })

  it('an id with a control, format or separator character anywhere is refused, by the validator and the key codec', () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), control, fc.string({ maxLength: 100 }), (pre, c, post) => {
      const id = pre + c + post
      assert.throws(() => parseWatchItem({ id, hashes: { md5: '00'.repeat(16) } }), (e: unknown) => e instanceof WatchError && e.code === 'BAD_CONTENT_ID')
      assert.throws(() => WATCH_ITEM_KEY.encode(id), { code: 'CORRUPT_RECORD' })
    }))
  })

  it('a value of the wrong length or not hex is refused naming its type', () => {
    fc.assert(fc.property(fc.constantFrom(...WATCH_HASH_TYPES), fc.string({ maxLength: 80 }), (type, value) => {
      const good = value.length === requireSignalType(type).length * 2 && /^[0-9a-fA-F]*$/.test(value)
      const parse = (): unknown => parseWatchItem({ id: 'x', hashes: { [type]: value } })
      if (good) parse()
      else assert.throws(parse, (e: unknown) => e instanceof WatchError && e.code === 'BAD_WATCH_HASHES' && e.message.includes(type))
    }))
  })

  it('a stored match state decodes to what was encoded', () => {
    const value = fc.uint8Array({ minLength: 32, maxLength: 32 })
    const row = fc.record({ d: fc.integer({ min: 0, max: 256 }), v: value, id: fc.string({ minLength: 1, maxLength: 40 }) })
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), rows => {
      const state = { matched: rows.map(r => ({ signalTypeCode: 4, value: r.v, distance: r.d, matchId: r.id })) }
      const decoded = WATCH_MATCH_VALUE.decode(WATCH_MATCH_VALUE.encode(state))
      assert.deepEqual(decoded.matched.map(m => [toHex(m.value), m.distance, m.matchId]), rows.map(r => [toHex(r.v), r.d, r.id]))
    }))
  })

  it('the CSV reader gives back exactly the items written, in requests of at most the limit, whatever the row order within an item', async () => {
    // csv-parse trims cells, so an id with spaces at either end is not what this property is about.
    const ids = fc.uniqueArray(printable.filter(s => s.trim() === s), { minLength: 1, maxLength: 30 })
    const hashesOfEach = fc.array(hashesArb(), { minLength: 30, maxLength: 30 })
    await fc.assert(fc.asyncProperty(ids, fc.integer({ min: 1, max: 7 }), hashesOfEach, async (ids, limit, hashes) => {
      const items: WatchItemInput[] = ids.map((id, i) => ({ id, hashes: hashes[i]! }))
      const rows = items.flatMap(i => Object.entries(i.hashes).map(([t, v]) => `"${i.id.replaceAll('"', '""')}",${t},${v}`))
      const out: WatchItemInput[][] = []
      for await (const o of watchCsvChunks(text(['content_id,type,value', ...rows].join('\n')), 'f.csv', limit)) {
        assert.ok('items' in o, 'refused' in o ? o.refused.message : '')
        out.push(o.items)
      }
      assert.ok(out.every(c => c.length <= limit))
      assert.deepEqual(out.flat(), items)
    }), { numRuns: 50 })
  })

  it('a bad row names its line; a second value of one type for one item is refused', () => {
    assert.throws(() => parseWatchRow(['x', 'md5', 'zz'], [0, 1, 2], 'f.csv', 7), (e: unknown) => e instanceof InputError && e.message.startsWith('f.csv:7: '))
    const chunker = new WatchItemChunker(10)
    chunker.add({ contentId: 'x', type: 'md5', value: '00'.repeat(16) }, 'f.csv', 2)
    assert.throws(() => chunker.add({ contentId: 'x', type: 'md5', value: '11'.repeat(16) }, 'f.csv', 3), /f\.csv:3: content_id has a second md5 value/)
  })

  it('refuses a row of an id whose item was already sent, rather than replace the item with only its later hashes', () => {
    const chunker = new WatchItemChunker(1)
    chunker.add({ contentId: 'x', type: 'md5', value: '00'.repeat(16) }, 'f.csv', 2)
    assert.deepEqual(chunker.add({ contentId: 'y', type: 'md5', value: '11'.repeat(16) }, 'f.csv', 3)?.map(i => i.id), ['x'])
    assert.throws(() => chunker.add({ contentId: 'x', type: 'sha1', value: '22'.repeat(20) }, 'f.csv', 4), /f\.csv:4: content_id was already sent/)
  })
})
