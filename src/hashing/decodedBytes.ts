/**
 * Memory one image costs while it is hashed, per pixel, by its decoded format: what bounds an upload
 * is bytes, not pixels (a 16-bit pixel costs half again an 8-bit one). The parts, each a whole-image
 * buffer alive at the peak (libvips streams the file's own decoding a few lines at a time):
 *   - sharp's raw output, alpha dropped: 1 or 3 samples, 2 bytes each for 16-bit;
 *   - for 16-bit, the 8-bit samples they are scaled to;
 *   - PDQ's two float buffers (luminance and the box filter's scratch): 8 bytes;
 *   - about a byte of libvips' and V8's working memory.
 * bench/uploadMemory.ts measures peak RSS per pixel: 11.8 (8-bit RGB), 12.5 (8-bit RGBA), 17.9
 * (16-bit RGB), 18.8 (16-bit RGBA) at 9 MP, against 12, 12, 18 and 18 here.
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
  const colour = channels >= 3 ? 3 : 1
  const scaled = sampleBytes > 1 ? colour : 0
  return colour * sampleBytes + scaled + PDQ_FLOAT_BYTES + WORKING_BYTES
}

/**
 * 8-bit colour: a pixel bound (match.maxImagePixels) is this many bytes a pixel, so every 8-bit
 * photo or screenshot still gets the whole bound and 16-bit colour gets two thirds of it.
 */
export const REFERENCE_BYTES_PER_PIXEL = bytesPerPixel({ channels: 3, sampleBytes: 1 })
