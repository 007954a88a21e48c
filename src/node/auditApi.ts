import type { AuditLogPage, AuditLogQuery } from '../audit/auditService.js'
import type { ExportQuery, TransparencyQuery, VerifyQuery } from '../audit/auditQuery.js'
import type { ExportRow } from '../audit/exporter.js'
import type { ProvenanceReport } from '../audit/provenance.js'
import type { VerifyReport } from '../audit/storeAudit.js'
import type { TransparencyReport } from '../audit/transparency.js'

/**
 * What the HTTP API and the CLI may ask of a running node about provenance and audit. JSON-shaped
 * like HashmeshNodeApi; input errors are typed (SignalError, AuditQueryError, AuditError).
 * AuditService (src/audit/auditService.ts) implements it.
 */

export type { AuditLogPage, AuditLogQuery } from '../audit/auditService.js'
export type { ExportQuery, Period, TransparencyQuery, VerifyQuery } from '../audit/auditQuery.js'
export type { ExportRow } from '../audit/exporter.js'
export type { ExportFormat } from '../audit/exportFormat.js'
export type { ProvenanceEvent, ProvenanceReport, SignatureStatus, Verdict, Via } from '../audit/provenance.js'
export type { VerifyChecked, VerifyReport } from '../audit/storeAudit.js'
export type { Notice } from '../audit/rootHistory.js'
export type { TransparencyReport, TransparencyRow } from '../audit/transparency.js'
export type { AuditHeadJson, AuditRecordJson } from '../store/auditLog.js'
export type { Problem, ProblemCheck } from '../store/storeVerifier.js'

export interface AuditNodeApi {
  /** Every stored entry about one exact hash, traced to its signed batch, with the local verdict. */
  provenance: (type: string, value: string) => Promise<ProvenanceReport>
  /** Verifies the node's own store (over a snapshot; ingest continues). */
  auditVerify: (query?: VerifyQuery) => Promise<VerifyReport>
  auditLog: (query: AuditLogQuery) => Promise<AuditLogPage>
  /** Throws at once for a bad query; rows are read as they are iterated. */
  exportEntries: (query: ExportQuery) => AsyncIterable<ExportRow>
  transparency: (query: TransparencyQuery) => Promise<TransparencyReport>
}
