import type { StoreOp } from './hashStore.js'

/** Every kind of administrative act the audit log records. Append-only: a name keeps its meaning. */
export type AuditAction =
  | 'publish'
  | 'allowlist.add'
  | 'allowlist.remove'
  | 'equivocation.decide'
  | 'forum.record'
  | 'config.trust'
  | 'hooks.add'
  | 'hooks.remove'
  | 'hooks.replay'
  | 'match.action'
  | 'appeal'
  /** An evidence bundle was made: its subject and the SHA-256 of the file. */
  | 'evidence.export'

export interface AuditEntryInput {
  /** Who did it: the name a client sent (X-Hashmesh-Actor), or "admin" for the bare admin token. */
  actor: string
  action: AuditAction
  /** A small JSON object; stored as text and hashed into the chain. */
  details: Record<string, unknown>
}

/**
 * Builds the writes that append one audit entry. Called only inside the store's write queue (from
 * within an ExtraOps), so the act and its audit record land in one atomic batch and appends never
 * race for a seq.
 */
export interface AuditAppender {
  opsFor: (entry: AuditEntryInput) => Promise<StoreOp[]>
  /**
   * Several records chained in one atomic write; one call per write, as for opsFor. Optional so
   * that simple appenders need not chain; AuditLog has it.
   */
  opsForAll?: (entries: readonly AuditEntryInput[]) => Promise<StoreOp[]>
}
