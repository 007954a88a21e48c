import type { RawImage } from './rawImage.js'

/**
 * An RGB image whose every pixel has R = G = B, as one grey channel. The reference's loader
 * (ImageMagick writing PNM) emits such images as greyscale, and PDQ takes grey samples directly where
 * RGB goes through float32 luma weights that do not sum to exactly 1 (luma(37,37,37) ≠ 37); doing the
 * same keeps "a grey photo stored as RGB" bit-exact and hashes it like the same photo stored as grey.
 */
export function collapseNeutralGrey (img: RawImage): RawImage {
  if (img.channels !== 3) return img
  const { data } = img
  for (let p = 0; p < data.length; p += 3) {
    if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return img
  }
  const grey = new Uint8Array(img.width * img.height)
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) grey[i] = data[p]!
  return { width: img.width, height: img.height, channels: 1, data: grey }
}
