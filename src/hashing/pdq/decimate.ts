/** Side of the square the blurred luma is sampled down to before the DCT. */
export const DOWNSAMPLED_SIDE = 64

/** Source index sampled for each output index: the source pixel under the output pixel's centre. */
function centreIndices (inLength: number, outLength: number): Int32Array {
  const indices = new Int32Array(outLength)
  for (let o = 0; o < outLength; o++) indices[o] = Math.floor(((o + 0.5) * inLength) / outLength)
  return indices
}

/** Point-samples a blurred rows × cols buffer down to DOWNSAMPLED_SIDE² (row-major) into `out`. */
export function decimate (input: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const rowIndex = centreIndices(rows, DOWNSAMPLED_SIDE)
  const colIndex = centreIndices(cols, DOWNSAMPLED_SIDE)
  for (let i = 0; i < DOWNSAMPLED_SIDE; i++) {
    const base = rowIndex[i]! * cols
    for (let j = 0; j < DOWNSAMPLED_SIDE; j++) out[i * DOWNSAMPLED_SIDE + j] = input[base + colIndex[j]!]!
  }
}
