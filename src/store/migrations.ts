import type { Migration } from './schemaUpgrade.js'
import { buildHashRows } from './hashRowsMigration.js'
import { sourceAsField } from './sourceFieldMigration.js'

/**
 * Every change of the store's layout, oldest first: a store of any listed `from` version is upgraded
 * step by step when opened. Adding a layout change is adding an entry here (from = the last `to`).
 * Version 1 is the layout of the first release; it has no migration of its own.
 */
export const MIGRATIONS: readonly Migration[] = [
  { from: 1, to: 2, description: 'batch and forum-record sources become a typed field', run: sourceAsField },
  { from: 2, to: 3, description: 'every hash gets one HashRows record, so that a positive lookup reads one key', run: buildHashRows }
]

/** The layout version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.to ?? 1
