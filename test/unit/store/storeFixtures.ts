import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Level } from 'level'
import { toHex } from '../../../src/signals/hex.js'
import { HashStore } from '../../../src/store/hashStore.js'

export type RawDb = Level<Uint8Array, Uint8Array>

/** A fresh directory per test; `path` is a not-yet-existing subdirectory, so open must create it. */
export class TempStore {
  dir = ''
  store: HashStore | undefined

  get path (): string {
    return join(this.dir, 'db', 'nested')
  }

  async setup (): Promise<HashStore> {
    this.dir = await mkdtemp(join(tmpdir(), 'hashmesh-store-'))
    this.store = await HashStore.open(this.path)
    return this.store
  }

  async reopen (): Promise<HashStore> {
    await this.store?.close()
    this.store = await HashStore.open(this.path)
    return this.store
  }

  async teardown (): Promise<void> {
    await this.store?.close()
    this.store = undefined
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** The LevelDB handle behind a store, for tests that inject failures or read raw records. */
export function rawDbOf (store: HashStore): RawDb {
  return (store as unknown as { db: RawDb }).db
}

/** Buffers and Uint8Arrays compare unequal under deepStrictEqual even with the same bytes; hex does not. */
export function hex (bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : toHex(bytes)
}

export type BatchOps = Array<{ type: 'put' | 'del', key: Uint8Array, value?: Uint8Array }>
type Write = (...args: unknown[]) => Promise<void>

/**
 * Replaces one write method of the LevelDB handle behind `store`; `fn` gets the call's arguments
 * and the original method, and decides whether and how to call it.
 */
export function interceptWrite (store: HashStore, method: 'batch' | 'put' | 'del', fn: (args: unknown[], original: Write) => Promise<void>): void {
  const db = rawDbOf(store) as unknown as Record<typeof method, Write>
  const original = db[method].bind(db)
  db[method] = async (...args) => { await fn(args, original) }
}
