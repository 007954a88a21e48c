/**
 * Memory one image costs while it is hashed, per pixel, by its decoded format: what bounds an upload
 * is bytes, not pixels (a 16-bit RGBA pixel costs nearly twice an 8-bit RGB one). The parts, each a
 * whole-image buffer alive at the peak (bench/uploadMemory.ts measures the sum for each format):
 *   - libvips' decoded input: channels × bytes per sample, alpha included;
 *   - sharp's raw output, alpha dropped: 1 or 3 samples, 2 bytes each for 16-bit (then scaled to 8 here);
 *   - the 8-bit samples that are hashed: 1 or 3 bytes;
 *   - PDQ's two float buffers (luminance and the box filter's scratch): 8 bytes.
 */

const PDQ_FLOAT_BYTES = 8

export interface DecodedFormat {
  /** Channels as stored, alpha included. */
  readonly channels: number
  /** Bytes per sample as stored: 1 (8-bit) or 2 (16-bit). */
  readonly sampleBytes: number
}

export function bytesPerPixel ({ channels, sampleBytes }: DecodedFormat): number {
  const colour = channels >= 3 ? 3 : 1
  const wideOutput = sampleBytes > 1 ? colour * sampleBytes : 0
  return channels * sampleBytes + wideOutput + colour + PDQ_FLOAT_BYTES
}

/**
 * 8-bit RGBA, the widest common format: a pixel bound (match.maxImagePixels) is this many bytes a
 * pixel, so every 8-bit photo or screenshot still gets the whole bound and 16-bit ones get fewer pixels.
 */
export const REFERENCE_BYTES_PER_PIXEL = bytesPerPixel({ channels: 4, sampleBytes: 1 })
