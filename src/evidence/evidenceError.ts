import { HashmeshError } from '../errors.js'

export type EvidenceErrorCode =
  /** Neither a content id nor a type and value, or both. */
  | 'BAD_EVIDENCE_QUERY'
  /** No match record for the content id, or nothing stored about the hash. */
  | 'NO_EVIDENCE'
  /** More batches, bytes or records than one bundle holds (the limits in evidenceBundle.ts). */
  | 'EVIDENCE_TOO_LARGE'

export class EvidenceError extends HashmeshError<EvidenceErrorCode> {}
