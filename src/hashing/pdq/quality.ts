import { DOWNSAMPLED_SIDE } from './decimate.js'

const f32 = Math.fround
const N = DOWNSAMPLED_SIDE

/** Below this quality the reference says a hash is too featureless to match on. */
export const PDQ_QUALITY_THRESHOLD = 50

export const MAX_QUALITY = 100

/** Neighbour differences are scaled to percent of full range and truncated, so only steps of ≥ 2.55 count. */
const PERCENT = 100
const FULL_RANGE = 255
/** The reference's tuning constant: the gradient sum of a "fully featured" image is about 90 × 100. */
const GRADIENT_SUM_PER_QUALITY_POINT = 90

function step (u: number, v: number): number {
  return Math.abs(Math.trunc(f32(f32(f32(u - v) * PERCENT) / FULL_RANGE)))
}

/** The reference's quality: the sum of significant vertical and horizontal gradients of the 64×64 luma, capped at 100. */
export function pdqQuality (luma64: Float32Array): number {
  let gradientSum = 0
  for (let i = 0; i < N - 1; i++) {
    for (let j = 0; j < N; j++) gradientSum += step(luma64[i * N + j]!, luma64[(i + 1) * N + j]!)
  }
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N - 1; j++) gradientSum += step(luma64[i * N + j]!, luma64[i * N + j + 1]!)
  }
  return Math.min(MAX_QUALITY, Math.trunc(gradientSum / GRADIENT_SUM_PER_QUALITY_POINT))
}
