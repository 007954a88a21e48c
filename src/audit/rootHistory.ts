import type { StoreSnapshot } from '../store/batchScan.js'
import { AuditLog } from '../store/auditLog.js'
import type { HashStore } from '../store/hashStore.js'
import type { Problem } from '../store/storeVerifier.js'

/**
 * The forum roots a store's node ran with, from the trust settings it recorded in its audit log at
 * each start where they changed (src/node/trustAudit.ts). Verify reads them so that it needs no
 * config to tell a record signed by a root from a forgery, and so that a config whose roots differ
 * from the last recorded ones is reported as the change it is, not as corruption.
 */
export interface RootHistory {
  /** Every root (hex) in any recorded setting: records signed by one of them were accepted once. */
  ever: ReadonlySet<string>
  /** The roots of the last recorded setting, sorted; undefined when none was recorded. */
  last: readonly string[] | undefined
}

export type ForumNoticeCode =
  /** The config verify was given names other roots than the node last ran with. */
  | 'FORUM_ROOTS_CHANGED'

/** Something an auditor should know that is not damage: the report stays ok. */
export type Notice = Problem<ForumNoticeCode>

const ROOT_HEX = /^[0-9a-f]{64}$/

function rootsIn (details: Record<string, unknown>): string[] | undefined {
  const roots = details.roots
  if (!Array.isArray(roots) || !roots.every(r => typeof r === 'string' && ROOT_HEX.test(r))) return undefined
  return [...roots as string[]].sort()
}

export async function readRootHistory (store: HashStore, snapshot?: StoreSnapshot): Promise<RootHistory> {
  const settings = await new AuditLog(store).recordsOf('config.trust', snapshot === undefined ? {} : { snapshot })
  const sets = settings.map(r => rootsIn(r.details)).filter(r => r !== undefined)
  return { ever: new Set(sets.flat()), last: sets.at(-1) }
}

function listed (roots: readonly string[]): string {
  return `[${roots.join(', ')}]`
}

/** A notice when `configured` (hex) is given and differs from the roots last recorded. */
export function rootsChange (history: RootHistory, configured: readonly string[] | undefined): Notice[] {
  if (configured === undefined || history.last === undefined) return []
  const now = [...configured].sort()
  if (now.join() === history.last.join()) return []
  return [{ check: 'forum', code: 'FORUM_ROOTS_CHANGED', message: `forum roots changed: recorded ${listed(history.last)}, config ${listed(now)}` }]
}
