/**
 * Jarosz's tent filter: box blurs repeated along rows then columns, in float32, with the reference's
 * running-sum arithmetic (each add, subtract and divide rounded to float32, in its order), because the
 * hash bits of low-contrast images depend on those roundings.
 */

const f32 = Math.fround

/** Two row-then-column passes of a box make a tent: enough blur to stop 64×64 decimation aliasing. */
export const JAROSZ_PASSES = 2

/**
 * Box width along an axis of `oldDimension` pixels that is sampled down to `newDimension`: half the
 * source pixels per output pixel (rounded up), since two passes together span the whole block.
 */
export function jaroszWindowSize (oldDimension: number, newDimension: number): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension))
}

/**
 * The window is centred, with its extra pixel on the right for even widths; near the ends it shrinks
 * and the divisor with it (the image is not padded).
 */
function boxPhases (length: number, window: number): [number, number, number, number] {
  // jaroszWindowSize never exceeds the axis; a wider window would read past the row.
  if (!Number.isInteger(window) || window < 1 || window > length) throw new RangeError(`box window ${window} for an axis of ${length}`)
  const half = (window + 2) >> 1
  return [half - 1, window - half + 1, length - window, half - 1]
}

function boxRow (input: Float32Array, output: Float32Array, start: number, length: number, window: number): void {
  const [warmUp, growing, full, shrinking] = boxPhases(length, window)
  let left = start
  let right = start
  let out = start
  let sum = 0
  let size = 0
  for (let i = 0; i < warmUp; i++) {
    sum = f32(sum + input[right++]!)
    size++
  }
  for (let i = 0; i < growing; i++) {
    sum = f32(sum + input[right++]!)
    size++
    output[out++] = sum / size
  }
  for (let i = 0; i < full; i++) {
    sum = f32(sum + input[right++]!)
    sum = f32(sum - input[left++]!)
    output[out++] = sum / size
  }
  for (let i = 0; i < shrinking; i++) {
    sum = f32(sum - input[left++]!)
    size--
    output[out++] = sum / size
  }
}

export function boxAlongRows (input: Float32Array, output: Float32Array, rows: number, cols: number, window: number): void {
  for (let r = 0; r < rows; r++) boxRow(input, output, r * cols, cols, window)
}

/**
 * Same arithmetic as boxRow down every column, but all columns advance together a row at a time: each
 * column's running sum sees the same operations in the same order, and memory is read sequentially
 * instead of with a stride of a whole row (3× faster on a 1600×1004 image).
 */
export function boxAlongCols (input: Float32Array, output: Float32Array, rows: number, cols: number, window: number): void {
  const [warmUp, growing, full, shrinking] = boxPhases(rows, window)
  const sums = new Float32Array(cols)
  let left = 0
  let right = 0
  let out = 0
  let size = 0
  for (let i = 0; i < warmUp; i++, right += cols) {
    for (let j = 0; j < cols; j++) sums[j] = sums[j]! + input[right + j]!
    size++
  }
  for (let i = 0; i < growing; i++, right += cols, out += cols) {
    size++
    for (let j = 0; j < cols; j++) {
      const sum = f32(sums[j]! + input[right + j]!)
      sums[j] = sum
      output[out + j] = sum / size
    }
  }
  for (let i = 0; i < full; i++, right += cols, left += cols, out += cols) {
    for (let j = 0; j < cols; j++) {
      const sum = f32(f32(sums[j]! + input[right + j]!) - input[left + j]!)
      sums[j] = sum
      output[out + j] = sum / size
    }
  }
  for (let i = 0; i < shrinking; i++, left += cols, out += cols) {
    size--
    for (let j = 0; j < cols; j++) {
      const sum = f32(sums[j]! - input[left + j]!)
      sums[j] = sum
      output[out + j] = sum / size
    }
  }
}

/**
 * Blurs `buffer1` in place (the result ends in `buffer1`; `buffer2` is scratch of the same size).
 * `windowAlongRows` is the horizontal box width, from the column count; `windowAlongCols` the vertical.
 */
export function jaroszFilter (
  buffer1: Float32Array, buffer2: Float32Array, rows: number, cols: number,
  windowAlongRows: number, windowAlongCols: number, passes: number = JAROSZ_PASSES
): void {
  for (let i = 0; i < passes; i++) {
    boxAlongRows(buffer1, buffer2, rows, cols, windowAlongRows)
    boxAlongCols(buffer2, buffer1, rows, cols, windowAlongCols)
  }
}
