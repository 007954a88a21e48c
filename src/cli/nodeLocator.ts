import type { Env } from '../config/env.js'
import { resolveDataDir } from '../config/loadConfig.js'
import { readSecretFile } from '../crypto/secretFile.js'
import { dataDirPaths } from '../node/dataDir.js'
import { CliError } from './errors.js'
import type { NodeTarget } from './nodeClient.js'
import { readNodeInfo } from './nodeInfo.js'
import type { ClientOptions } from './options.js'

function checkedUrl (url: string): string {
  let parsed
  try {
    parsed = new URL(url)
  } catch {
    throw new CliError('USAGE', `--node: not a URL: ${url}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError('USAGE', `--node: expected an http(s) URL, got ${url}`)
  return url.replace(/\/+$/, '')
}

async function readToken (path: string): Promise<string> {
  try {
    return await readSecretFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    throw new CliError('USAGE', `no admin token at ${path}; pass --token or the node's --data DIR`)
  }
}

/** The node a client command talks to: `--node URL`, else DIR/node.json; the token likewise. */
export async function locateNode (opts: ClientOptions, env: Env, needToken: boolean): Promise<NodeTarget> {
  const paths = dataDirPaths(await resolveDataDir(opts.data, env))
  const url = opts.node !== undefined ? checkedUrl(opts.node) : (await readNodeInfo(paths.nodeInfo)).http
  const token = opts.token ?? (needToken ? await readToken(paths.adminToken) : undefined)
  return { url, token }
}
