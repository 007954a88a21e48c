import { DOWNSAMPLED_SIDE } from './decimate.js'

const f32 = Math.fround

/** The hash keeps the 16×16 lowest non-DC frequencies of the 64×64 DCT. */
export const DCT_SIDE = 16

const N = DOWNSAMPLED_SIDE

/**
 * Rows 1..16 of the 64-point DCT-II basis (row 0, the DC term, is skipped). The reference keeps the
 * scale in float32 but multiplies it by the cosine in double before storing the float32 result.
 */
function dctMatrix (): Float32Array {
  const scale = f32(Math.sqrt(2 / N))
  const m = new Float32Array(DCT_SIDE * N)
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < N; j++) m[i * N + j] = scale * Math.cos((Math.PI / 2 / N) * (i + 1) * (2 * j + 1))
  }
  return m
}

const D = dctMatrix()

/**
 * B = D · A · Dᵀ for the 64×64 `a` into the 16×16 `b` (both row-major), via T = D · A in `t` (16×64).
 * Every product and every running sum is rounded to float32, summed in increasing k as the reference does.
 */
export function dct64To16 (a: Float32Array, t: Float32Array, b: Float32Array): void {
  for (let i = 0; i < DCT_SIDE; i++) {
    const d = i * N
    for (let j = 0; j < N; j++) {
      let sum = 0
      for (let k = 0; k < N; k++) sum = f32(sum + f32(D[d + k]! * a[k * N + j]!))
      t[i * N + j] = sum
    }
  }
  for (let i = 0; i < DCT_SIDE; i++) {
    const ti = i * N
    for (let j = 0; j < DCT_SIDE; j++) {
      const d = j * N
      let sum = 0
      for (let k = 0; k < N; k++) sum = f32(sum + f32(t[ti + k]! * D[d + k]!))
      b[i * DCT_SIDE + j] = sum
    }
  }
}
