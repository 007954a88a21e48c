import { hostname, userInfo } from 'node:os'
import type { Env } from '../config/env.js'
import { resolveDataDir } from '../config/dataDirSetting.js'
import { type DataDirPaths, dataDirPaths } from '../node/dataDirPaths.js'
import { ADMIN_TOKEN_FIX, type Access, findToken } from './clientToken.js'
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
 * The node a client command talks to: `--node URL`, else DIR/node.json; and the token it sends (see
 * findToken). The data dir is resolved only when one of them comes from it. A command that writes
 * fails here, before any request, when no token is found at all.
 */
export async function locateNode (opts: ClientOptions, env: Env, access: Access): Promise<NodeTarget> {
  let paths: Promise<DataDirPaths> | undefined
  const dataDir = async (): Promise<DataDirPaths> => await (paths ??= resolveDataDir(opts.data, env).then(dataDirPaths))
  const url = opts.node !== undefined ? checkedUrl(opts.node) : (await readNodeInfo((await dataDir()).nodeInfo)).http
  const found = await findToken(opts, env, dataDir, access)
  if (access === 'admin' && found === undefined) {
    throw new CliError('USAGE',
      `this command needs the node's admin token and none was found (no readable ${(await dataDir()).adminToken}); ${ADMIN_TOKEN_FIX}`)
  }
  return { url, token: found?.token, tokenSource: found?.source, access, actor: localActor(env) }
}
