import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { MAX_IMAGE_PIXELS } from '../../../src/hashing/fileHasher.js'
import { decodeImage } from '../../../src/hashing/imageDecoder.js'
import { dct64To16, DCT_SIDE } from '../../../src/hashing/pdq/dct.js'
import { DOWNSAMPLED_SIDE } from '../../../src/hashing/pdq/decimate.js'
import { downsampleLuma } from '../../../src/hashing/pdq/downsample.js'
import { hashFromDct } from '../../../src/hashing/pdq/hashBits.js'
import { jaroszWindowSize } from '../../../src/hashing/pdq/jarosz.js'
import { fillLuma } from '../../../src/hashing/pdq/luma.js'
import { torbenMedian } from '../../../src/hashing/pdq/median.js'
import { pdqQuality } from '../../../src/hashing/pdq/quality.js'
import { readLines, vectorPath } from '../../helpers/pdqVectors.js'
import { hex } from './fixtures.js'

interface Intermediates {
  header: string
  luma64: Float32Array
  dct: Float32Array
  median: number
  hash: string
}

/** The reference's float32 values, printed with %.9g: exactly recoverable as float32. */
function floats (lines: string[]): Float32Array {
  return Float32Array.from(lines.flatMap(l => l.split(' ').map(Number)))
}

function parse (name: string): Intermediates {
  const lines = readLines(`intermediates/${name}.txt`)
  const dctAt = lines.findIndex(l => l.startsWith('# dct'))
  const tail = (prefix: string): string => lines.find(l => l.startsWith(prefix))!.slice(prefix.length).trim().split(' ').at(-1)!
  return {
    header: lines[0]!,
    luma64: floats(lines.slice(2, dctAt)),
    dct: floats(lines.slice(dctAt + 1, dctAt + 1 + DCT_SIDE)),
    median: Number(tail('# median')),
    hash: tail('# hash')
  }
}

function headerNumber (header: string, key: string): number {
  const m = new RegExp(`${key.replace(/[()]/g, '\\$&')}=(\\d+)`).exec(header)
  assert.ok(m !== null, `no ${key} in "${header}"`)
  return Number(m[1])
}

function firstDifference (actual: Float32Array, expected: Float32Array): string | undefined {
  assert.equal(actual.length, expected.length)
  const i = actual.findIndex((v, k) => v !== expected[k])
  return i < 0 ? undefined : `index ${i}: ${actual[i]} vs reference ${expected[i]}`
}

describe('hashing: PDQ stage by stage against the reference intermediates', function () {
  for (const name of ['bridge-mods__aaa-orig.nearest512', 'misc__small', 'misc__wee']) {
    describe(name, function () {
      const ref = parse(name)
      let luma64: Float32Array
      let dct: Float32Array

      before(async function () {
        const img = await decodeImage(await readFile(vectorPath('pixels', `${name}.png`)), { maxPixels: MAX_IMAGE_PIXELS })
        assert.equal(img.channels, headerNumber(ref.header, 'channels'))
        assert.equal(jaroszWindowSize(img.width, DOWNSAMPLED_SIDE), headerNumber(ref.header, 'jarosz_window_along_rows(horizontal)'))
        assert.equal(jaroszWindowSize(img.height, DOWNSAMPLED_SIDE), headerNumber(ref.header, 'jarosz_window_along_cols(vertical)'))
        const luma = new Float32Array(img.width * img.height)
        fillLuma(img, luma)
        luma64 = downsampleLuma(luma, img.height, img.width)
        dct = new Float32Array(DCT_SIDE * DCT_SIDE)
        dct64To16(luma64, new Float32Array(DCT_SIDE * DOWNSAMPLED_SIDE), dct)
      })

      it('64×64 blurred and decimated luma: every float32 identical', function () {
        assert.equal(firstDifference(luma64, ref.luma64), undefined)
      })
      it('quality from the 64×64', function () {
        assert.equal(pdqQuality(ref.luma64), headerNumber(ref.header, 'quality'))
      })
      it('16×16 DCT of the reference 64×64: every float32 identical', function () {
        const fromRef = new Float32Array(DCT_SIDE * DCT_SIDE)
        dct64To16(ref.luma64, new Float32Array(DCT_SIDE * DOWNSAMPLED_SIDE), fromRef)
        assert.equal(firstDifference(fromRef, ref.dct), undefined)
        assert.equal(firstDifference(dct, ref.dct), undefined)
      })
      it('Torben median and hash bits of the reference DCT', function () {
        assert.equal(torbenMedian(ref.dct), Math.fround(ref.median))
        assert.equal(hex(hashFromDct(ref.dct)), ref.hash)
      })
    })
  }
})
