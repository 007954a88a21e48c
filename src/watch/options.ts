import { DEFAULT_PDQ_MAX_DISTANCE } from '../lookup/limits.js'

export interface WatchOptions {
  /** A listed PDQ within this Hamming distance of a watched PDQ matches it (same bounds as lookups). */
  pdqMaxDistance: number
  /** Watched items this node holds at most: the in-memory indexes cost ~100-300 bytes an item. */
  maxItems: number
}

export const defaultWatchOptions: Readonly<WatchOptions> = Object.freeze({
  pdqMaxDistance: DEFAULT_PDQ_MAX_DISTANCE,
  maxItems: 10_000_000
})
