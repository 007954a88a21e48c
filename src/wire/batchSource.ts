/**
 * How a batch or a forum record reached this node: published here, or received from a peer by
 * gossip or by sync. Kept with every stored batch and record; provenance reports it, and the
 * per-peer limits charge the peer it names.
 */
export type BatchSource =
  | { readonly kind: 'local' }
  | { readonly kind: 'gossip' | 'sync', readonly peer: string }

export type BatchSourceKind = BatchSource['kind']

/** A libp2p peer id in text is ~52 characters; anything past this is not one. */
export const MAX_PEER_CHARS = 128

export const LOCAL_SOURCE: BatchSource = Object.freeze({ kind: 'local' })

export function gossipSource (peer: string): BatchSource {
  return { kind: 'gossip', peer }
}

export function syncSource (peer: string): BatchSource {
  return { kind: 'sync', peer }
}

/** The peer the source names; undefined for a local source. */
export function peerOf (source: BatchSource): string | undefined {
  return source.kind === 'local' ? undefined : source.peer
}

/** 'local', 'gossip:<peer>' or 'sync:<peer>': the form logs show, and the one schema-1 stores hold. */
export function formatBatchSource (source: BatchSource): string {
  return source.kind === 'local' ? 'local' : `${source.kind}:${source.peer}`
}

/** The inverse of formatBatchSource; undefined for text it never produces. */
export function parseBatchSource (text: string): BatchSource | undefined {
  if (text === 'local') return LOCAL_SOURCE
  const colon = text.indexOf(':')
  const kind = text.slice(0, colon)
  const peer = text.slice(colon + 1)
  if ((kind !== 'gossip' && kind !== 'sync') || !isPeerText(peer)) return undefined
  return { kind, peer }
}

/** Non-empty, bounded, printable ASCII: what a peer id in text is. */
export function isPeerText (peer: string): boolean {
  return peer.length > 0 && peer.length <= MAX_PEER_CHARS && /^[\x21-\x7e]+$/.test(peer)
}
