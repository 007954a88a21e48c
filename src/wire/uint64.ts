export interface LongLike { low: number, high: number, unsigned: boolean, toNumber: () => number }

/** uint64 arrives as a Long; anything past 2^53 cannot be a real seq or time, so it is malformed. */
export function toSafeInteger (v: number | LongLike): number | undefined {
  const n = typeof v === 'number' ? v : (v.high >>> 0) > 0x1fffff ? undefined : v.toNumber()
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined
}
