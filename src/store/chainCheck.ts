import { toHex } from '../signals/hex.js'
import type { HeadRecord } from './hashStore.js'

/** One publisher's chain as the batchAt records show it: seqs in key order and the id at the last. */
export interface ChainScan {
  publisher: Uint8Array
  /** The highest seq of the run 1, 2, 3, … without a hole. */
  contiguousTo: number
  /** The id stored at contiguousTo. */
  idAtContiguous: Uint8Array
  /** The first missing seq, when a later one exists (a hole no ordinary write can make). */
  holeAt?: number
}

export type ChainProblem =
  | { kind: 'HEAD_MISSING' | 'HEAD_MISMATCH', publisher: string, expectedSeq: number, headSeq?: number, repairable: true }
  | { kind: 'HOLE', publisher: string, missingSeq: number, repairable: false }
  | { kind: 'HEAD_WITHOUT_BATCHES', publisher: string, headSeq: number, repairable: false }

/**
 * Compares each publisher's head with the batches stored for it. Every batch is written with its
 * head in one atomic LevelDB batch, so a crash cannot split them; a mismatch means damage (disk,
 * manual edits, a bug) and is reported with whether the head can be rebuilt from the batches.
 */
export function chainProblems (chains: readonly ChainScan[], heads: readonly HeadRecord[]): ChainProblem[] {
  const problems: ChainProblem[] = []
  const headOf = new Map(heads.map(h => [toHex(h.publisher), h]))
  for (const chain of chains) {
    const publisher = toHex(chain.publisher)
    const head = headOf.get(publisher)
    headOf.delete(publisher)
    if (chain.holeAt !== undefined) problems.push({ kind: 'HOLE', publisher, missingSeq: chain.holeAt, repairable: false })
    if (chain.contiguousTo === 0) continue
    if (head === undefined) {
      problems.push({ kind: 'HEAD_MISSING', publisher, expectedSeq: chain.contiguousTo, repairable: true })
    } else if (head.seq !== chain.contiguousTo || toHex(head.headId) !== toHex(chain.idAtContiguous)) {
      problems.push({ kind: 'HEAD_MISMATCH', publisher, expectedSeq: chain.contiguousTo, headSeq: head.seq, repairable: true })
    }
  }
  for (const [publisher, head] of headOf) problems.push({ kind: 'HEAD_WITHOUT_BATCHES', publisher, headSeq: head.seq, repairable: false })
  return problems
}
