import { parseSignalValue, toHex } from '../signals/hex.js'
import { signalTypeByCode } from '../signals/registry.js'
import type { AllowlistEntry, AllowlistStore } from '../store/allowlist.js'

/** One allowlisted hash, JSON-shaped. */
export interface AllowlistItem {
  type: string
  /** Lowercase hex. */
  value: string
  note: string
  author: string
  /** When it was (last) added, ISO-8601. */
  addedAt: string
}

export interface AllowlistAddRequest {
  type: string
  /** Hex, either case. */
  value: string
  note: string
  author: string
}

/**
 * What the faces may ask of the node's allowlist. `actor` is who the audit log records (the API's
 * X-Hashmesh-Actor). Bad input throws SignalError (type, value) or AllowlistError (BAD_NOTE,
 * BAD_AUTHOR, ALLOWLIST_FULL).
 */
export interface AllowlistNodeApi {
  allowlist: () => Promise<AllowlistItem[]>
  /** Adds the hash, or replaces its note and author. */
  allowlistAdd: (input: AllowlistAddRequest, actor: string) => Promise<AllowlistItem>
  /** False when the hash was not on the list (nothing is written or audited then). */
  allowlistRemove: (type: string, value: string, actor: string) => Promise<boolean>
}

export function allowlistItem (e: AllowlistEntry): AllowlistItem {
  return {
    type: signalTypeByCode(e.signalTypeCode)?.name ?? String(e.signalTypeCode),
    value: toHex(e.value),
    note: e.note,
    author: e.author,
    addedAt: new Date(e.addedAtMs).toISOString()
  }
}

/** The node's side of AllowlistNodeApi over its AllowlistStore: parsing in, JSON shapes out. */
export function allowlistNodeApi (store: AllowlistStore): AllowlistNodeApi {
  return {
    allowlist: async () => store.list().map(allowlistItem),
    allowlistAdd: async (input, actor) => {
      const { type, value } = parseSignalValue(input.type, input.value)
      return allowlistItem(await store.add({ signalTypeCode: type.code, value, note: input.note, author: input.author }, actor))
    },
    allowlistRemove: async (typeName, hex, actor) => {
      const { type, value } = parseSignalValue(typeName, hex)
      return await store.remove(type.code, value, actor)
    }
  }
}
