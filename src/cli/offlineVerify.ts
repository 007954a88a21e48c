import { stat } from 'node:fs/promises'
import { type VerifyReport, auditStore } from '../audit/storeAudit.js'
import { HashStore } from '../store/hashStore.js'
import { CliError } from './errors.js'

/**
 * Verifies a store with no node running: opens it directly (LevelDB allows one process, so this
 * fails with LEVEL_LOCKED while a node holds it; see isStoreLocked) and closes it afterwards.
 * `forumRoots` are the config's, when one was given; the store's own record of its roots is used either way.
 */
export async function verifyStoreAt (dbPath: string, forumRoots: readonly Uint8Array[] | undefined, expectHead?: Uint8Array): Promise<VerifyReport> {
  // HashStore.open creates a missing store, which would then verify as empty: a wrong --data must say so.
  const found = await stat(dbPath).then(s => s.isDirectory(), () => false)
  if (!found) throw new CliError('USAGE', `no store at ${dbPath}; pass the node's --data DIR (or --config FILE naming it)`)
  const store = await HashStore.open(dbPath)
  try {
    return await auditStore(store, { ...(forumRoots === undefined ? {} : { forumRoots }), ...(expectHead === undefined ? {} : { expectHead }) })
  } finally {
    await store.close()
  }
}

/** The error open gives when another process (a running node) holds the store. */
export function isStoreLocked (err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'LEVEL_LOCKED') return true
  }
  return false
}
