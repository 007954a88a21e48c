import type { StandingView } from '../forum/standing.js'
import type { AllowlistView } from '../lookup/allowlistView.js'
import type { EquivocationView } from '../lookup/lookupService.js'
import { type AuditHeadJson, type AuditLog, type AuditRecordJson, DEFAULT_AUDIT_PAGE } from '../store/auditLog.js'
import type { HashStore } from '../store/hashStore.js'
import { type ExportQuery, type TransparencyQuery, type VerifyQuery, parseExpectHead, parseExportQuery, parseTransparencyQuery } from './auditQuery.js'
import { type ExportRow, exportRows } from './exporter.js'
import { type ProvenanceReport, type Verdict, provenance } from './provenance.js'
import { type VerifyReport, auditStore } from './storeAudit.js'
import { type TransparencyReport, transparencyReport } from './transparency.js'

export interface AuditLogQuery {
  afterSeq?: number
  /** 1 to MAX_AUDIT_PAGE; default DEFAULT_AUDIT_PAGE. */
  limit?: number
}

export interface AuditLogPage {
  records: AuditRecordJson[]
  head: AuditHeadJson
  /** The afterSeq of the next page, when this one was full. */
  next?: number
}

export interface AuditServiceComponents {
  store: HashStore
  auditLog: AuditLog
  /** How rows stand under forum membership now (organisation, credential, visibility). */
  standing: StandingView
  /** The lookup service's verdict on one exact hash (PDQ at distance 0). */
  verdict: (type: string, valueHex: string) => Promise<Verdict>
  allowlist?: AllowlistView
  equivocations?: EquivocationView
  /** The configured forum roots; asked at each verify, so a config reload is seen. */
  forumRoots: () => readonly Uint8Array[]
  now?: () => number
}

/**
 * The audit face of a running node: provenance of one hash, verification of its own store, the
 * audit log, the export and the transparency report. Structurally the node's AuditNodeApi
 * (src/node/auditApi.ts), which the node can hand to the HTTP routes as it is.
 */
export class AuditService {
  private readonly c: AuditServiceComponents
  /** Verifies in progress, by expected head; a second request waits for one rather than start another full scan. */
  private readonly verifying = new Map<string, Promise<VerifyReport>>()

  constructor (components: AuditServiceComponents) {
    this.c = components
  }

  async provenance (type: string, value: string): Promise<ProvenanceReport> {
    return await provenance(this.c, type, value)
  }

  /** Verifies the running store over a snapshot: ingest goes on meanwhile. */
  async auditVerify (query: VerifyQuery = {}): Promise<VerifyReport> {
    const expectHead = query.expectHead === undefined ? undefined : parseExpectHead(query.expectHead)
    const key = query.expectHead?.toLowerCase() ?? ''
    let run = this.verifying.get(key)
    if (run === undefined) {
      run = auditStore(this.c.store, { forumRoots: this.c.forumRoots(), ...(expectHead === undefined ? {} : { expectHead }) })
        .finally(() => { this.verifying.delete(key) })
      this.verifying.set(key, run)
    }
    return await run
  }

  async auditLog (query: AuditLogQuery = {}): Promise<AuditLogPage> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE
    const records = await this.c.auditLog.list({ ...query, limit })
    const head = await this.c.auditLog.head()
    const last = records.at(-1)
    return { records, head, ...(records.length === limit && last !== undefined && last.seq < head.seq ? { next: last.seq } : {}) }
  }

  /**
   * The query is checked now, before anything is sent, so a bad one is an error response; the rows
   * are read as the caller iterates.
   */
  exportEntries (query: ExportQuery): AsyncIterable<ExportRow> {
    const filter = parseExportQuery(query)
    return exportRows(this.c, filter)
  }

  async transparency (query: TransparencyQuery = {}): Promise<TransparencyReport> {
    return await transparencyReport(this.c, parseTransparencyQuery(query))
  }
}
