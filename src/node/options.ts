import type { ForumOverride } from '../forum/override.js'
import type { MatchPolicyOptions } from '../lookup/matchPolicy.js'
import type { OutboxLimits } from '../events/eventOutbox.js'
import type { HookDeliveryOptions } from '../webhooks/options.js'
import type { MatchLogOptions } from '../matches/matchLog.js'
import type { WatchOptions } from '../watch/options.js'
import type { UploadHasherOptions } from './uploadHasher.js'

/** Everything a node needs to run, as plain data. The config layer builds this; defaults live there. */
export interface NodeOptions {
  /** Data directory: keys, admin token, LevelDB, node.json. */
  dataDir: string
  /** Forum/network name; one gossipsub topic per network. */
  network: string
  /** libp2p listen multiaddrs, e.g. /ip4/127.0.0.1/tcp/4001 (tcp/0 picks a free port). */
  listen: string[]
  /** Multiaddrs to announce instead of the listen addresses (behind NAT or in containers). */
  announce: string[]
  /** Multiaddrs with /p2p/<peerId> of peers to connect to at start and keep connected. */
  bootstrap: string[]
  /**
   * Hex Ed25519 public keys of publishers whose batches this node accepts when it has no forum roots
   * (it trusts itself too then). With roots it counts for nothing: see forum.overrides.
   */
  trust: string[]
  /**
   * Forum root keys (hex) whose credentials admit members, what a revocation does to earlier entries,
   * and the keys this node accepts whatever the forum says, each with its reason.
   */
  forum: { roots: string[], revokedEntries: 'keep' | 'hide', overrides: ForumOverride[] }
  /** What a match means locally: opinions thresholds per the forum's feedback. */
  policy: MatchPolicyOptions
  /** Retroactive matching of the platform's watched content: the PDQ distance, and the list's bound (defaultWatchOptions when absent). */
  watch?: WatchOptions
  /** Largest clock skew accepted on a batch's created_at_ms (ms into the future). */
  maxClockSkewMs: number
  /** How often to compare heads with every connected peer and pull what is missing (also done on connecting). */
  syncIntervalMs: number
  /** How POST /v1/match hashes uploads: concurrency, queue and the largest image decoded. */
  uploads: UploadHasherOptions
  /**
   * Webhooks: how deliveries are made and retried (the response cap is fixed at 1 MiB), and how
   * many rows the outbox and the dead letters keep. Optional: defaults when absent.
   */
  hooks?: Partial<Omit<HookDeliveryOptions, 'maxResponseBytes'> & OutboxLimits>
  /** The match log: when a match is overdue, how long records are kept (defaults 24 h, 365 days). */
  matches?: Partial<MatchLogOptions>
}
