import { toHex } from '../signals/hex.js'
import { takeSnapshot } from '../store/batchScan.js'
import { AuditLog, type AuditHeadJson } from '../store/auditLog.js'
import type { HashStore } from '../store/hashStore.js'
import { type Problem, ProblemLog, type StoreChecked, verifyStore } from '../store/storeVerifier.js'
import { checkAllowlist } from './allowlistCheck.js'
import { checkForumRecords } from './forumRecordCheck.js'
import { type Notice, readRootHistory, rootsChange } from './rootHistory.js'

/**
 * `hashmesh audit verify`: every check a store can make of itself, over one snapshot, so it gives
 * the same answer offline and on a running node. The signed data (batches, forum records) is
 * re-verified against its signers; what is derived from it (ids, heads, index) must equal what it
 * implies; the audit log's hash chain must be whole. The audit head it returns is the value to
 * write down elsewhere: a store rewritten wholesale can pass every check but not keep that hash.
 */

export interface VerifyChecked extends StoreChecked {
  forumRecords: number
  allowlistEntries: number
  auditRecords: number
}

export interface VerifyReport {
  /** No problem found. */
  ok: boolean
  checked: VerifyChecked
  /** The first MAX_STORED_PROBLEMS, in the order the checks ran. */
  problems: Problem[]
  /** What changed without being damage (forum roots other than the node last ran with); `ok` ignores them. */
  notices: Notice[]
  problemsOmitted: number
  auditHead: AuditHeadJson
  /** With `expectHead`: where that hash is in the log (seq; 0 for the empty log), or null when nowhere. */
  expectedHead?: { hash: string, seq: number | null }
}

export interface StoreAuditOptions {
  /**
   * The configured forum roots, when a config is at hand. Records signed by them or by any root the
   * node recorded running with are sound; without a config the recorded roots alone decide.
   */
  forumRoots?: readonly Uint8Array[]
  /** An audit head recorded earlier; see AuditLog.verify. */
  expectHead?: Uint8Array
}

export async function auditStore (store: HashStore, options: StoreAuditOptions): Promise<VerifyReport> {
  const snapshot = takeSnapshot(store)
  const log = new ProblemLog()
  try {
    const stored = await verifyStore(store, { snapshot, problems: log })
    const history = await readRootHistory(store, snapshot)
    const configured = options.forumRoots?.map(r => toHex(r))
    const forumRecords = await checkForumRecords(store, new Set([...history.ever, ...configured ?? []]), log, snapshot)
    const allowlistEntries = await checkAllowlist(store, log, snapshot)
    const expectHead = options.expectHead
    const audit = await new AuditLog(store).verify({ snapshot, problems: log, ...(expectHead === undefined ? {} : { expectHead }) })
    return {
      ok: log.total === 0,
      checked: { ...stored.checked, forumRecords, allowlistEntries, auditRecords: audit.records },
      problems: log.problems,
      notices: rootsChange(history, configured),
      problemsOmitted: log.omitted,
      auditHead: audit.head,
      ...(expectHead === undefined ? {} : { expectedHead: { hash: toHex(expectHead), seq: audit.expectedHeadSeq ?? null } })
    }
  } finally {
    await snapshot.close()
  }
}
