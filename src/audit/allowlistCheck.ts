import { toHex } from '../signals/hex.js'
import { signalTypeByCode } from '../signals/registry.js'
import { AUTHOR_PATTERN, NOTE_PATTERN } from '../store/allowlist.js'
import type { StoreSnapshot } from '../store/batchScan.js'
import type { HashStore } from '../store/hashStore.js'
import { decode, safeInteger, storeRecordType } from '../store/records.js'
import type { ProblemLog } from '../store/storeVerifier.js'

export type AllowlistProblemCode =
  /** Not type(1) + value of that type's length. */
  | 'ALLOWLIST_KEY_MALFORMED'
  /** The AllowlistEntry does not decode, or its note, author or time are out of bounds. */
  | 'ALLOWLIST_ENTRY_UNDECODABLE'

const AllowlistEntryType = storeRecordType('AllowlistEntry')

/**
 * The allowlist is local policy, not signed data: all that can be checked is that each record is
 * one the allowlist store could have written (a known type with a value of its length, a note and
 * author within its bounds). The audit log is where its history is proven.
 */
export async function checkAllowlist (store: HashStore, log: ProblemLog, snapshot?: StoreSnapshot): Promise<number> {
  let checked = 0
  const add = (code: AllowlistProblemCode, message: string, key: Uint8Array): void => { log.add({ check: 'allowlist', code, message, key: toHex(key) }) }
  for await (const [k, v] of store.repositories.allowlist.recordsBinary(snapshot === undefined ? {} : { snapshot })) {
    checked++
    const type = signalTypeByCode(k[1] ?? -1)
    if (type === undefined || k.length !== 2 + type.length) {
      add('ALLOWLIST_KEY_MALFORMED', `allowlist key of ${k.length} bytes${type === undefined ? ' with an unknown type' : ''}`, k)
      continue
    }
    try {
      const raw = decode(AllowlistEntryType, v, 'allowlist entry')
      safeInteger(raw.addedAtMs, 'allowlist entry', 'added_at_ms')
      if (typeof raw.note !== 'string' || !NOTE_PATTERN.test(raw.note)) throw new Error('note out of bounds')
      if (typeof raw.author !== 'string' || !AUTHOR_PATTERN.test(raw.author)) throw new Error('author out of bounds')
    } catch (err) {
      add('ALLOWLIST_ENTRY_UNDECODABLE', `${type.name} ${toHex(k.subarray(2))}: ${(err as Error).message}`, k)
    }
  }
  return checked
}
