import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { HashingError } from '../../../src/hashing/errors.js'
import { defaultHashFileOptions, hashFile, MAX_IMAGE_PIXELS, PDQ_MODES, PDQ_QUALITY_THRESHOLD } from '../../../src/hashing/fileHasher.js'
import { DIHEDRAL_NAMES, pdqHash } from '../../../src/hashing/pdq/pdqHasher.js'
import { toolResize } from '../../../src/hashing/pdq/toolResize.js'
import { hex, noiseImage } from './fixtures.js'

const HEX = (n: number): RegExp => new RegExp(`^[0-9a-f]{${n}}$`)

async function pngOf (width: number, height: number, seed: number): Promise<{ png: Buffer, pixels: ReturnType<typeof noiseImage> }> {
  const pixels = noiseImage(width, height, 3, seed)
  return { png: await sharp(pixels.data, { raw: { width, height, channels: 3 } }).png().toBuffer(), pixels }
}

describe('hashing: hashFile', function () {
  it('constants: the reference\'s quality threshold, a 50 MP default bound, both modes', function () {
    assert.equal(PDQ_QUALITY_THRESHOLD, 50)
    assert.equal(MAX_IMAGE_PIXELS, 50_000_000)
    assert.deepEqual([...PDQ_MODES], ['core', 'tool'])
    assert.deepEqual(defaultHashFileOptions, { mode: 'core', dihedral: false, maxPixels: MAX_IMAGE_PIXELS })
  })

  it('a file that is not an image: exact hashes only, no error', async function () {
    const bytes = Buffer.from('just some text, definitely not pixels\n')
    const h = await hashFile(bytes)
    assert.deepEqual(Object.keys(h).sort(), ['bytes', 'md5', 'sha1', 'sha256'])
    assert.equal(h.bytes, bytes.length)
    assert.equal(h.md5, createHash('md5').update(bytes).digest('hex'))
    assert.equal(h.sha1, createHash('sha1').update(bytes).digest('hex'))
    assert.equal(h.sha256, createHash('sha256').update(bytes).digest('hex'))
  })

  it('an image: lowercase hex hashes, its format and size, and the core PDQ of its pixels', async function () {
    const { png, pixels } = await pngOf(300, 200, 1)
    const h = await hashFile(png)
    assert.match(h.md5, HEX(32))
    assert.match(h.sha1, HEX(40))
    assert.match(h.sha256, HEX(64))
    assert.deepEqual(h.image, { format: 'png', width: 300, height: 200 })
    const expected = pdqHash(pixels)
    assert.deepEqual(h.pdq, { hash: hex(expected.hash), quality: expected.quality })
  })

  it('tool mode pre-resizes to 512×512 first; image still reports the decoded size', async function () {
    const { png, pixels } = await pngOf(700, 90, 2)
    const core = await hashFile(png, { mode: 'core' })
    const tool = await hashFile(png, { mode: 'tool' })
    assert.deepEqual(tool.image, { format: 'png', width: 700, height: 90 })
    assert.equal(core.pdq!.hash, hex(pdqHash(pixels).hash))
    assert.equal(tool.pdq!.hash, hex(pdqHash(toolResize(pixels)).hash))
    assert.notEqual(core.pdq!.hash, tool.pdq!.hash)
  })

  it('undefined options mean the defaults', async function () {
    const { png } = await pngOf(80, 80, 3)
    assert.deepEqual(await hashFile(png, { mode: undefined, dihedral: undefined, maxPixels: undefined }), await hashFile(png))
  })

  it('dihedral: all eight names, in order, original = hash', async function () {
    const { png } = await pngOf(120, 90, 4)
    const h = await hashFile(png, { dihedral: true })
    const forms = h.pdq!.dihedral!
    assert.deepEqual(Object.keys(forms), [...DIHEDRAL_NAMES])
    assert.equal(forms.original, h.pdq!.hash)
    for (const name of DIHEDRAL_NAMES) assert.match(forms[name], HEX(64))
    assert.equal(new Set(Object.values(forms)).size, 8)
  })

  it('an image over maxPixels throws IMAGE_TOO_LARGE (it is not quietly left without a PDQ)', async function () {
    const { png } = await pngOf(100, 100, 5)
    await assert.rejects(hashFile(png, { maxPixels: 9_999 }), (err: unknown) => err instanceof HashingError && err.code === 'IMAGE_TOO_LARGE')
    assert.ok((await hashFile(png, { maxPixels: 10_000 })).pdq !== undefined)
  })

  it('a tiny image still gets a PDQ: all zeros, quality 0', async function () {
    const { png } = await pngOf(4, 40, 6)
    const h = await hashFile(png)
    assert.deepEqual(h.pdq, { hash: '0'.repeat(64), quality: 0 })
  })
})
