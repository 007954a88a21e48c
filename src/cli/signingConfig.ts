import type { Env } from '../config/env.js'
import { loadConfig } from '../config/loadConfig.js'

/** What signing a forum record or a key rotation takes from the node's config. */
export interface SigningConfig {
  /** Every signed statement names its network; a node of another one refuses it. */
  network: string
  dataDir: string
}

export interface SigningOptions {
  config?: string
  data?: string
  network?: string
}

/** The config as the node would load it (defaults, file, HASHMESH_* environment), with --data and --network on top. */
export async function loadSigningConfig (opts: SigningOptions, env: Env): Promise<SigningConfig> {
  const config = await loadConfig({ configFile: opts.config, env, flags: { dataDir: opts.data, network: opts.network } })
  return { network: config.node.network, dataDir: config.node.dataDir }
}
