import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { loadOrCreatePeerKey } from '../crypto/peerKey.js'
import { loadOrCreatePublisherKey, type PublisherKey } from '../crypto/publisherKey.js'
import { fileExists, readSecretFile, writeSecretFile } from '../crypto/secretFile.js'
import { type DataDirPaths, dataDirPaths } from './dataDirPaths.js'

export interface DataDir {
  paths: DataDirPaths
  publisherKey: PublisherKey
  peerKey: PrivateKey
  peerId: string
  adminToken: string
  /** For services that only look up (an upload checker): reads, never writes. */
  readToken: string
}

/** Creates whatever is missing (never overwrites a key) and loads the rest. Idempotent. */
export async function initDataDir (dir: string): Promise<DataDir> {
  const paths = dataDirPaths(dir)
  await mkdir(paths.root, { recursive: true, mode: 0o700 })
  const publisherKey = await loadOrCreatePublisherKey(paths.publisherKey)
  const peerKey = await loadOrCreatePeerKey(paths.peerKey)
  const adminToken = await loadOrCreateToken(paths.adminToken)
  const readToken = await loadOrCreateToken(paths.readToken)
  return { paths, publisherKey, peerKey, peerId: peerIdFromPrivateKey(peerKey).toString(), adminToken, readToken }
}

async function loadOrCreateToken (path: string): Promise<string> {
  if (!await fileExists(path)) await writeSecretFile(path, randomBytes(32).toString('hex') + '\n')
  return await readSecretFile(path)
}
