import type { RawImage } from '../rawImage.js'

/** `pdq-photo-hasher` squashes anything with a side over this to exactly this square before hashing. */
export const TOOL_RESIZE_SIDE = 512

/** Source index for destination index `dst` when an axis of `oldLength` becomes `newLength` (CImg's nearest neighbour). */
export function nearestSourceIndex (dst: number, oldLength: number, newLength: number): number {
  return Math.floor((dst * oldLength) / newLength)
}

function sourceIndices (oldLength: number, newLength: number): Int32Array {
  const indices = new Int32Array(newLength)
  for (let d = 0; d < newLength; d++) indices[d] = nearestSourceIndex(d, oldLength, newLength)
  return indices
}

/**
 * The C++ CLI's pre-resize ("tool" mode): when either side is over 512, nearest-neighbour to 512×512
 * without keeping the aspect ratio (a short side is stretched, a long one subsampled). Smaller images
 * are returned as they are.
 */
export function toolResize (img: RawImage): RawImage {
  if (img.width <= TOOL_RESIZE_SIDE && img.height <= TOOL_RESIZE_SIDE) return img
  const side = TOOL_RESIZE_SIDE
  const { channels, data, width } = img
  const rows = sourceIndices(img.height, side)
  const cols = sourceIndices(width, side)
  const out = new Uint8Array(side * side * channels)
  let o = 0
  for (let y = 0; y < side; y++) {
    const rowStart = rows[y]! * width
    for (let x = 0; x < side; x++) {
      const p = (rowStart + cols[x]!) * channels
      for (let c = 0; c < channels; c++) out[o++] = data[p + c]!
    }
  }
  return { width: side, height: side, channels, data: out }
}
