import { hostname, userInfo } from 'node:os'
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

async function readToken (path: string): Promise<string | undefined> {
  try {
    return await readSecretFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return undefined
  }
}

/** Names the person at the terminal in the node's audit log; the token alone says only "an admin". */
export function localActor (env: Env): string {
  let user = env.USER ?? env.LOGNAME
  try {
    user ??= userInfo().username
  } catch {
    user ??= 'unknown'
  }
  return `${user}@${hostname()}`.replace(/[^\x21-\x7e]/g, '_').slice(0, 128)
}

/**
 * The node a client command talks to: `--node URL`, else DIR/node.json. The token: `--token`, else
 * the data dir's admin token when this user can read it (the operator's own CLI), which also opens
 * reads; a command that writes fails clearly without one.
 */
export async function locateNode (opts: ClientOptions, env: Env, needToken: boolean): Promise<NodeTarget> {
  const paths = dataDirPaths(await resolveDataDir(opts.data, env))
  const url = opts.node !== undefined ? checkedUrl(opts.node) : (await readNodeInfo(paths.nodeInfo)).http
  const token = opts.token ?? await readToken(paths.adminToken)
  if (needToken && token === undefined) throw new CliError('USAGE', `no admin token at ${paths.adminToken}; pass --token or the node's --data DIR`)
  return { url, token, actor: localActor(env) }
}
