import assert from 'node:assert/strict'
import fc from 'fast-check'
import { torbenMedian } from '../../../src/hashing/pdq/median.js'

/** The reference's median of 256 values is the 128th smallest (the lower of the two middle ones). */
function sortedMiddle (values: Float32Array): number {
  const sorted = Float32Array.from(values).sort()
  return sorted[(values.length + 1 >> 1) - 1]!
}

describe('hashing: Torben median', function () {
  it('property: equals the 128th smallest of 256 floats', function () {
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 256, maxLength: 256 }), values => {
      const m = Float32Array.from(values)
      const [got, want] = [torbenMedian(m), sortedMiddle(m)]
      // === rather than Object.is: the reference cannot tell 0 from -0 either.
      assert.ok(got === want, `median ${got}, 128th smallest ${want}`)
    }), { numRuns: 300 })
  })

  it('property: with many ties (values from a small set) as well', function () {
    fc.assert(fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 256, maxLength: 256 }), values => {
      const m = Float32Array.from(values, v => v / 4)
      assert.equal(torbenMedian(m), sortedMiddle(m))
    }), { numRuns: 300 })
  })

  it('does not reorder its input', function () {
    const m = Float32Array.from({ length: 256 }, (_, i) => (i * 37) % 256)
    const copy = m.slice()
    torbenMedian(m)
    assert.deepEqual(m, copy)
  })
})
