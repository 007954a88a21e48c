import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../logger.js'
import type { HashmeshLibp2p } from './libp2pNode.js'
import type { Startable } from './startable.js'

export interface PeerKeeperOptions {
  /** Configured peers (bootstrap list); kept connected for the node's lifetime. */
  peers: string[]
  /** How often to redial a configured peer that is not connected. */
  redialIntervalMs?: number
  /** A dial that takes longer than this is abandoned until the next round. */
  dialTimeoutMs?: number
}

const DEFAULT_REDIAL_INTERVAL_MS = 5_000
const DEFAULT_DIAL_TIMEOUT_MS = 5_000

/**
 * Keeps the configured forum peers connected. libp2p's bootstrap discovery dials once and its tag
 * expires; a federation link should instead survive either side restarting, so redial forever.
 */
export class PeerKeeper implements Startable {
  private readonly libp2p: HashmeshLibp2p
  private readonly logger: Logger
  private readonly peers: Multiaddr[]
  private readonly redialIntervalMs: number
  private readonly dialTimeoutMs: number
  private readonly inFlight = new Set<string>()
  private timer: NodeJS.Timeout | undefined

  constructor (components: { libp2p: HashmeshLibp2p, logger: Logger }, options: PeerKeeperOptions) {
    this.libp2p = components.libp2p
    this.logger = components.logger
    this.peers = options.peers.map(a => multiaddr(a))
    this.redialIntervalMs = options.redialIntervalMs ?? DEFAULT_REDIAL_INTERVAL_MS
    this.dialTimeoutMs = options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS
  }

  start (): void {
    if (this.peers.length === 0) return
    this.dialMissing()
    this.timer = setInterval(() => { this.dialMissing() }, this.redialIntervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private dialMissing (): void {
    for (const addr of this.peers) {
      const key = addr.toString()
      if (this.inFlight.has(key) || this.isConnected(addr)) continue
      this.inFlight.add(key)
      this.libp2p.dial(addr, { signal: AbortSignal.timeout(this.dialTimeoutMs) })
        .then(conn => { this.logger.info({ peer: conn.remotePeer.toString(), addr: key }, 'connected to configured peer') })
        .catch((err: unknown) => { this.logger.debug({ addr: key, err: (err as Error).message }, 'configured peer not reachable; will retry') })
        .finally(() => { this.inFlight.delete(key) })
    }
  }

  private isConnected (addr: Multiaddr): boolean {
    const peerId = addr.getComponents().findLast(c => c.name === 'p2p')?.value
    if (peerId !== undefined) return this.libp2p.getConnections().some(c => c.remotePeer.toString() === peerId)
    const target = addr.toString()
    return this.libp2p.getConnections().some(c => c.remoteAddr.toString() === target)
  }
}
