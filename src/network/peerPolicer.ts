import type { Logger } from '../logger.js'
import type { HashmeshLibp2p } from './libp2pNode.js'

export interface PeerPolicerOptions {
  /** REJECT-worthy messages a peer may send within `windowMs` before it is cut off. */
  maxRejects?: number
  windowMs?: number
  /** How long a cut-off peer is refused, inbound and outbound. */
  banMs?: number
}

/**
 * Honest peers validate before they forward, so even a handful of rejects is a faulty or hostile
 * peer. Below the seven at which gossipsub graylists it (see gossipScore.ts), so we act first.
 */
export const DEFAULT_MAX_REJECTS = 5
const DEFAULT_WINDOW_MS = 60_000
/** Long enough to stop a flood, short enough that a fixed peer comes back without an operator. */
const DEFAULT_BAN_MS = 10 * 60_000
/** Peers tracked at once; past this the oldest record goes, so a Sybil swarm cannot grow the map. */
const MAX_TRACKED_PEERS = 10_000

/**
 * Cuts off peers that send what no honest peer sends (bad signatures, malformed batches, forged
 * proofs): counts their rejects in a sliding window, hangs up on them past the limit and refuses
 * them through libp2p's connection gater for a while. Gossipsub's own scoring also penalises them,
 * but it only stops listening; this closes the connection.
 */
export class PeerPolicer {
  private readonly maxRejects: number
  private readonly windowMs: number
  private readonly banMs: number
  private readonly rejects = new Map<string, number[]>()
  private readonly bannedUntil = new Map<string, number>()
  private libp2p: HashmeshLibp2p | undefined
  private readonly logger: Logger
  private readonly now: () => number

  constructor (components: { logger: Logger, now?: () => number }, options: PeerPolicerOptions = {}) {
    this.logger = components.logger
    this.now = components.now ?? Date.now
    this.maxRejects = options.maxRejects ?? DEFAULT_MAX_REJECTS
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS
    this.banMs = options.banMs ?? DEFAULT_BAN_MS
  }

  /** The gater is needed to build libp2p, and hanging up needs libp2p: attached once it exists. */
  attach (libp2p: HashmeshLibp2p): void {
    this.libp2p = libp2p
  }

  /** For libp2p's `connectionGater`: refuses banned peers both ways. */
  readonly gater = {
    denyDialPeer: (peerId: { toString: () => string }): boolean => this.isBanned(peerId.toString()),
    denyInboundEncryptedConnection: (peerId: { toString: () => string }): boolean => this.isBanned(peerId.toString())
  }

  isBanned (peerId: string): boolean {
    const until = this.bannedUntil.get(peerId)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.bannedUntil.delete(peerId)
    return false
  }

  banned (): string[] {
    return [...this.bannedUntil.keys()].filter(p => this.isBanned(p))
  }

  recordReject (peerId: string, reason: string): void {
    const now = this.now()
    const recent = (this.rejects.get(peerId) ?? []).filter(t => t > now - this.windowMs)
    recent.push(now)
    this.rejects.delete(peerId)
    this.rejects.set(peerId, recent)
    if (this.rejects.size > MAX_TRACKED_PEERS) this.rejects.delete(this.rejects.keys().next().value as string)
    if (recent.length > this.maxRejects) this.ban(peerId, reason)
  }

  private ban (peerId: string, reason: string): void {
    this.rejects.delete(peerId)
    this.bannedUntil.set(peerId, this.now() + this.banMs)
    this.logger.warn({ peer: peerId, reason, banMs: this.banMs }, 'peer sent too many invalid messages; disconnecting it')
    const libp2p = this.libp2p
    if (libp2p === undefined) return
    for (const conn of libp2p.getConnections()) {
      if (conn.remotePeer.toString() === peerId) conn.abort(new Error('banned: too many invalid messages'))
    }
  }
}
