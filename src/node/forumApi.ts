import type { MemberInfo, RevocationInfo } from '../forum/memberInfo.js'

/**
 * What the faces (HTTP API, CLI) may ask of a node about its forum. JSON-shaped: hex for keys and
 * ids, ISO-8601 for times.
 */

export type { MemberInfo, MemberStatus, RevocationInfo } from '../forum/memberInfo.js'
export type { ForumRecordSummary } from '../forum/recordSummary.js'

export interface ForumInfo {
  /** The root keys in this node's config. */
  roots: string[]
  /** Whether a revoked member's entries from before the cut still count here. */
  revokedEntries: 'keep' | 'hide'
  /** SHA-256 over the sorted ids of the records held (hex): nodes with the same one know the same forum. */
  digest: string
  /** One per credential held. */
  members: MemberInfo[]
  revocations: RevocationInfo[]
}

export type ForumRecordKind = 'credential' | 'revocation'

export interface ForumSubmitResult {
  recordId: string
  kind: ForumRecordKind
  /** ACCEPTED: stored and gossiped now (HTTP 201). DUPLICATE: this node held it already; nothing changed (HTTP 200). */
  code: 'ACCEPTED' | 'DUPLICATE'
}

export interface ForumNodeApi {
  forum: () => Promise<ForumInfo>
  /**
   * Takes in an administrator's SignedForumRecord, recording the act under `actor` in the audit log
   * (in the same atomic write as the record). Throws WireError for bytes that are not a valid
   * record, ForumError for a record this node refuses (its code says why).
   */
  submitForumRecord: (signed: Uint8Array, actor: string) => Promise<ForumSubmitResult>
}
