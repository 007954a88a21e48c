import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import sharp from 'sharp'
import { cmykToRgb } from '../../../src/hashing/cmyk.js'
import { hashingErrorFromSharp } from '../../../src/hashing/decodeErrors.js'
import { HashingError, type HashingErrorCode } from '../../../src/hashing/errors.js'
import { MAX_IMAGE_PIXELS } from '../../../src/hashing/fileHasher.js'
import { decodeImage, type DecodedImage } from '../../../src/hashing/imageDecoder.js'
import { readTsv, vectorPath } from '../../helpers/pdqVectors.js'
import { noiseImage } from './fixtures.js'

const W = 40
const H = 30
const LIMIT = { maxPixels: MAX_IMAGE_PIXELS }

async function rejectsHashing (p: Promise<unknown>, code: HashingErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof HashingError, `expected a HashingError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  })
}

async function encodeRaw (data: Uint8Array | Uint16Array, channels: 1 | 2 | 3 | 4, format: 'png' | 'jpeg' | 'webp' | 'tiff' = 'png'): Promise<Buffer> {
  const s = sharp(data, { raw: { width: W, height: H, channels } })
  if (format === 'png') return await s.png().toBuffer()
  if (format === 'webp') return await s.webp({ lossless: true }).toBuffer()
  if (format === 'tiff') return await s.tiff({ compression: 'lzw' }).toBuffer()
  return await s.jpeg().toBuffer()
}

/** A minimal little-endian, uncompressed, one-strip grey TIFF of 32-bit float samples (sharp writes none). */
function floatTiff (width: number, height: number): Buffer {
  const tags: Array<[tag: number, type: number, value: number]> = [
    [256, 3, width], [257, 3, height], [258, 3, 32], [259, 3, 1], [262, 3, 1],
    [273, 4, 0], [277, 3, 1], [278, 3, height], [279, 4, width * height * 4], [339, 3, 3]
  ]
  const ifdAt = 8
  const dataAt = ifdAt + 2 + tags.length * 12 + 4
  const out = Buffer.alloc(dataAt + width * height * 4)
  out.write('II', 0, 'latin1')
  out.writeUInt16LE(42, 2)
  out.writeUInt32LE(ifdAt, 4)
  out.writeUInt16LE(tags.length, ifdAt)
  tags.forEach(([tag, type, value], i) => {
    const at = ifdAt + 2 + i * 12
    out.writeUInt16LE(tag, at)
    out.writeUInt16LE(type, at + 2)
    out.writeUInt32LE(1, at + 4)
    if (type === 3) out.writeUInt16LE(value, at + 8)
    else out.writeUInt32LE(tag === 273 ? dataAt : value, at + 8)
  })
  for (let i = 0; i < width * height; i++) out.writeFloatLE((i % 100) / 100, dataAt + i * 4)
  return out
}

function samples (img: DecodedImage): Buffer {
  return Buffer.from(img.data)
}

describe('hashing: decodeImage', function () {
  describe('sample layout', function () {
    it('grey stays one channel, exact values', async function () {
      const grey = noiseImage(W, H, 1, 1).data
      const img = await decodeImage(await encodeRaw(grey, 1), LIMIT)
      assert.deepEqual([img.format, img.width, img.height, img.channels], ['png', W, H, 1])
      assert.ok(samples(img).equals(Buffer.from(grey)))
    })

    it('RGB stays three channels, exact values, in PNG, lossless WebP and TIFF', async function () {
      const rgb = noiseImage(W, H, 3, 2).data
      for (const format of ['png', 'webp', 'tiff'] as const) {
        const img = await decodeImage(await encodeRaw(rgb, 3, format), LIMIT)
        assert.deepEqual([img.format, img.channels], [format, 3])
        assert.ok(samples(img).equals(Buffer.from(rgb)), format)
      }
    })

    it('RGB whose every pixel has R = G = B is returned as grey (as the reference\'s loader does)', async function () {
      const grey = noiseImage(W, H, 1, 3).data
      const rgb = Uint8Array.from({ length: grey.length * 3 }, (_, i) => grey[Math.floor(i / 3)]!)
      const img = await decodeImage(await encodeRaw(rgb, 3), LIMIT)
      assert.equal(img.channels, 1)
      assert.ok(samples(img).equals(Buffer.from(grey)))
      rgb[rgb.length - 1]! ^= 1
      assert.equal((await decodeImage(await encodeRaw(rgb, 3), LIMIT)).channels, 3)
    })

    it('alpha is dropped, not composited: colour under alpha 0 is kept as stored', async function () {
      const rgba = noiseImage(W, H, 3, 4).data
      const withAlpha = Uint8Array.from({ length: W * H * 4 }, (_, i) => i % 4 === 3 ? (i >> 2) % 3 * 127 : rgba[(i >> 2) * 3 + i % 4]!)
      const img = await decodeImage(await encodeRaw(withAlpha, 4), LIMIT)
      assert.equal(img.channels, 3)
      assert.ok(samples(img).equals(Buffer.from(rgba)))
      const greyAlpha = Uint8Array.from({ length: W * H * 2 }, (_, i) => i % 2 === 1 ? 0 : (i * 7) % 256)
      const grey = await decodeImage(await encodeRaw(greyAlpha, 2), LIMIT)
      assert.equal(grey.channels, 1)
      assert.ok(samples(grey).equals(Buffer.from(greyAlpha.filter((_, i) => i % 2 === 0))))
    })

    it('16-bit grey and RGB are scaled to 8 bits by v >> 8', async function () {
      const grey16 = Uint16Array.from({ length: W * H }, (_, i) => (i * 997) % 65536)
      const rgb16 = Uint16Array.from({ length: W * H * 3 }, (_, i) => (i * 7919) % 65536)
      const g = await decodeImage(await sharp(grey16, { raw: { width: W, height: H, channels: 1 } }).toColourspace('grey16').png().toBuffer(), LIMIT)
      const c = await decodeImage(await sharp(rgb16, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toBuffer(), LIMIT)
      assert.equal(g.channels, 1)
      assert.deepEqual(Array.from(g.data), Array.from(grey16, v => v >> 8))
      assert.equal(c.channels, 3)
      assert.deepEqual(Array.from(c.data), Array.from(rgb16, v => v >> 8))
    })

    it('a palette PNG is expanded to its colours', async function () {
      const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (Math.floor(i / 3) % W < W / 2) === (i % 3 === 0) ? 255 : 0)
      const png = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, colours: 2, dither: 0 }).toBuffer()
      assert.equal((await sharp(png).metadata()).isPalette, true)
      const img = await decodeImage(png, LIMIT)
      assert.equal(img.channels, 3)
      assert.ok(samples(img).equals(Buffer.from(rgb)))
    })

    it('the vectors\' 1-bit, grey, palette and CMYK files: black = 0 and white = 255, channel counts', async function () {
      const oneBit = await decodeImage(await readFile(vectorPath('images', 'modes/1.png')), LIMIT)
      assert.equal(oneBit.channels, 1)
      assert.deepEqual([...new Set(oneBit.data)].sort((a, b) => a - b), [0, 255])
      assert.equal((await decodeImage(await readFile(vectorPath('images', 'modes/L.png')), LIMIT)).channels, 1)
      assert.equal((await decodeImage(await readFile(vectorPath('images', 'modes/P.png')), LIMIT)).channels, 3)
      const cmyk = await decodeImage(await readFile(vectorPath('images', 'modes/CMYK.jpg')), LIMIT)
      assert.deepEqual([cmyk.format, cmyk.channels, cmyk.width, cmyk.height], ['jpeg', 3, 1600, 1004])
    })

    it('CMYK to RGB is (255 − C)(255 − K) / 255 rounded, with no colour profile', function () {
      // Last pixel: 127·155/255 = 77.2, 191·155/255 = 116.1, 223·155/255 = 135.55.
      const rgb = cmykToRgb(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255, 255, 128, 0, 0, 128, 64, 32, 100]), 4)
      assert.deepEqual(Array.from(rgb), [255, 255, 255, 0, 0, 0, 0, 127, 255, 77, 116, 136])
    })
  })

  describe('what the reference ignores, ignored here', function () {
    it('EXIF orientation: the stored pixels, not the displayed ones', async function () {
      const rgb = noiseImage(W, H, 3, 5).data
      const plain = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg().toBuffer()
      const rotated = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer()
      assert.equal((await sharp(rotated).metadata()).orientation, 6)
      const a = await decodeImage(plain, LIMIT)
      const b = await decodeImage(rotated, LIMIT)
      assert.deepEqual([b.width, b.height], [W, H])
      assert.ok(samples(a).equals(samples(b)))
    })

    it('embedded ICC profiles, and sharp\'s JPEG decoder gives the reference\'s exact pixels', async function () {
      // misc/wee.jpg carries a profile that sharp would otherwise apply (2,285 samples off by up to 15).
      const unresized = readTsv('pixels.tsv').filter(r => !r.pixel_png!.includes('nearest512'))
      assert.ok(unresized.length >= 10)
      for (const row of unresized) {
        const ours = await decodeImage(await readFile(vectorPath('images', row.source_image!)), LIMIT)
        const ref = await decodeImage(await readFile(vectorPath(row.pixel_png!)), LIMIT)
        assert.deepEqual([ours.width, ours.height, ours.channels], [ref.width, ref.height, ref.channels], row.source_image)
        assert.ok(samples(ours).equals(samples(ref)), row.source_image)
      }
    })
  })

  describe('containers', function () {
    it('GIF: the first frame only', async function () {
      const frame = async (r: number, b: number): Promise<Buffer> =>
        await sharp({ create: { width: W, height: H, channels: 3, background: { r, g: 0, b } } }).png().toBuffer()
      const gif = await sharp([await frame(255, 0), await frame(0, 255)], { join: { animated: true } }).gif().toBuffer()
      assert.equal((await sharp(gif).metadata()).pages, 2)
      const img = await decodeImage(gif, LIMIT)
      assert.deepEqual([img.format, img.width, img.height, img.channels], ['gif', W, H, 3])
      assert.deepEqual(Array.from(img.data.subarray(0, 3)), [255, 0, 0])
      assert.deepEqual(Array.from(img.data.subarray(-3)), [255, 0, 0])
    })

    it('AVIF decodes (as sharp\'s heif format)', async function () {
      const avif = await sharp(noiseImage(W, H, 3, 6).data, { raw: { width: W, height: H, channels: 3 } }).avif().toBuffer()
      const img = await decodeImage(avif, LIMIT)
      assert.deepEqual([img.format, img.width, img.height, img.channels], ['heif', W, H, 3])
    })
  })

  describe('errors', function () {
    it('bytes that are no image: UNSUPPORTED_IMAGE', async function () {
      await rejectsHashing(decodeImage(Buffer.from('hello, this is not an image at all'), LIMIT), 'UNSUPPORTED_IMAGE')
      await rejectsHashing(decodeImage(new Uint8Array(0), LIMIT), 'UNSUPPORTED_IMAGE')
    })

    it('a truncated image: UNSUPPORTED_IMAGE', async function () {
      const png = await encodeRaw(noiseImage(W, H, 3, 7).data, 3)
      await rejectsHashing(decodeImage(png.subarray(0, 60), LIMIT), 'UNSUPPORTED_IMAGE')
    })

    it('formats sharp reads but we do not hash (SVG): UNSUPPORTED_IMAGE', async function () {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
      await rejectsHashing(decodeImage(svg, LIMIT), 'UNSUPPORTED_IMAGE')
    })

    it('float samples (a 32-bit float TIFF): UNSUPPORTED_IMAGE rather than sharp\'s clipping cast', async function () {
      const tiff = floatTiff(W, H)
      assert.equal((await sharp(tiff).metadata()).depth, 'float')
      await rejectsHashing(decodeImage(tiff, LIMIT), 'UNSUPPORTED_IMAGE')
    })

    it('more pixels than maxPixels: IMAGE_TOO_LARGE; exactly maxPixels is fine', async function () {
      const png = await encodeRaw(noiseImage(W, H, 3, 8).data, 3)
      await rejectsHashing(decodeImage(png, { maxPixels: W * H - 1 }), 'IMAGE_TOO_LARGE')
      assert.equal((await decodeImage(png, { maxPixels: W * H })).width, W)
    })

    it('a maxPixels that sharp would read as "no limit" is refused', async function () {
      const png = await encodeRaw(noiseImage(W, H, 3, 9).data, 3)
      for (const maxPixels of [0, -1, 1.5, Number.NaN]) await assert.rejects(decodeImage(png, { maxPixels }), RangeError)
    })

    it('sharp\'s messages map to codes; a HashingError passes through', function () {
      assert.equal(hashingErrorFromSharp(new Error('Input image exceeds pixel limit')).code, 'IMAGE_TOO_LARGE')
      assert.equal(hashingErrorFromSharp(new Error('Input buffer contains unsupported image format')).code, 'UNSUPPORTED_IMAGE')
      assert.equal(hashingErrorFromSharp('weird').code, 'UNSUPPORTED_IMAGE')
      const own = new HashingError('BAD_IMAGE', 'x')
      assert.equal(hashingErrorFromSharp(own), own)
    })
  })
})
