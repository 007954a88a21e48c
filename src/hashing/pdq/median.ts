const f32 = Math.fround

/**
 * Torben Mogensen's selection, as the reference uses it: returns the upper-middle element for an even
 * count (the 128th smallest of 256), by bisecting on value without reordering the input. Bisection
 * midpoints are float32, as in the reference, so ties resolve to the same element.
 */
export function torbenMedian (m: Float32Array): number {
  const n = m.length
  const half = (n + 1) >> 1
  let min = m[0]!
  let max = m[0]!
  for (let i = 1; i < n; i++) {
    const v = m[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  for (;;) {
    const guess = f32(f32(min + max) / 2)
    let less = 0
    let greater = 0
    let equal = 0
    let maxLtGuess = min
    let minGtGuess = max
    for (let i = 0; i < n; i++) {
      const v = m[i]!
      if (v < guess) {
        less++
        if (v > maxLtGuess) maxLtGuess = v
      } else if (v > guess) {
        greater++
        if (v < minGtGuess) minGtGuess = v
      } else {
        equal++
      }
    }
    if (less <= half && greater <= half) {
      if (less >= half) return maxLtGuess
      if (less + equal >= half) return guess
      return minGtGuess
    }
    if (less > greater) max = maxLtGuess
    else min = minGtGuess
  }
}
