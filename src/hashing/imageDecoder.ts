import sharp, { type Metadata, type Sharp } from 'sharp'
import { cmykToRgb } from './cmyk.js'
import { REFERENCE_BYTES_PER_PIXEL, bytesPerPixel } from './decodedBytes.js'
import { hashingErrorFromSharp } from './decodeErrors.js'
import { HashingError } from './errors.js'
import { collapseNeutralGrey } from './neutralGrey.js'
import { checkRawImage, type RawImage } from './rawImage.js'
import { highBytes } from './sampleDepth.js'

// libvips' operation cache would keep recently decoded uploads in memory after we are done with them.
sharp.cache(false)

/**
 * Raster photo formats only. The rest of what sharp reads (SVG, PDF, JPEG 2000, JPEG XL, FITS, the
 * vips and magick loaders...) is either a renderer with its own attack surface or nothing users share.
 */
const HASHABLE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'])

const GREY_SPACES: ReadonlySet<string> = new Set(['b-w', 'grey16'])

export interface DecodeOptions {
  /** Refuse (IMAGE_TOO_LARGE) an image with more pixels than this, before its pixels are decoded. */
  readonly maxPixels: number
}

export interface DecodedImage extends RawImage {
  /** sharp's name of the container format: jpeg, png, webp, gif, tiff, heif. */
  readonly format: string
}

async function sharpCall<T> (fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw hashingErrorFromSharp(err)
  }
}

interface Pixels {
  readonly data: Uint8Array
  readonly width: number
  readonly height: number
  readonly channels: number
}

/** 8 bits per sample as stored, or 16 (then scaled here). Float, signed or 32-bit samples are not hashed. */
type SampleDepth = 'uchar' | 'ushort'

async function rawPixels (pipeline: Sharp, depth: SampleDepth): Promise<Pixels> {
  const { data, info } = await sharpCall(async () => await pipeline.raw({ depth }).toBuffer({ resolveWithObject: true }))
  const px = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels }
  return depth === 'ushort' ? { ...px, data: highBytes(px.data) } : px
}

/** sharp's own casts would clip 16-bit values at 255, so 16-bit pipelines stay 16-bit to the end. */
function outputSpace (meta: Metadata, depth: SampleDepth): string {
  const grey = GREY_SPACES.has(meta.space ?? '')
  if (depth === 'ushort') return grey ? 'grey16' : 'rgb16'
  return grey ? 'b-w' : 'srgb'
}

/**
 * The samples the reference would hash. It reads files through ImageMagick: stored values, no colour
 * profile, no EXIF rotation, alpha dropped (not composited), CMYK by the naive formula, 16-bit
 * scaled to 8. sharp is told to do the same where it can and the rest is done here.
 */
async function decodePixels (open: () => Sharp, meta: Metadata): Promise<RawImage> {
  const depth = meta.depth
  if (depth !== 'uchar' && depth !== 'ushort') throw new HashingError('UNSUPPORTED_IMAGE', `${depth.slice(0, 16)} samples are not hashed`)
  if (meta.space === 'cmyk') {
    const px = await rawPixels(open().removeAlpha().pipelineColourspace('cmyk').toColourspace('cmyk'), depth)
    if (px.channels !== 4) throw new HashingError('BAD_IMAGE', `CMYK image decoded to ${px.channels} channels`)
    return checked({ ...px, channels: 3, data: cmykToRgb(px.data, px.width * px.height) })
  }
  return checked(await rawPixels(open().removeAlpha().toColourspace(outputSpace(meta, depth)), depth))
}

function checked (px: Pixels): RawImage {
  if (px.channels !== 1 && px.channels !== 3) throw new HashingError('BAD_IMAGE', `image decoded to ${px.channels} channels`)
  const img: RawImage = { width: px.width, height: px.height, channels: px.channels, data: px.data }
  checkRawImage(img)
  return img
}

/**
 * The pixel bound is priced at 8-bit colour; 16-bit samples get the same bytes, so fewer pixels. Checked from the header, before any pixel is decoded.
 */
function checkDecodedBytes (meta: Metadata, pixels: number, maxPixels: number): void {
  const perPixel = bytesPerPixel({ channels: meta.channels ?? 4, sampleBytes: meta.depth === 'ushort' ? 2 : 1 })
  const budget = maxPixels * REFERENCE_BYTES_PER_PIXEL
  if (pixels * perPixel > budget) {
    throw new HashingError('IMAGE_TOO_LARGE',
      `${meta.width}x${meta.height} ${meta.depth === 'ushort' ? '16' : '8'}-bit image with ${meta.channels} channels needs ~${perPixel} bytes a pixel while ` +
      `hashed, ${pixels * perPixel} in all; the bound is ${budget} (${maxPixels} pixels at ${REFERENCE_BYTES_PER_PIXEL} bytes)`)
  }
}

/**
 * Decodes an image file to 8-bit grey or RGB for hashing (GIF and other multi-page formats: the first
 * page). UNSUPPORTED_IMAGE when the bytes are not an image of a hashable format, IMAGE_TOO_LARGE when it
 * has more than `maxPixels` pixels, or needs more bytes than that many 8-bit colour pixels (checked from
 * the header, before decoding).
 */
export async function decodeImage (bytes: Uint8Array, opts: DecodeOptions): Promise<DecodedImage> {
  const { maxPixels } = opts
  if (!Number.isSafeInteger(maxPixels) || maxPixels <= 0) throw new RangeError(`maxPixels must be a positive integer, got ${maxPixels}`)
  // limitInputPixels 0 would mean "no limit" to sharp: the check above keeps that from happening.
  const open = (): Sharp => sharp(bytes, { limitInputPixels: maxPixels, ignoreIcc: true, autoOrient: false, failOn: 'error', pages: 1, page: 0 })
  const meta = await sharpCall(async () => await open().metadata())
  if (!HASHABLE_FORMATS.has(meta.format)) throw new HashingError('UNSUPPORTED_IMAGE', `image format ${meta.format.slice(0, 32)} is not hashed`)
  const { width, height } = meta
  if (width === undefined || height === undefined || width <= 0 || height <= 0) throw new HashingError('BAD_IMAGE', 'image header has no size')
  if (width * height > maxPixels) throw new HashingError('IMAGE_TOO_LARGE', `${width}x${height} image is over the ${maxPixels}-pixel bound`)
  checkDecodedBytes(meta, width * height, maxPixels)
  const pixels = collapseNeutralGrey(await decodePixels(open, meta))
  return { ...pixels, format: meta.format }
}
