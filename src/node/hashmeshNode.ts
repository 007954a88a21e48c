// STUB: signatures only; the real implementation replaces this file.
import type { Registry } from 'prom-client'
import type { Logger } from '../logger.js'
import type { DataDir } from './dataDir.js'
import type { EntryInput, HashmeshNodeApi, LookupResult, NodeStatus, PublishResult } from './interface.js'
import type { NodeOptions } from './options.js'

export interface NodeDeps {
  logger: Logger
  /** prom-client registry the node's metrics register in; the HTTP face serves it at /metrics. */
  registry: Registry
}

export class HashmeshNode implements HashmeshNodeApi {
  readonly dataDir!: DataDir
  get peerId (): string { throw new Error('stub') }
  get publisherKey (): string { throw new Error('stub') }
  /** Listen addresses with /p2p/<peerId>, available after start(). */
  multiaddrs (): string[] { throw new Error('stub') }
  async start (): Promise<void> { throw new Error('stub') }
  /** Stops the network first, then closes the store. Safe to call twice. */
  async stop (): Promise<void> { throw new Error('stub') }
  async lookup (_type: string, _value: string): Promise<LookupResult> { throw new Error('stub') }
  async lookupMany (_q: ReadonlyArray<{ type: string, value: string }>): Promise<LookupResult[]> { throw new Error('stub') }
  async publish (_entries: readonly EntryInput[]): Promise<PublishResult> { throw new Error('stub') }
  async status (): Promise<NodeStatus> { throw new Error('stub') }
}

/** Inits the data dir (keys, token) if needed, opens the store and builds everything; call start() next. */
export async function createHashmeshNode (_options: NodeOptions, _deps: NodeDeps): Promise<HashmeshNode> {
  throw new Error('stub')
}
