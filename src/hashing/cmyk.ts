const MAX_SAMPLE = 255

/**
 * CMYK (0 = no ink, one byte per channel, 4 interleaved) to RGB the way the reference's decoder
 * (ImageMagick) does it: R = (1 − C)(1 − K) rounded, no colour profile. sharp's own conversion goes
 * through an ICC profile and gives visibly different pixels (6–10 bits of PDQ distance on the vectors).
 */
export function cmykToRgb (cmyk: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3)
  for (let i = 0, p = 0, o = 0; i < pixels; i++, p += 4) {
    const white = MAX_SAMPLE - cmyk[p + 3]!
    for (let c = 0; c < 3; c++) {
      // (a·b + 127) / 255 floored is round(a·b / 255): a·b / 255 is never exactly half-way.
      rgb[o++] = Math.floor(((MAX_SAMPLE - cmyk[p + c]!) * white + 127) / MAX_SAMPLE)
    }
  }
  return rgb
}
