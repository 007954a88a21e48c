import { DCT_SIDE } from './dct.js'

/** The eight symmetries of the square, in the order `pdq-photo-hasher --pdqdih` prints them. */
export const DIHEDRAL_NAMES = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipx', 'flipy', 'flipplus1', 'flipminus1'] as const

export type DihedralName = typeof DIHEDRAL_NAMES[number]

/**
 * How each symmetry acts on DCT coefficient (i, j): whether it swaps the axes (a transpose), and
 * whether the coefficient changes sign. Mirroring an axis negates the odd-frequency basis functions
 * along it; the hash rows count frequencies from 1, so that is index parity even along that axis.
 */
interface Transform {
  readonly transpose: boolean
  readonly negate: (i: number, j: number) => boolean
}

const TRANSFORMS: Record<DihedralName, Transform> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: i => (i & 1) === 0 },
  flipx: { transpose: false, negate: i => (i & 1) === 0 },
  flipy: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flipplus1: { transpose: true, negate: () => false },
  flipminus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 }
}

/** The 16×16 DCT the transformed image would have, from the original's (sign flips are exact, so no re-hash is needed). */
export function transformDct (name: DihedralName, a: Float32Array, out: Float32Array): void {
  const { transpose, negate } = TRANSFORMS[name]
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < DCT_SIDE; j++) {
      const v = a[i * DCT_SIDE + j]!
      out[transpose ? j * DCT_SIDE + i : i * DCT_SIDE + j] = negate(i, j) ? -v : v
    }
  }
}
