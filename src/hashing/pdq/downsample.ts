import { decimate, DOWNSAMPLED_SIDE } from './decimate.js'
import { jaroszFilter, jaroszWindowSize } from './jarosz.js'

/**
 * Full-size float32 luma (rows × cols, row-major) to the 64×64 the DCT reads: two Jarosz passes sized
 * per axis, then centre sampling. Overwrites `luma` (the blur runs in place, with one scratch buffer).
 */
export function downsampleLuma (luma: Float32Array, rows: number, cols: number): Float32Array {
  jaroszFilter(luma, new Float32Array(luma.length), rows, cols, jaroszWindowSize(cols, DOWNSAMPLED_SIDE), jaroszWindowSize(rows, DOWNSAMPLED_SIDE))
  const luma64 = new Float32Array(DOWNSAMPLED_SIDE * DOWNSAMPLED_SIDE)
  decimate(luma, rows, cols, luma64)
  return luma64
}
