import { checkRawImage, type RawImage } from '../rawImage.js'
import { dct64To16, DCT_SIDE } from './dct.js'
import { DOWNSAMPLED_SIDE } from './decimate.js'
import { DIHEDRAL_NAMES, transformDct, type DihedralName } from './dihedral.js'
import { hashFromDct, PDQ_HASH_BYTES } from './hashBits.js'
import { downsampleLuma } from './downsample.js'
import { fillLuma } from './luma.js'
import { pdqQuality } from './quality.js'

export { DIHEDRAL_NAMES, type DihedralName } from './dihedral.js'

/** Below this many pixels on a side the reference gives up: all-zero hash, quality 0. */
export const MIN_HASHABLE_SIDE = 5

export type DihedralHashes = Record<DihedralName, Uint8Array>

export interface PdqOptions {
  /** Also derive the hashes of the image's 7 rotations and flips (from the same DCT, almost free). */
  readonly dihedral?: boolean
}

export interface PdqResult {
  /** 32 bytes: the reference's hex, decoded. */
  readonly hash: Uint8Array
  /** 0..100; below PDQ_QUALITY_THRESHOLD the hash is too featureless to match on. */
  readonly quality: number
  readonly dihedral?: DihedralHashes
}

/** The 16×16 DCT of a 64×64 downsample, and the quality of that downsample. */
interface Spectrum {
  readonly dct: Float32Array
  readonly quality: number
}

function dctOf (luma64: Float32Array): Spectrum {
  const dct = new Float32Array(DCT_SIDE * DCT_SIDE)
  dct64To16(luma64, new Float32Array(DCT_SIDE * DOWNSAMPLED_SIDE), dct)
  return { dct, quality: pdqQuality(luma64) }
}

function dihedralFrom (dct: Float32Array): DihedralHashes {
  const scratch = new Float32Array(DCT_SIDE * DCT_SIDE)
  const out: Partial<DihedralHashes> = {}
  for (const name of DIHEDRAL_NAMES) {
    transformDct(name, dct, scratch)
    out[name] = hashFromDct(scratch)
  }
  return out as DihedralHashes
}

function zeroResult (dihedral: boolean): PdqResult {
  const hash = new Uint8Array(PDQ_HASH_BYTES)
  if (!dihedral) return { hash, quality: 0 }
  const variants = Object.fromEntries(DIHEDRAL_NAMES.map(n => [n, new Uint8Array(PDQ_HASH_BYTES)])) as DihedralHashes
  return { hash, quality: 0, dihedral: variants }
}

/**
 * PDQ of decoded pixels, bit-exact with Meta's C++ reference (pdqHash256FromFloatLuma, and
 * pdqDihedralHash256esFromFloatLuma for the variants): float32 luma, two Jarosz passes, 64×64
 * decimation, 16×16 DCT, median threshold. No pre-resize: this is the "core" mode.
 *
 * One reference quirk is kept: an image of exactly 64×64 skips the blur for the main hash (the
 * reference treats it as already downsampled) but not for the dihedral set, which the reference always
 * blurs; so for that one size `dihedral.original` may differ from `hash` by a few bits, exactly as
 * `pdq-photo-hasher` and `--pdqdih` do. `quality` is always the main path's.
 */
export function pdqHash (img: RawImage, opts: PdqOptions = {}): PdqResult {
  checkRawImage(img)
  const wantDihedral = opts.dihedral === true
  const { width: cols, height: rows } = img
  if (rows < MIN_HASHABLE_SIDE || cols < MIN_HASHABLE_SIDE) return zeroResult(wantDihedral)

  const luma = new Float32Array(rows * cols)
  fillLuma(img, luma)
  const alreadyDownsampled = rows === DOWNSAMPLED_SIDE && cols === DOWNSAMPLED_SIDE
  const main = dctOf(alreadyDownsampled ? luma.slice() : downsampleLuma(luma, rows, cols))
  const result = { hash: hashFromDct(main.dct), quality: main.quality }
  if (!wantDihedral) return result
  const dihedralDct = alreadyDownsampled ? dctOf(downsampleLuma(luma, rows, cols)).dct : main.dct
  return { ...result, dihedral: dihedralFrom(dihedralDct) }
}
