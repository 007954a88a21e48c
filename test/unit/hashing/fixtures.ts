import type { RawImage } from '../../../src/hashing/rawImage.js'
import type { DihedralName } from '../../../src/hashing/pdq/pdqHasher.js'

/** Small seeded PRNG (mulberry32) so a fast-check seed fully determines an image. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function noiseImage (width: number, height: number, channels: 1 | 3, seed: number): RawImage {
  const next = prng(seed)
  const data = new Uint8Array(width * height * channels)
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256)
  return { width, height, channels, data }
}

export function solidImage (width: number, height: number, rgb: [number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 3)
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3]!
  return { width, height, channels: 3, data }
}

interface Mapping {
  readonly outW: number
  readonly outH: number
  /** Output pixel (r, c) copies input pixel src(r, c) = [row, col]. */
  readonly src: (r: number, c: number) => [number, number]
}

/**
 * The eight symmetries as pixel index maps, independent of the DCT shortcut: rotate90 is a quarter turn
 * anticlockwise (the right-hand column becomes the top row), flipx turns the image upside down, flipy
 * mirrors it left to right, flipplus1 transposes about the main diagonal, flipminus1 about the other.
 */
function mapping (name: DihedralName, W: number, H: number): Mapping {
  switch (name) {
    case 'original': return { outW: W, outH: H, src: (r, c) => [r, c] }
    case 'rotate90': return { outW: H, outH: W, src: (r, c) => [c, W - 1 - r] }
    case 'rotate180': return { outW: W, outH: H, src: (r, c) => [H - 1 - r, W - 1 - c] }
    case 'rotate270': return { outW: H, outH: W, src: (r, c) => [H - 1 - c, r] }
    case 'flipx': return { outW: W, outH: H, src: (r, c) => [H - 1 - r, c] }
    case 'flipy': return { outW: W, outH: H, src: (r, c) => [r, W - 1 - c] }
    case 'flipplus1': return { outW: H, outH: W, src: (r, c) => [c, r] }
    case 'flipminus1': return { outW: H, outH: W, src: (r, c) => [H - 1 - c, W - 1 - r] }
  }
}

export function transformPixels (name: DihedralName, img: RawImage): RawImage {
  const { outW, outH, src } = mapping(name, img.width, img.height)
  const { channels } = img
  const data = new Uint8Array(outW * outH * channels)
  for (let r = 0; r < outH; r++) {
    for (let c = 0; c < outW; c++) {
      const [sr, sc] = src(r, c)
      const p = (sr * img.width + sc) * channels
      const o = (r * outW + c) * channels
      for (let k = 0; k < channels; k++) data[o + k] = img.data[p + k]!
    }
  }
  return { width: outW, height: outH, channels, data }
}

/** The same symmetry on a square side × side float buffer (the 64×64 downsample). */
export function transformSquare (name: DihedralName, a: Float32Array, side: number): Float32Array {
  const { src } = mapping(name, side, side)
  const out = new Float32Array(side * side)
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const [sr, sc] = src(r, c)
      out[r * side + c] = a[sr * side + sc]!
    }
  }
  return out
}

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
