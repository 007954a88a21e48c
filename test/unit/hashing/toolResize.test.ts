import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { MAX_IMAGE_PIXELS } from '../../../src/hashing/fileHasher.js'
import { decodeImage } from '../../../src/hashing/imageDecoder.js'
import { nearestSourceIndex, TOOL_RESIZE_SIDE, toolResize } from '../../../src/hashing/pdq/toolResize.js'
import { vectorPath } from '../../helpers/pdqVectors.js'
import { noiseImage } from './fixtures.js'

describe('hashing: tool-mode resize', function () {
  it('source index is floor(dst × old / 512)', function () {
    assert.equal(nearestSourceIndex(0, 1600, 512), 0)
    assert.equal(nearestSourceIndex(1, 1600, 512), 3)
    assert.equal(nearestSourceIndex(511, 1600, 512), 1596)
    assert.equal(nearestSourceIndex(511, 1004, 512), 1002)
    assert.equal(nearestSourceIndex(300, 1024, 512), 600)
    // A short side is stretched: each source row is repeated.
    assert.equal(nearestSourceIndex(1, 100, 512), 0)
    assert.equal(nearestSourceIndex(6, 100, 512), 1)
    assert.equal(nearestSourceIndex(511, 100, 512), 99)
  })

  it('property: indices are in bounds, start at 0 and never decrease', function () {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200_000 }), old => {
      let prev = 0
      for (let d = 0; d < TOOL_RESIZE_SIDE; d++) {
        const i = nearestSourceIndex(d, old, TOOL_RESIZE_SIDE)
        assert.ok(Number.isInteger(i) && i >= 0 && i < old, `dst ${d} of ${old} → ${i}`)
        assert.ok(i >= prev)
        prev = i
      }
      assert.equal(nearestSourceIndex(0, old, TOOL_RESIZE_SIDE), 0)
    }), { numRuns: 200 })
  })

  it('leaves images with both sides ≤ 512 alone', function () {
    for (const [w, h] of [[512, 512], [512, 10], [1, 512], [300, 200]]) {
      const img = noiseImage(w!, h!, 3, 1)
      assert.equal(toolResize(img), img)
    }
  })

  it('property: an image with a side over 512 becomes 512×512 of the nearest source pixels, whatever its aspect', function () {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 1200 }), fc.constantFrom<1 | 3>(1, 3), fc.integer(),
      (w, h, channels, seed) => {
        fc.pre(w > TOOL_RESIZE_SIDE || h > TOOL_RESIZE_SIDE)
        const img = noiseImage(w, h, channels, seed)
        const out = toolResize(img)
        assert.deepEqual([out.width, out.height, out.channels, out.data.length], [512, 512, channels, 512 * 512 * channels])
        for (const [y, x] of [[0, 0], [511, 511], [137, 402], [300, 7]] as const) {
          const sy = nearestSourceIndex(y, h, 512)
          const sx = nearestSourceIndex(x, w, 512)
          for (let c = 0; c < channels; c++) {
            assert.equal(out.data[(y * 512 + x) * channels + c], img.data[(sy * w + sx) * channels + c])
          }
        }
      }), { numRuns: 25 })
  })

  it('reproduces the reference\'s pre-resized pixels of bridge-mods/aaa-orig.jpg byte for byte', async function () {
    const full = await decodeImage(await readFile(vectorPath('images', 'bridge-mods/aaa-orig.jpg')), { maxPixels: MAX_IMAGE_PIXELS })
    const ref = await decodeImage(await readFile(vectorPath('pixels', 'bridge-mods__aaa-orig.nearest512.png')), { maxPixels: MAX_IMAGE_PIXELS })
    const resized = toolResize(full)
    assert.deepEqual([resized.width, resized.height, resized.channels], [ref.width, ref.height, ref.channels])
    assert.ok(Buffer.from(resized.data).equals(Buffer.from(ref.data)))
  })
})
