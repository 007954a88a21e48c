export type SyncProtocolName = 'heads' | 'range'

/** The network name keeps forums apart: a node never serves or asks another forum's history. */
export function syncProtocols (network: string): Record<SyncProtocolName, string> {
  return {
    heads: `/hashmesh/${network}/sync/heads/1.0.0`,
    range: `/hashmesh/${network}/sync/range/1.0.0`
  }
}

/**
 * Apart from syncProtocols: a node serves it only when it has a forum, and a peer that lacks it is
 * still asked for batches.
 */
export function forumSyncProtocol (network: string): string {
  return `/hashmesh/${network}/sync/forum/1.0.0`
}
