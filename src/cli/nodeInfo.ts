import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { CliError } from './errors.js'

/** DIR/node.json, written by a running node for scripts and client commands to find it. */
export interface NodeInfo {
  peerId: string
  multiaddrs: string[]
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8080. */
  http: string
  publisherKey: string
  /** The network (forum) the node is on; absent in files written before it was recorded. */
  network?: string
}

/** Through a temporary file and a rename, so a reader sees the old file, the new one, or none. */
export async function writeNodeInfo (path: string, info: NodeInfo): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`)
  await rename(tmp, path)
}

export async function removeNodeInfo (path: string): Promise<void> {
  await rm(path, { force: true })
}

export async function readNodeInfo (path: string): Promise<NodeInfo> {
  let text
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    throw new CliError('NODE_UNREACHABLE', `no node is running on this data directory (${path} not found); start one with "hashmesh start" or pass --node URL`)
  }
  let info: Partial<NodeInfo>
  try {
    info = JSON.parse(text) as Partial<NodeInfo>
  } catch (err) {
    throw new CliError('NODE_UNREACHABLE', `${path} is not valid JSON`, { cause: err })
  }
  if (typeof info?.http !== 'string') throw new CliError('NODE_UNREACHABLE', `${path} has no "http" URL`)
  return info as NodeInfo
}
