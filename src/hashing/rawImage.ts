import { HashingError } from './errors.js'

/** Decoded pixels: 8-bit samples, row-major, channels interleaved (grey, or R G B). */
export interface RawImage {
  readonly width: number
  readonly height: number
  readonly channels: 1 | 3
  readonly data: Uint8Array
}

function isPositiveInteger (n: number): boolean {
  return Number.isSafeInteger(n) && n > 0
}

/** Throws BAD_IMAGE unless the size is positive and the buffer holds exactly width × height × channels samples. */
export function checkRawImage (img: RawImage): void {
  if (!isPositiveInteger(img.width) || !isPositiveInteger(img.height)) {
    throw new HashingError('BAD_IMAGE', `image size must be positive integers, got ${String(img.width)}x${String(img.height)}`)
  }
  if (img.channels !== 1 && img.channels !== 3) {
    throw new HashingError('BAD_IMAGE', `image must have 1 or 3 channels, got ${String(img.channels)}`)
  }
  const expected = img.width * img.height * img.channels
  if (!(img.data instanceof Uint8Array) || img.data.length !== expected) {
    throw new HashingError('BAD_IMAGE', `${img.width}x${img.height}x${img.channels} image needs ${expected} bytes, got ${String(img.data?.length)}`)
  }
}
