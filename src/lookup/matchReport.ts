import { DIHEDRAL_NAMES } from '../hashing/pdq/pdqHasher.js'
import { type FileHashes, PDQ_QUALITY_THRESHOLD } from '../hashing/fileHasher.js'
import type { LookupQuery } from './lookupService.js'
import type { LookupResult } from './lookupResult.js'

export interface MatchOptions {
  /** PDQ distance searched; default 31. */
  maxDistance?: number
  /** Also search the seven rotations and flips of the image. */
  dihedral?: boolean
}

/** Why a file's PDQ was not matched: not an image, or too featureless for its PDQ to mean anything. */
export type PdqSkipReason = 'NOT_AN_IMAGE' | 'LOW_QUALITY'

/** What a node knows about one file: its hashes, and the lookup of each. JSON-shaped. */
export interface MatchResult {
  hashes: FileHashes
  /** True when any exact hash or near PDQ match is listed (by a visible publisher). */
  listed: boolean
  /** Local policy's verdict: true when any stored hash found matches (see each result's `hashes`). */
  match: boolean
  /** Set when the PDQ was not looked up. */
  pdqSkipped?: PdqSkipReason
  /** Order of `variant` in PDQ matches when the dihedral forms were searched. */
  variants?: readonly string[]
  /** md5, sha1, sha256, then pdq when it was looked up. */
  results: LookupResult[]
}

function pdqSkipReason (hashes: FileHashes): PdqSkipReason | undefined {
  if (hashes.pdq === undefined) return 'NOT_AN_IMAGE'
  return hashes.pdq.quality < PDQ_QUALITY_THRESHOLD ? 'LOW_QUALITY' : undefined
}

/**
 * The lookups that answer for a file: its three exact hashes, and its PDQ unless the image is below
 * the reference's quality threshold (a featureless image's hash matches unrelated ones).
 */
export function matchQueries (hashes: FileHashes, options: MatchOptions = {}): LookupQuery[] {
  const queries: LookupQuery[] = [
    { type: 'md5', value: hashes.md5 },
    { type: 'sha1', value: hashes.sha1 },
    { type: 'sha256', value: hashes.sha256 }
  ]
  const { pdq } = hashes
  if (pdq === undefined || pdqSkipReason(hashes) !== undefined) return queries
  const query: LookupQuery = { type: 'pdq', value: pdq.hash, maxDistance: options.maxDistance }
  if (options.dihedral === true && pdq.dihedral !== undefined) {
    const forms = pdq.dihedral
    query.variants = DIHEDRAL_NAMES.slice(1).map(name => forms[name])
  }
  return [...queries, query]
}

/** The answer to `matchQueries`, in the same order. */
export function matchReport (hashes: FileHashes, results: LookupResult[], options: MatchOptions = {}): MatchResult {
  const pdqSkipped = pdqSkipReason(hashes)
  const report: MatchResult = { hashes, listed: results.some(r => r.listed), match: results.some(r => r.match), results }
  if (pdqSkipped !== undefined) report.pdqSkipped = pdqSkipped
  if (options.dihedral === true && pdqSkipped === undefined) report.variants = DIHEDRAL_NAMES
  return report
}
