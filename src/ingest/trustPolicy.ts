import { toHex } from '../signals/hex.js'

/** Who may publish into this node's store. Forum membership (a later issue) plugs in here. */
export interface TrustPolicy {
  isTrusted: (publisher: Uint8Array) => boolean
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

  list (): string[] {
    return [...this.keys]
  }
}
