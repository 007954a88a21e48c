import { toHex } from '../signals/hex.js'
import type { BatchBody } from '../wire/types.js'
import type { ValidationCode } from './validationError.js'

/** Why a batch may not come in from its publisher; the validator ignores it with this code. */
export interface TrustRefusal {
  code: ValidationCode
  message: string
}

/** Who may publish into this node's store: the local trust list, or forum membership (src/forum/membership.ts). */
export interface TrustPolicy {
  /** Whether anything from this publisher could be accepted: sync pulls only those. */
  isTrusted: (publisher: Uint8Array) => boolean
  /** Whether this batch may come in, judged by its publisher, seq, created-at and the roles its entries need. */
  check: (body: BatchBody) => TrustRefusal | undefined
}

/** The local trust list from config, plus this node's own publisher key. */
export class StaticTrustList implements TrustPolicy {
  private readonly keys: Set<string>

  constructor (trustedHex: readonly string[], self: Uint8Array) {
    this.keys = new Set([...trustedHex.map(k => k.toLowerCase()), toHex(self)])
  }

  isTrusted (publisher: Uint8Array): boolean {
    return this.keys.has(toHex(publisher))
  }

  check (body: BatchBody): TrustRefusal | undefined {
    if (this.isTrusted(body.publisher)) return undefined
    return { code: 'UNTRUSTED_PUBLISHER', message: `publisher ${toHex(body.publisher)} is not trusted by this node` }
  }

  list (): string[] {
    return [...this.keys]
  }
}
