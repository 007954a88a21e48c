import type { EvidenceQuery } from '../evidence/evidenceBuilder.js'

/**
 * What the faces may ask of a node about evidence: a bundle about a content id's latest match, or
 * about one stored hash. Throws EvidenceError (BAD_EVIDENCE_QUERY, NO_EVIDENCE, EVIDENCE_TOO_LARGE)
 * and SignalError for a bad type or value.
 */

export type { EvidenceQuery } from '../evidence/evidenceBuilder.js'
export type { EvidenceReport, EvidenceCheck } from '../evidence/evidenceReport.js'

export interface EvidenceNodeApi {
  /**
   * The bundle file: canonical JSON whose every byte the node's signature covers; serve it unchanged.
   * `actor` is who the audit log records as having made it (default "admin").
   */
  evidence: (query: EvidenceQuery, actor?: string) => Promise<string>
}
