import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { HashRows } from '../../../src/store/hashRows.js'
import { HashRowsCache } from '../../../src/store/hashRowsCache.js'

/** A distinct record per (key, version), so a stale answer is told from a fresh one. */
function record (key: string, version: number): HashRows {
  return { overflow: false, rows: [{ publisher: new Uint8Array(32), seq: version + 1, position: 0, createdAtMs: 0, action: 0, labels: [key] }] }
}

describe('HashRowsCache', () => {
  it('keeps nothing a read brought back after a write committed while it was in flight', () => {
    const cache = new HashRowsCache({ maxRecords: 10, maxBytes: 1000 })
    const readAt = cache.generation
    cache.written(['other'])
    cache.set('k', record('k', 0), 10, readAt)
    assert.equal(cache.get('k'), undefined)
    cache.set('k', record('k', 1), 10, cache.generation)
    assert.deepEqual(cache.get('k'), record('k', 1))
  })

  it('drops what a write rewrote', () => {
    const cache = new HashRowsCache({ maxRecords: 10, maxBytes: 1000 })
    cache.set('k', record('k', 0), 10, cache.generation)
    cache.written(['k'])
    assert.equal(cache.get('k'), undefined)
  })

  it('holds no record larger than half its bytes, and nothing at all with no room', () => {
    const cache = new HashRowsCache({ maxRecords: 10, maxBytes: 100 })
    cache.set('big', record('big', 0), 51, cache.generation)
    assert.equal(cache.get('big'), undefined)
    const none = new HashRowsCache({ maxRecords: 0, maxBytes: 0 })
    none.set('k', record('k', 0), 1, none.generation)
    assert.equal(none.size, 0)
  })

  it('keeps a hot record while cold ones stream past', () => {
    const cache = new HashRowsCache({ maxRecords: 100, maxBytes: 1_000_000 })
    cache.set('hot', record('hot', 0), 10, cache.generation)
    for (let i = 0; i < 1000; i++) {
      cache.set(`cold${i}`, record('cold', i), 10, cache.generation)
      assert.ok(cache.get('hot') !== undefined, `hot evicted after ${i} cold records`)
    }
  })

  it('stays within its bounds and never answers with a replaced record, whatever the operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(30), bytes: fc.integer({ min: 1, max: 40 }), stale: fc.boolean() }),
      fc.record({ kind: fc.constant('write' as const), key: fc.nat(30) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.nat(30) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), ops => {
      const cache = new HashRowsCache({ maxRecords: 8, maxBytes: 100 })
      const version = new Map<string, number>()
      for (const o of ops) {
        const key = `k${o.key}`
        const v = version.get(key) ?? 0
        if (o.kind === 'write') {
          version.set(key, v + 1)
          cache.written([key])
        } else if (o.kind === 'set') {
          const readAt = cache.generation
          if (o.stale) cache.written([])
          cache.set(key, record(key, v), o.bytes, readAt)
        } else {
          const got = cache.get(key)
          if (got !== undefined) assert.deepEqual(got, record(key, v))
        }
        assert.ok(cache.size <= 8, `size ${cache.size}`)
      }
    }), { numRuns: 300 })
  })
})
