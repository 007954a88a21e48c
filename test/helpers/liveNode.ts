import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import type { NodeInfo } from '../../src/cli/nodeInfo.js'
import type { ConfigFlags } from '../../src/config/flags.js'
import { loadConfig } from '../../src/config/loadConfig.js'
import { publicKeyOf } from '../../src/crypto/ed25519.js'
import { silentLogger } from '../../src/logger.js'
import type { HashmeshLibp2p } from '../../src/network/libp2pNode.js'
import { batchTopic } from '../../src/network/topics.js'
import { type HashmeshNode, createHashmeshNode } from '../../src/node/hashmeshNode.js'
import type { EquivocationInfo } from '../../src/node/interface.js'
import { toHex } from '../../src/signals/hex.js'
import type { DecodedBatch, Entry } from '../../src/wire/types.js'
import { TEST_NETWORK, makeSignedBatch } from './batches.js'
import { roguePeerOf } from './roguePeer.js'
import { waitFor } from './waitFor.js'

/** Only a hung node takes this long to take in a gossiped batch. */
const HUNG_AFTER_MS = 15_000
/** In-process and on loopback, a batch is taken in within milliseconds: poll often. */
const POLL_MS = 5

/**
 * A real node for tests of the faces: its LevelDB in a fresh temp dir, libp2p on a free loopback
 * port, every service its own. Data gets in only by the node's own paths (publish, allowlist,
 * forum records, batches gossiped by a peer), so what a test asserts is what a node answers.
 */
export class LiveNode {
  readonly node: HashmeshNode
  /** The registry the node's metrics are in, for a server that serves /metrics. */
  readonly registry: Registry
  private readonly dir: string
  private peer: HashmeshLibp2p | undefined

  private constructor (node: HashmeshNode, registry: Registry, dir: string) {
    this.node = node
    this.registry = registry
    this.dir = dir
  }

  /**
   * `flags` as `hashmesh start` takes them, `configFile` as a config file holds it (for what no flag
   * sets); the data dir, network and listen address are the test's.
   */
  static async start (flags: Omit<ConfigFlags, 'dataDir' | 'listen'> = {}, configFile?: Record<string, unknown>): Promise<LiveNode> {
    const dir = await mkdtemp(join(tmpdir(), 'hashmesh-live-node-'))
    const configPath = join(dir, 'config.json')
    if (configFile !== undefined) await writeFile(configPath, JSON.stringify(configFile))
    const config = await loadConfig({
      env: {},
      configFile: configFile === undefined ? undefined : configPath,
      flags: { network: TEST_NETWORK, ...flags, dataDir: join(dir, 'data'), listen: ['/ip4/127.0.0.1/tcp/0'] }
    })
    const registry = new Registry()
    const node = await createHashmeshNode(config.node, { logger: silentLogger(), registry })
    await node.start()
    return new LiveNode(node, registry, dir)
  }

  /**
   * Gossips signed batches to the node from a peer of its own, as another member's node would, and
   * waits until the node has taken each one in (stored, held or refused: its validation counts grow).
   */
  async gossip (batches: readonly DecodedBatch[]): Promise<void> {
    const { peerId, publisherKey } = this.node
    const info: NodeInfo = { peerId, multiaddrs: this.node.multiaddrs(), http: '', publisherKey, network: TEST_NETWORK }
    this.peer ??= await roguePeerOf(info, TEST_NETWORK)
    const seen = await this.outcomes()
    for (const batch of batches) await this.peer.services.pubsub.publish(batchTopic(TEST_NETWORK), batch.signedBytes)
    await waitFor('the node to validate the gossiped batches', async () => await this.outcomes() >= seen + batches.length, HUNG_AFTER_MS, POLL_MS)
  }

  /**
   * Gossips two different batches that `secretKey` (a key the node accepts) signed for seq 1, the
   * first carrying `entries`: the node stores the first and records the fork. Returns what it recorded.
   */
  async fork (secretKey: Uint8Array, entries: Entry[]): Promise<EquivocationInfo> {
    const createdAtMs = Date.now()
    await this.gossip([
      makeSignedBatch({ secretKey, seq: 1, entries, createdAtMs }),
      makeSignedBatch({ secretKey, seq: 1, entries, createdAtMs: createdAtMs + 1 })
    ])
    const publisher = toHex(publicKeyOf(secretKey))
    const recorded = async (): Promise<EquivocationInfo | undefined> => (await this.node.equivocations()).find(e => e.publisher === publisher)
    return await waitFor('the node to record the fork', recorded, HUNG_AFTER_MS, POLL_MS)
  }

  /** Uploads the node has hashed and answered, as its lookup metrics count them. */
  async uploadsAnswered (): Promise<number> {
    const metric = await this.registry.getSingleMetric('hashmesh_lookups_total')?.get()
    return metric?.values.find(v => v.labels.kind === 'match')?.value ?? 0
  }

  private async outcomes (): Promise<number> {
    const { validation } = await this.node.status()
    return Object.values(validation).flatMap(counts => Object.values(counts)).reduce((a, b) => a + b, 0)
  }

  async stop (): Promise<void> {
    await this.peer?.stop()
    await this.node.stop()
    await rm(this.dir, { recursive: true, force: true })
  }
}
