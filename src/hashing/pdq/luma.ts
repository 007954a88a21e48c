import type { RawImage } from '../rawImage.js'

const f32 = Math.fround

// The reference stores these weights as float, so their float32 roundings are what it multiplies by.
const LUMA_R = f32(0.299)
const LUMA_G = f32(0.587)
const LUMA_B = f32(0.114)

const SAMPLE_VALUES = 256

/** weight × sample for every 8-bit sample, each product rounded to float32 as the reference's float multiply is. */
function weightedTable (weight: number): Float32Array {
  const table = new Float32Array(SAMPLE_VALUES)
  for (let v = 0; v < SAMPLE_VALUES; v++) table[v] = weight * v
  return table
}

const R_TABLE = weightedTable(LUMA_R)
const G_TABLE = weightedTable(LUMA_G)
const B_TABLE = weightedTable(LUMA_B)

/**
 * Fills `out` (width × height, row-major) with float32 luma. RGB is weighted and summed left to right
 * in float32 (R + G first, then + B) to round exactly as the reference does; grey samples are used as
 * they are, not passed through the weights (whose float32 sum is not exactly 1).
 */
export function fillLuma (img: RawImage, out: Float32Array): void {
  const { data } = img
  const n = img.width * img.height
  if (img.channels === 1) {
    for (let i = 0; i < n; i++) out[i] = data[i]!
    return
  }
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    out[i] = f32(R_TABLE[data[p]!]! + G_TABLE[data[p + 1]!]!) + B_TABLE[data[p + 2]!]!
  }
}
