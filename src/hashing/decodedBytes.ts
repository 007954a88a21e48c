/**
 * Memory one image costs while it is hashed, per pixel, by its decoded format: what bounds an upload
 * is bytes, not pixels (a 16-bit pixel costs twice an 8-bit one). The parts, each a whole-image
 * buffer alive at the peak (libvips streams the file's own decoding a few lines at a time):
 *   - sharp's raw output, alpha dropped: 1 or 3 samples, 2 bytes each for 16-bit, and for 16-bit
 *     a second copy of that size (seen in the worker threads uploads are hashed on);
 *   - for 16-bit, the 8-bit samples they are scaled to;
 *   - PDQ's two float buffers (luminance and the box filter's scratch): 8 bytes;
 *   - about a byte of libvips' and V8's working memory.
 * bench/uploadMemory.ts measures peak RSS a pixel, two uploads at once in the workers: 12.9 (8-bit
 * RGB), 13.6 (8-bit RGBA), 24.4 (16-bit RGB), against 12, 12 and 24 here (in one thread, 16-bit
 * peaks at 18).
 */

const PDQ_FLOAT_BYTES = 8

const WORKING_BYTES = 1

export interface DecodedFormat {
  /** Channels as stored, alpha included. */
  readonly channels: number
  /** Bytes per sample as stored: 1 (8-bit) or 2 (16-bit). */
  readonly sampleBytes: number
}

export function bytesPerPixel ({ channels, sampleBytes }: DecodedFormat): number {
  const samples = channels >= 3 ? 3 : 1
  // 16-bit: two copies of the wide output, then the 8-bit samples; 8-bit: the samples alone.
  const pixelBuffers = sampleBytes > 1 ? samples * (2 * sampleBytes + 1) : samples
  return pixelBuffers + PDQ_FLOAT_BYTES + WORKING_BYTES
}

/**
 * 8-bit colour: a pixel bound (match.maxImagePixels) is this many bytes a pixel, so every 8-bit
 * photo or screenshot still gets the whole bound and 16-bit colour gets half of it.
 */
export const REFERENCE_BYTES_PER_PIXEL = bytesPerPixel({ channels: 3, sampleBytes: 1 })
