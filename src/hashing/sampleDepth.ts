const BITS_DROPPED = 8

/**
 * 16-bit samples (native-endian bytes, as sharp's raw ushort output) to 8 bits by keeping the high
 * byte. sharp's own 16→8-bit route for grey goes through a colourspace conversion and lands 1 off
 * for about a third of the values; v >> 8 is what the shared vectors agree on.
 */
export function highBytes (samples16: Uint8Array): Uint8Array {
  const count = samples16.length >> 1
  const wide = samples16.byteOffset % 2 === 0
    ? new Uint16Array(samples16.buffer, samples16.byteOffset, count)
    : new Uint16Array(samples16.slice(0, count * 2).buffer)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) out[i] = wide[i]! >> BITS_DROPPED
  return out
}
