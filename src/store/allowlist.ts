import { HashmeshError } from '../errors.js'
import { toHex } from '../signals/hex.js'
import { signalTypeByCode } from '../signals/registry.js'
import type { AuditAppender } from './auditEntry.js'
import { Bucket } from './buckets.js'
import type { HashStore, StoreOp } from './hashStore.js'
import { type TypedValue, requireTypedValue } from './keys.js'
import { corrupt, decode, encode, safeInteger, storeRecordType } from './records.js'
import type { Codec } from './repository.js'
import { SerialQueue } from './serialQueue.js'

/** A hash on the allowlist is never matched, so the list stays one an administrator can read through. */
export const MAX_ALLOWLIST_ENTRIES = 100_000

/** Why it is allowlisted, in a sentence or two; shown with every lookup of the hash. */
export const MAX_NOTE_CHARS = 512

/** Who decided it: a person or a team, e.g. alice@ops-host. */
export const MAX_AUTHOR_CHARS = 128

/**
 * Printable text in any script: no control, format (bidi overrides) or line-separator characters,
 * which would let a note rewrite the lines around it in a terminal or a log. Counted in code points.
 */
export const NOTE_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,512}$/u
export const AUTHOR_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,128}$/u

export type AllowlistErrorCode =
  /** The note is empty, longer than MAX_NOTE_CHARS, or has control characters. */
  | 'BAD_NOTE'
  /** The author is empty, longer than MAX_AUTHOR_CHARS, or has control characters. */
  | 'BAD_AUTHOR'
  /** MAX_ALLOWLIST_ENTRIES are listed already; remove some before adding more. */
  | 'ALLOWLIST_FULL'

export class AllowlistError extends HashmeshError<AllowlistErrorCode> {}

export interface AllowlistAddInput {
  signalTypeCode: number
  value: Uint8Array
  note: string
  author: string
}

export interface AllowlistEntry extends AllowlistAddInput {
  /** This node's clock when the entry was last written. */
  addedAtMs: number
}

/** One edit of the allowlist as an observer sees it: the hash, and its mark after the edit (none: removed). */
export interface AllowlistChange {
  signalTypeCode: number
  value: Uint8Array
  mark?: AllowlistValue
}

/**
 * A part that acts on allowlist edits (retroactive matching): `opsFor` runs inside the edit's write
 * and what it returns is written in the same atomic batch; `committed` runs once that batch is written.
 */
export interface AllowlistObserver {
  opsFor: (change: AllowlistChange) => Promise<StoreOp[]>
  committed?: () => void
}

/** The hash an entry is keyed by. */
export type AllowlistKey = TypedValue

/** What is stored under the hash. */
export interface AllowlistValue { note: string, author: string, addedAtMs: number }

const AllowlistEntryType = storeRecordType('AllowlistEntry')

/** Bucket.allowlist + type(1) + value: one key per hash, so adding it again replaces the note. */
function allowlistKey ({ signalTypeCode, value }: AllowlistKey): Uint8Array {
  requireTypedValue(signalTypeCode, value)
  const key = new Uint8Array(2 + value.length)
  key[0] = Bucket.allowlist
  key[1] = signalTypeCode
  key.set(value, 2)
  return key
}

function parseAllowlistKey (k: Uint8Array): AllowlistKey {
  const type = k[0] === Bucket.allowlist ? signalTypeByCode(k[1] ?? -1) : undefined
  if (type === undefined || k.length !== 2 + type.length) throw corrupt('allowlist key', `malformed key of ${k.length} bytes`)
  return { signalTypeCode: type.code, value: Uint8Array.from(k.subarray(2)) }
}

function decodeAllowlistValue (v: Uint8Array): AllowlistValue {
  const what = 'allowlist entry'
  const raw = decode(AllowlistEntryType, v, what)
  if (typeof raw.note !== 'string' || typeof raw.author !== 'string') throw corrupt(what, 'note and author must be text')
  return { note: raw.note, author: raw.author, addedAtMs: safeInteger(raw.addedAtMs, what, 'added_at_ms') }
}

/** The allowlist bucket's codecs (storeRepositories.ts). */
export const ALLOWLIST_KEY: Codec<AllowlistKey> = { encode: allowlistKey, decode: parseAllowlistKey }
export const ALLOWLIST_VALUE: Codec<AllowlistValue> = {
  encode: e => encode(AllowlistEntryType, { note: e.note, author: e.author, addedAtMs: e.addedAtMs }),
  decode: decodeAllowlistValue
}

function memoryKey (signalTypeCode: number, value: Uint8Array): string {
  return `${signalTypeCode}:${toHex(value)}`
}

function auditDetails (e: AllowlistAddInput): Record<string, unknown> {
  return { type: signalTypeByCode(e.signalTypeCode)?.name, value: toHex(e.value), note: e.note, author: e.author }
}

/**
 * Hashes this node never matches, whoever lists them: local policy, never gossiped. Held in memory
 * (lookups ask once per stored hash found) and in the store's allowlist bucket. Every edit is one
 * atomic write together with its audit record, and memory follows only once that write succeeded,
 * so the list, its audit trail and what lookups see cannot disagree.
 */
export class AllowlistStore {
  private readonly store: HashStore
  private readonly audit: AuditAppender
  private readonly now: () => number
  private readonly entries = new Map<string, AllowlistEntry>()
  /**
   * One edit at a time: the size check, the write and the memory update of one edit happen before
   * the next edit looks, so concurrent adds cannot pass the limit together.
   */
  private readonly edits = new SerialQueue()
  private observer: AllowlistObserver | undefined

  /** Set once, after the parts that observe edits are built (the allowlist is loaded before them). */
  observe (observer: AllowlistObserver): void {
    this.observer = observer
  }

  constructor (store: HashStore, audit: AuditAppender, now: () => number = Date.now) {
    this.store = store
    this.audit = audit
    this.now = now
  }

  /** A store with the bucket read into memory. */
  static async load (store: HashStore, audit: AuditAppender, now?: () => number): Promise<AllowlistStore> {
    const allowlist = new AllowlistStore(store, audit, now)
    await allowlist.load()
    return allowlist
  }

  /** Reads the whole bucket into memory, replacing what was there. */
  async load (): Promise<void> {
    const loaded = new Map<string, AllowlistEntry>()
    for await (const [key, value] of this.store.repositories.allowlist.entries()) {
      loaded.set(memoryKey(key.signalTypeCode, key.value), { ...key, ...value })
    }
    this.entries.clear()
    for (const [k, e] of loaded) this.entries.set(k, e)
  }

  get size (): number {
    return this.entries.size
  }

  /** From memory: the lookup path. */
  get (signalTypeCode: number, value: Uint8Array): { note: string, author: string, addedAtMs: number } | undefined {
    const entry = this.entries.get(memoryKey(signalTypeCode, value))
    return entry === undefined ? undefined : { note: entry.note, author: entry.author, addedAtMs: entry.addedAtMs }
  }

  /** Every entry, by type code, then value. */
  list (): AllowlistEntry[] {
    return [...this.entries.values()].sort((a, b) => a.signalTypeCode - b.signalTypeCode || Buffer.compare(a.value, b.value))
  }

  /** Adds the hash, or replaces its note and author; the audit log records `actor` as having done it. */
  async add (input: AllowlistAddInput, actor: string): Promise<AllowlistEntry> {
    if (!NOTE_PATTERN.test(input.note)) throw new AllowlistError('BAD_NOTE', `note must be 1-${MAX_NOTE_CHARS} printable characters`)
    if (!AUTHOR_PATTERN.test(input.author)) throw new AllowlistError('BAD_AUTHOR', `author must be 1-${MAX_AUTHOR_CHARS} printable characters`)
    const entry: AllowlistEntry = {
      signalTypeCode: input.signalTypeCode,
      value: Uint8Array.from(input.value),
      note: input.note,
      author: input.author,
      addedAtMs: this.now()
    }
    const put = this.store.repositories.allowlist.putOp(entry, entry)
    const mk = memoryKey(entry.signalTypeCode, entry.value)
    return await this.edits.run(async () => {
      if (!this.entries.has(mk) && this.entries.size >= MAX_ALLOWLIST_ENTRIES) {
        throw new AllowlistError('ALLOWLIST_FULL', `the allowlist holds ${MAX_ALLOWLIST_ENTRIES} entries, its limit; remove some first`)
      }
      const mark = { note: entry.note, author: entry.author, addedAtMs: entry.addedAtMs }
      await this.store.writeAtomically(async () => [
        put,
        ...await this.audit.opsFor({ actor, action: 'allowlist.add', details: auditDetails(entry) }),
        ...await this.observer?.opsFor({ signalTypeCode: entry.signalTypeCode, value: entry.value, mark }) ?? []
      ])
      this.entries.set(mk, entry)
      this.observer?.committed?.()
      return entry
    })
  }

  /** False, and nothing written or audited, when the hash is not on the list. */
  async remove (signalTypeCode: number, value: Uint8Array, actor: string): Promise<boolean> {
    const del = this.store.repositories.allowlist.delOp({ signalTypeCode, value })
    const mk = memoryKey(signalTypeCode, value)
    return await this.edits.run(async () => {
      const entry = this.entries.get(mk)
      if (entry === undefined) return false
      await this.store.writeAtomically(async () => [
        del,
        ...await this.audit.opsFor({ actor, action: 'allowlist.remove', details: auditDetails(entry) }),
        ...await this.observer?.opsFor({ signalTypeCode, value }) ?? []
      ])
      this.entries.delete(mk)
      this.observer?.committed?.()
      return true
    })
  }
}
