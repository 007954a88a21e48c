import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HashingError, type HashingErrorCode } from '../../../src/hashing/errors.js'
import { dct64To16, DCT_SIDE } from '../../../src/hashing/pdq/dct.js'
import { DOWNSAMPLED_SIDE } from '../../../src/hashing/pdq/decimate.js'
import { downsampleLuma } from '../../../src/hashing/pdq/downsample.js'
import { hammingDistance, hashFromDct, PDQ_HASH_BYTES } from '../../../src/hashing/pdq/hashBits.js'
import { fillLuma } from '../../../src/hashing/pdq/luma.js'
import { DIHEDRAL_NAMES, MIN_HASHABLE_SIDE, pdqHash } from '../../../src/hashing/pdq/pdqHasher.js'
import type { RawImage } from '../../../src/hashing/rawImage.js'
import { hex, noiseImage, transformPixels, transformSquare } from './fixtures.js'

const ZERO_HASH = '0'.repeat(PDQ_HASH_BYTES * 2)

function throwsHashing (fn: () => unknown, code: HashingErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HashingError, `expected a HashingError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

function lumaOf (img: RawImage): Float32Array {
  const luma = new Float32Array(img.width * img.height)
  fillLuma(img, luma)
  return luma
}

function downsampled (img: RawImage): Float32Array {
  return downsampleLuma(lumaOf(img), img.height, img.width)
}

function popcount (hash: Uint8Array): number {
  return hammingDistance(hash, new Uint8Array(hash.length))
}

describe('hashing: pdqHash', function () {
  describe('images smaller than 5 px on a side', function () {
    for (const [w, h] of [[1, 1], [4, 4], [4, 1000], [1000, 4], [MIN_HASHABLE_SIDE - 1, MIN_HASHABLE_SIDE]]) {
      it(`${w}×${h}: all-zero hash, quality 0, all-zero dihedral set`, function () {
        const r = pdqHash(noiseImage(w!, h!, 3, 1), { dihedral: true })
        assert.equal(hex(r.hash), ZERO_HASH)
        assert.equal(r.quality, 0)
        for (const name of DIHEDRAL_NAMES) assert.equal(hex(r.dihedral![name]), ZERO_HASH)
      })
    }
    it('5×5 is hashed', function () {
      const r = pdqHash(noiseImage(5, 5, 1, 2))
      assert.notEqual(hex(r.hash), ZERO_HASH)
    })
  })

  describe('inconsistent pixels: BAD_IMAGE', function () {
    const ok = noiseImage(8, 8, 3, 3)
    for (const [what, img] of [
      ['zero width', { ...ok, width: 0, data: new Uint8Array(0) }],
      ['non-integer height', { ...ok, height: 8.5 }],
      ['2 channels', { ...ok, channels: 2 as 1, data: new Uint8Array(128) }],
      ['a buffer one byte short', { ...ok, data: ok.data.subarray(1) }],
      ['a buffer one byte long', { ...ok, data: new Uint8Array(ok.data.length + 1) }]
    ] as Array<[string, RawImage]>) {
      it(what, function () { throwsHashing(() => pdqHash(img), 'BAD_IMAGE') })
    }
  })

  describe('grey and RGB', function () {
    it('grey samples are used as they are; RGB goes through the float32 weights, which miss 37 by one ulp', function () {
      const grey: RawImage = { width: 2, height: 1, channels: 1, data: Uint8Array.from([37, 200]) }
      const rgb: RawImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([37, 37, 37, 200, 200, 200]) }
      assert.deepEqual(Array.from(lumaOf(grey)), [37, 200])
      const [l37, l200] = lumaOf(rgb)
      assert.notEqual(l37, 37)
      assert.ok(Math.abs(l37! - 37) < 1e-5)
      assert.equal(l200, 200)
    })

    it('RGB luma is 0.299 R + 0.587 G + 0.114 B', function () {
      const [r, g, b] = lumaOf({ width: 3, height: 1, channels: 3, data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]) })
      assert.ok(Math.abs(r! - 0.299 * 255) < 1e-4 && Math.abs(g! - 0.587 * 255) < 1e-4 && Math.abs(b! - 0.114 * 255) < 1e-4)
    })

    it('a grey image and its R=G=B copy hash alike, within the few bits the luma rounding can move', function () {
      const grey = noiseImage(200, 150, 1, 4)
      const rgb: RawImage = { ...grey, channels: 3, data: Uint8Array.from({ length: grey.data.length * 3 }, (_, i) => grey.data[Math.floor(i / 3)]!) }
      assert.ok(hammingDistance(pdqHash(grey).hash, pdqHash(rgb).hash) <= 4)
    })
  })

  it('property: deterministic, leaves the pixels alone, and sets 128 bits of noise images', function () {
    fc.assert(fc.property(fc.integer({ min: 5, max: 300 }), fc.integer({ min: 5, max: 300 }), fc.constantFrom<1 | 3>(1, 3), fc.integer(),
      (w, h, channels, seed) => {
        const img = noiseImage(w, h, channels, seed)
        const before = img.data.slice()
        const a = pdqHash(img, { dihedral: true })
        const b = pdqHash(img)
        assert.deepEqual(img.data, before)
        assert.equal(hex(a.hash), hex(b.hash))
        assert.equal(a.quality, b.quality)
        assert.ok(a.quality >= 0 && a.quality <= 100)
        assert.equal(hex(a.dihedral!.original), hex(a.hash))
        // Bits strictly above the 128th smallest of 256: never more than 128, exactly 128 unless values
        // tie at the median, which they do when a small image is stretched to 64×64.
        assert.ok(popcount(a.hash) <= 128)
        if (w >= DOWNSAMPLED_SIDE && h >= DOWNSAMPLED_SIDE) assert.equal(popcount(a.hash), 128)
      }), { numRuns: 40 })
  })

  it('an exactly 64×64 image skips the blur for the hash, but not for the dihedral set (as the reference does)', function () {
    const img = noiseImage(DOWNSAMPLED_SIDE, DOWNSAMPLED_SIDE, 3, 5)
    const hashOf = (luma64: Float32Array): string => {
      const dct = new Float32Array(DCT_SIDE * DCT_SIDE)
      dct64To16(luma64, new Float32Array(DCT_SIDE * DOWNSAMPLED_SIDE), dct)
      return hex(hashFromDct(dct))
    }
    const r = pdqHash(img, { dihedral: true })
    assert.equal(hex(r.hash), hashOf(lumaOf(img)))
    assert.equal(hex(r.dihedral!.original), hashOf(downsampled(img)))
  })

  describe('dihedral variants from the DCT agree with hashing transformed pixels', function () {
    // When does transforming pixels commute exactly with the blur and decimation? The box window is
    // ceil(side / 128): for sides up to 127 it is 1, which leaves integer (grey) samples unchanged;
    // from 129 up it is ≥ 2, where the reference's running sums round differently once the axis is
    // reversed (and even windows are off-centre, and rows are blurred before columns). Centre
    // sampling, floor((o + ½)·n / 64), mirrors exactly unless n is a multiple of 128. So for grey sides
    // 5..127 the 64×64 of a transformed image is the transformed 64×64, float for float.
    // The hash bits then still depend on the DCT's float32 rounding, which sums in a different order
    // for the transformed image: a coefficient within an ulp of the median can change side. From 64 px
    // (every decimated pixel distinct) that is rare: in our runs over 99.9% of variants were exact and
    // the rest 2 bits off. Under 64 px the 64×64 repeats rows and columns, many coefficients are zero
    // up to rounding noise and their bits are unstable (up to 23 bits seen), so those sizes are only
    // checked at the 64×64 level.
    const EXACT_SHARE = 0.95
    const MAX_ROUNDING_BITS = 4

    function assertMostlyExact (distances: number[]): void {
      const exact = distances.filter(d => d === 0).length
      assert.ok(Math.max(...distances) <= MAX_ROUNDING_BITS, `max distance ${Math.max(...distances)}`)
      assert.ok(exact >= EXACT_SHARE * distances.length, `${exact}/${distances.length} exact`)
    }

    const transformed = fc.constantFrom(...DIHEDRAL_NAMES.slice(1))

    it('property: grey, sides 5..127: the 64×64 downsample commutes exactly with every symmetry', function () {
      fc.assert(fc.property(fc.integer({ min: 5, max: 127 }), fc.integer({ min: 5, max: 127 }), fc.integer(), transformed, (w, h, seed, name) => {
        const img = noiseImage(w, h, 1, seed)
        const expected = transformSquare(name, downsampled(img), DOWNSAMPLED_SIDE)
        assert.deepEqual(downsampled(transformPixels(name, img)), expected)
      }), { numRuns: 100 })
    })

    it('property: grey or RGB, sides 64..127: hashing the transformed pixels gives the variant (exact but for DCT rounding)', function () {
      const distances: number[] = []
      fc.assert(fc.property(fc.integer({ min: 64, max: 127 }), fc.integer({ min: 64, max: 127 }), fc.constantFrom<1 | 3>(1, 3), fc.integer(),
        (w, h, channels, seed) => {
          const img = noiseImage(w, h, channels, seed)
          const variants = pdqHash(img, { dihedral: true }).dihedral!
          for (const name of DIHEDRAL_NAMES) distances.push(hammingDistance(pdqHash(transformPixels(name, img)).hash, variants[name]))
        }), { numRuns: 30 })
      assertMostlyExact(distances)
    })

    it('property: a transpose (flipplus1) reverses no axis, so the same holds up to 400 px', function () {
      const distances: number[] = []
      fc.assert(fc.property(fc.integer({ min: 64, max: 400 }), fc.integer({ min: 64, max: 400 }), fc.constantFrom<1 | 3>(1, 3), fc.integer(),
        (w, h, channels, seed) => {
          const img = noiseImage(w, h, channels, seed)
          distances.push(hammingDistance(pdqHash(transformPixels('flipplus1', img)).hash, pdqHash(img, { dihedral: true }).dihedral!.flipplus1))
        }), { numRuns: 30 })
      assertMostlyExact(distances)
    })
  })
})
