/** How the benches time and print what they measure, so every figure is taken and shown alike. */

/** Seconds since a process.hrtime.bigint() reading. */
export function seconds (since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9
}

/** The value at fraction `p` (0–1) of ascending `sorted`. */
export function percentile (sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

/** A count rounded and grouped: 1,234,567. */
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
