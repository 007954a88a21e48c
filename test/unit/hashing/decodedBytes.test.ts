import assert from 'node:assert/strict'
import sharp from 'sharp'
import { REFERENCE_BYTES_PER_PIXEL, bytesPerPixel } from '../../../src/hashing/decodedBytes.js'
import { decodeImage } from '../../../src/hashing/imageDecoder.js'

const W = 64
const H = 48

async function png (channels: 1 | 3 | 4, bits: 8 | 16): Promise<Buffer> {
  const length = W * H * channels
  const data = bits === 16 ? Uint16Array.from({ length }, (_, i) => (i * 7919) % 65536) : Uint8Array.from({ length }, (_, i) => (i * 31) % 256)
  const image = sharp(data, { raw: { width: W, height: H, channels } })
  return await (bits === 16 ? image.toColourspace(channels === 1 ? 'grey16' : 'rgb16') : image).png().toBuffer()
}

describe('hashing: decoded image bytes bound', function () {
  it('prices each format by its buffers: 16-bit colour 24 bytes a pixel, 8-bit colour 12, with or without alpha', function () {
    assert.equal(bytesPerPixel({ channels: 4, sampleBytes: 2 }), 24)
    assert.equal(bytesPerPixel({ channels: 3, sampleBytes: 2 }), 24)
    assert.equal(bytesPerPixel({ channels: 4, sampleBytes: 1 }), 12)
    assert.equal(bytesPerPixel({ channels: 3, sampleBytes: 1 }), 12)
    assert.equal(bytesPerPixel({ channels: 1, sampleBytes: 2 }), 14)
    assert.equal(bytesPerPixel({ channels: 1, sampleBytes: 1 }), 10)
    assert.equal(REFERENCE_BYTES_PER_PIXEL, 12)
  })

  it('every 8-bit format still gets the whole pixel bound', async function () {
    for (const channels of [1, 3, 4] as const) {
      assert.equal((await decodeImage(await png(channels, 8), { maxPixels: W * H })).width, W, `${channels} channels`)
    }
  })

  it('a 16-bit RGBA image within the pixel bound but over its bytes: IMAGE_TOO_LARGE with the figures, before decoding', async function () {
    const rgba16 = await png(4, 16)
    assert.equal((await sharp(rgba16).metadata()).depth, 'ushort')
    await assert.rejects(decodeImage(rgba16, { maxPixels: W * H }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'IMAGE_TOO_LARGE')
      assert.match(err.message, /16-bit image with 4 channels needs ~24 bytes a pixel/)
      return true
    })
    const enough = Math.ceil(W * H * 24 / REFERENCE_BYTES_PER_PIXEL)
    assert.equal((await decodeImage(rgba16, { maxPixels: enough })).width, W)
  })
})
