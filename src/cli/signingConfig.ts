import { CONFIG_FILE_VAR, type Env } from '../config/env.js'
import { loadConfig } from '../config/loadConfig.js'
import { dataDirPaths } from '../node/dataDirPaths.js'
import { CliError } from './errors.js'
import { readNodeInfo } from './nodeInfo.js'

/** What signing a forum record or a key rotation takes from the node's config. */
export interface SigningConfig {
  /** Every signed statement names its network; a node of another one refuses it. */
  network: string
  /** Where the network name came from, for the signer to check before sending the file anywhere. */
  networkSource: string
  dataDir: string
}

export interface SigningOptions {
  config?: string
  data?: string
  network?: string
}

function given (v: string | undefined): boolean {
  return v !== undefined && v !== ''
}

/** The network the node running on DIR says it is on, when one runs there. */
async function runningNodeNetwork (dataDir: string): Promise<string | undefined> {
  try {
    return (await readNodeInfo(dataDirPaths(dataDir).nodeInfo)).network
  } catch (err) {
    if (err instanceof CliError) return undefined
    throw err
  }
}

/**
 * The network a signed statement is for: `--network`, else HASHMESH_NETWORK, else the config file's
 * (`--config` or HASHMESH_CONFIG), else the one the node running on the data dir is on, else the
 * default. A record for the wrong network is refused by every node, so the source is reported.
 */
export async function loadSigningConfig (opts: SigningOptions, env: Env): Promise<SigningConfig> {
  const config = await loadConfig({ configFile: opts.config, env, flags: { dataDir: opts.data, network: opts.network } })
  const { network, dataDir } = config.node
  const configFile = opts.config ?? env[CONFIG_FILE_VAR]
  if (opts.network !== undefined) return { network, dataDir, networkSource: '--network' }
  if (given(env.HASHMESH_NETWORK)) return { network, dataDir, networkSource: 'HASHMESH_NETWORK' }
  if (configFile !== undefined && configFile !== '') return { network, dataDir, networkSource: `config file ${configFile}` }
  const running = await runningNodeNetwork(dataDir)
  if (running !== undefined) return { network: running, dataDir, networkSource: `the node running on ${dataDir}` }
  return { network, dataDir, networkSource: 'the default: no --network, --config or running node named one' }
}
