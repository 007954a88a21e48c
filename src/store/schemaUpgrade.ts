import type { Logger } from '../logger.js'
import { MetaKey } from './buckets.js'
import { StoreError } from './errors.js'
import { decodeMigrationCursor, decodeStoreMeta, encodeMigrationCursor, encodeStoreMeta } from './records.js'
import type { Repository, StoreOp } from './repository.js'
import type { StoreRepositories } from './storeRepositories.js'

/**
 * One step of the store's layout, from version `from` to `to` (= from + 1). `run` rewrites records
 * only through `ctx.rewrite`, which makes it resumable; the version is bumped once `run` returns.
 */
export interface Migration {
  from: number
  to: number
  /** What changes, for the log. */
  description: string
  run: (ctx: MigrationContext) => Promise<void>
}

/** Rewrites the records of one chunk: the ops returned are written with the cursor, atomically. */
export type RewriteChunk = (rows: Array<[Uint8Array, Uint8Array]>) => StoreOp[] | Promise<StoreOp[]>

export interface MigrationContext {
  readonly repositories: StoreRepositories
  /**
   * Visits every record of `repository` in key order, `chunk` at a time, and writes what `rewrite`
   * returns for each chunk together with the migration cursor (the chunk's last key) as one atomic
   * batch. A migration stopped part-way resumes after the cursor, so no record is rewritten twice.
   * Call it for buckets in ascending bucket order: one cursor serves the whole migration.
   * Returns the records visited now (not those done before a resume).
   */
  rewrite: <K, V>(repository: Repository<K, V>, rewrite: RewriteChunk, options?: { chunk?: number }) => Promise<number>
  /** Adds to the counts the migration's log line reports. */
  count: (what: string, n: number) => void
}

export interface SchemaStore {
  repositories: StoreRepositories
  /** Writes one atomic batch. */
  commit: (ops: StoreOp[]) => Promise<void>
  logger: Logger
  /** Whether the database holds any key at all (a store, or something that is not one). */
  hasRecords: boolean
  /** For messages. */
  location: string
}

/** The version a store is at once every migration of `migrations` has run. */
export function latestVersion (migrations: readonly Migration[]): number {
  return migrations.at(-1)?.to ?? 1
}

/**
 * Brings a store to the latest version: a new store is stamped with it; an older one is migrated
 * step by step, each step's version written only when the step has finished. A store of a newer
 * version, or one holding records but no version, is refused (SCHEMA_MISMATCH) untouched.
 */
export async function upgradeSchema (store: SchemaStore, migrations: readonly Migration[]): Promise<void> {
  const latest = latestVersion(migrations)
  const stored = await store.repositories.meta.get(MetaKey.schemaVersion)
  if (stored === undefined) {
    if (store.hasRecords) throw new StoreError('SCHEMA_MISMATCH', `${store.location} holds records but no schema version`)
    await store.commit([versionOp(store, latest)])
    return
  }
  let version = decodeStoreMeta(stored).schemaVersion
  if (version > latest) throw new StoreError('SCHEMA_MISMATCH', `${store.location} has schema version ${version}; this build reads ${latest} and older`)
  while (version < latest) {
    const step = migrations.find(m => m.from === version)
    if (step === undefined || step.to !== version + 1) {
      throw new StoreError('SCHEMA_MISMATCH', `${store.location} has schema version ${version}, which no migration of this build upgrades`)
    }
    await runStep(store, step)
    version = step.to
  }
}

async function runStep (store: SchemaStore, step: Migration): Promise<void> {
  const started = performance.now()
  const counts: Record<string, number> = {}
  const cursor = await readCursor(store, step)
  store.logger.info({ from: step.from, to: step.to, resuming: cursor !== undefined }, `store: upgrading the layout: ${step.description}`)
  const ctx: MigrationContext = {
    repositories: store.repositories,
    rewrite: async (repository, rewrite, options = {}) => await rewriteBucket(store, step, cursor, repository, rewrite, options.chunk),
    count: (what, n) => { counts[what] = (counts[what] ?? 0) + n }
  }
  try {
    await step.run(ctx)
  } catch (err) {
    if (err instanceof StoreError) throw err
    const why = (err as Error).message
    throw new StoreError('MIGRATION_FAILED', `upgrading ${store.location} from schema ${step.from} to ${step.to} failed: ${why}`, { cause: err })
  }
  await store.commit([versionOp(store, step.to), store.repositories.meta.delOp(MetaKey.migrationCursor)])
  store.logger.info({ from: step.from, to: step.to, ...counts, ms: Math.round(performance.now() - started) }, 'store: layout upgraded')
}

async function readCursor (store: SchemaStore, step: Migration): Promise<Uint8Array | undefined> {
  const stored = await store.repositories.meta.get(MetaKey.migrationCursor)
  if (stored === undefined) return undefined
  const cursor = decodeMigrationCursor(stored)
  if (cursor.fromVersion !== step.from) {
    throw new StoreError('MIGRATION_FAILED', `${store.location} holds the cursor of a migration from schema ${cursor.fromVersion}, but is at ${step.from}`)
  }
  return cursor.afterKey
}

async function rewriteBucket<K, V> (
  store: SchemaStore, step: Migration, resumeAfter: Uint8Array | undefined, repository: Repository<K, V>, rewrite: RewriteChunk, chunk: number | undefined
): Promise<number> {
  const range = repository.range()
  if (resumeAfter !== undefined && Buffer.compare(resumeAfter, range.lt) >= 0) return 0
  // The key right after the cursor: the cursor with a zero byte appended.
  const gte = resumeAfter !== undefined && Buffer.compare(resumeAfter, range.gte) >= 0 ? Uint8Array.of(...resumeAfter, 0) : range.gte
  let visited = 0
  for await (const rows of repository.entriesBinary({ range: { gte, lt: range.lt }, ...(chunk === undefined ? {} : { chunk }) })) {
    const last = rows.at(-1)![0]
    const cursor = encodeMigrationCursor({ fromVersion: step.from, afterKey: last })
    await store.commit([...await rewrite(rows), store.repositories.meta.putBinaryOp(MetaKey.migrationCursor, cursor)])
    visited += rows.length
  }
  return visited
}

function versionOp (store: SchemaStore, version: number): StoreOp {
  return store.repositories.meta.putBinaryOp(MetaKey.schemaVersion, encodeStoreMeta({ schemaVersion: version }))
}
