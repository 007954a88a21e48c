/** Why an administrator put a hash on this node's allowlist: shown with every lookup of it. */
export interface AllowlistMark {
  note: string
  author: string
  addedAtMs: number
}

/**
 * This node's allowlist as lookups see it: hashes it never matches, whoever lists them (a known
 * meme, a stock photo a publisher listed by mistake). Local policy, never gossiped. Asked once per
 * stored hash a lookup finds, so it must answer from memory (store/allowlist.ts does).
 */
export interface AllowlistView {
  get: (signalTypeCode: number, value: Uint8Array) => AllowlistMark | undefined
}

/** For tests and tools without an allowlist. */
export const NOTHING_ALLOWLISTED: AllowlistView = { get: () => undefined }
