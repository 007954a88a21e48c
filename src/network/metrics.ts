import { Gauge, type Registry } from 'prom-client'

/** What the peer gauges read at scrape time. */
export interface PeerView {
  /** Peers with at least one open connection. */
  connectedPeers: () => number
  /** Gossip topics this node subscribes to, each with the peers in its mesh. */
  topics: ReadonlyArray<{ readonly topic: string, meshPeers: () => readonly string[] }>
}

export function registerPeerGauges (registry: Registry, view: PeerView): void {
  registry.registerMetric(new Gauge({
    name: 'hashmesh_peers_connected',
    help: 'Peers with at least one open connection',
    registers: [],
    collect () { this.set(view.connectedPeers()) }
  }))
  registry.registerMetric(new Gauge({
    name: 'hashmesh_gossip_mesh_peers',
    help: 'Peers in this node\'s gossipsub mesh, by topic',
    labelNames: ['topic'] as const,
    registers: [],
    collect () {
      for (const t of view.topics) this.set({ topic: t.topic }, t.meshPeers().length)
    }
  }))
}
