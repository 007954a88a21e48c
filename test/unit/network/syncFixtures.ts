import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { Registry } from 'prom-client'
import { generateSecretKey, publicKeyOf } from '../../../src/crypto/ed25519.js'
import { LookupIndexes } from '../../../src/lookup/lookupIndexes.js'
import { ForumRecordIngester } from '../../../src/forum/forumRecordIngester.js'
import { Membership } from '../../../src/forum/membership.js'
import { BatchIngester } from '../../../src/ingest/batchIngester.js'
import { StaticTrustList, type TrustPolicy } from '../../../src/ingest/trustPolicy.js'
import { silentLogger, type Logger } from '../../../src/logger.js'
import { createLibp2pNode, type HashmeshLibp2p } from '../../../src/network/libp2pNode.js'
import type { ForumSyncComponent, SyncStore } from '../../../src/network/sync/interface.js'
import { createSyncMetrics } from '../../../src/network/sync/metrics.js'
import type { SyncOptions } from '../../../src/network/sync/options.js'
import { syncProtocols } from '../../../src/network/sync/protocols.js'
import { SyncService } from '../../../src/network/sync/syncService.js'
import { HashStore } from '../../../src/store/hashStore.js'
import type { DecodedBatch } from '../../../src/wire/types.js'
import { TEST_NETWORK } from '../../helpers/batches.js'
import { waitFor } from '../../helpers/waitFor.js'
import { toHex } from '../../../src/signals/hex.js'
import { gossipSource } from '../../../src/wire/batchSource.js'

export async function startLibp2p (): Promise<HashmeshLibp2p> {
  const libp2p = await createLibp2pNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], announce: [] })
  await libp2p.start()
  return libp2p
}

/** A real node minus gossip: libp2p on loopback, LevelDB in a temp dir, the real ingester as the sink. */
export interface SyncNode {
  libp2p: HashmeshLibp2p
  store: HashStore
  ingester: BatchIngester
  sync: SyncService
  registry: Registry
  peerId: PeerId
  /** With SyncNodeInit.forum: the membership that is also the node's trust policy, and its record ingester. */
  forum?: { membership: Membership, ingester: ForumRecordIngester }
  close: () => Promise<void>
}

export interface SyncNodeInit {
  /** Secret keys of the publishers this node trusts. */
  trusts?: Uint8Array[]
  options?: Partial<SyncOptions>
  /** Serve this instead of the node's own store (to play a peer that serves garbage). */
  servedStore?: SyncStore
  logger?: Logger
  /** Leave sync stopped, so that connecting triggers no round; the test starts it when it wants. */
  startSync?: boolean
  /** Make the sink this slow per batch, as a busy node validating large batches is. */
  sinkDelayMs?: number
  /** Forum root keys (hex): the node's trust is a Membership (with `trusts` as its overrides) and it syncs forum records. */
  forum?: string[]
  /** Serve these forum records instead of the membership's own (to play a peer that serves garbage). */
  servedForum?: Pick<ForumSyncComponent, 'digest' | 'records'>
  /** Judge publishers by this instead of `trusts` (for a test that changes who is trusted). */
  trustPolicy?: TrustPolicy
}

export async function createSyncNode (init: SyncNodeInit = {}): Promise<SyncNode> {
  const dir = await mkdtemp(join(tmpdir(), 'hashmesh-sync-'))
  const store = await HashStore.open(join(dir, 'db'))
  const logger = init.logger ?? silentLogger()
  const trusted = (init.trusts ?? []).map(k => toHex(publicKeyOf(k)))
  const membership = init.forum === undefined ? undefined : new Membership({ roots: init.forum, trusted: [], overrides: trusted, revokedEntries: 'keep' })
  const trust: TrustPolicy = init.trustPolicy ?? membership ?? new StaticTrustList(trusted, publicKeyOf(generateSecretKey()))
  const forumIngester = membership === undefined
    ? undefined
    : new ForumRecordIngester({ store, membership, logger }, { network: TEST_NETWORK, maxClockSkewMs: 60_000 })
  const forum: ForumSyncComponent | undefined = membership === undefined || forumIngester === undefined
    ? undefined
    : {
        digest: () => membership.digest(),
        records: async () => membership.signedRecords(),
        ...init.servedForum,
        sink: async (bytes, source) => await forumIngester.ingest(bytes, source)
      }
  const ingester = new BatchIngester({ store, indexes: new LookupIndexes(store), trust, logger }, { network: TEST_NETWORK, maxClockSkewMs: 60_000 })
  const libp2p = await startLibp2p()
  const registry = new Registry()
  const sync = new SyncService(
    { libp2p, store: init.servedStore ?? store, sink: slowed(ingester, init.sinkDelayMs ?? 0), trust, logger, metrics: createSyncMetrics(registry), forum },
    { network: TEST_NETWORK, ...init.options }
  )
  if (init.startSync !== false) await sync.start()
  return {
    libp2p,
    store,
    ingester,
    sync,
    registry,
    peerId: libp2p.peerId,
    ...(membership === undefined || forumIngester === undefined ? {} : { forum: { membership, ingester: forumIngester } }),
    close: async () => {
      await sync.stop()
      await libp2p.stop()
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

function slowed (ingester: BatchIngester, delayMs: number): BatchIngester | { ingest: BatchIngester['ingest'] } {
  if (delayMs === 0) return ingester
  return { ingest: async (bytes, source) => { await new Promise(resolve => setTimeout(resolve, delayMs)); return await ingester.ingest(bytes, source) } }
}

export async function ingestAll (node: SyncNode, batches: readonly DecodedBatch[]): Promise<void> {
  for (const b of batches) {
    const outcome = await node.ingester.ingest(b.signedBytes, gossipSource('test'))
    if (outcome.action !== 'accept') throw new Error(`seeding seq ${b.body.seq} failed: ${outcome.code}`)
  }
}

/** Connects and waits until `from` knows `to` serves sync (identify has run). */
export async function connect (from: HashmeshLibp2p, to: HashmeshLibp2p): Promise<void> {
  await from.dial(to.getMultiaddrs()[0]!)
  const heads = syncProtocols(TEST_NETWORK).heads
  await waitFor('identify', async () => (await from.peerStore.get(to.peerId)).protocols.includes(heads))
}

export interface HeadView { publisher: string, seq: number, headId: string }

export async function headsOf (store: HashStore): Promise<HeadView[]> {
  return (await store.heads())
    .map(h => ({ publisher: toHex(h.publisher), seq: h.seq, headId: toHex(h.headId) }))
    .sort((a, b) => a.publisher.localeCompare(b.publisher))
}

/** Sum of a counter's values whose labels include `labels`. */
export async function counter (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) throw new Error(`no metric ${name}`)
  const { values } = await metric.get()
  return values
    .filter(v => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((n, v) => n + v.value, 0)
}

/** The nodes and bare peers one test makes, closed together after it. */
export class SyncNodePool {
  private readonly nodes: SyncNode[] = []
  private readonly peers: HashmeshLibp2p[] = []

  async node (init: SyncNodeInit = {}): Promise<SyncNode> {
    const n = await createSyncNode(init)
    this.nodes.push(n)
    return n
  }

  /** A started libp2p node with no hashmesh protocols: a peer the test drives by hand. */
  async rawPeer (): Promise<HashmeshLibp2p> {
    const p = await startLibp2p()
    this.peers.push(p)
    return p
  }

  /** Connected, identified, and only then started: no round runs unless the test asks for one. */
  async quietPair (init: SyncNodeInit, server: SyncNode): Promise<SyncNode> {
    const client = await this.node({ ...init, startSync: false })
    await connect(client.libp2p, server.libp2p)
    await client.sync.start()
    return client
  }

  async closeAll (): Promise<void> {
    await Promise.all(this.peers.splice(0).map(async p => { await p.stop() }))
    await Promise.all(this.nodes.splice(0).map(async n => { await n.close() }))
  }
}
