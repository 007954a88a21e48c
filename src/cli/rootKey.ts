import { join } from 'node:path'
import { loadPublisherKey } from '../crypto/publisherKey.js'

/**
 * A forum root key is an Ed25519 seed in a file of its own, like a publisher key and read the same
 * way (mode 0600 required). It belongs with the forum's operator, not on every node: only its public
 * half goes in the nodes' config (`forum.roots`).
 */
export interface RootKey {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

export const ROOT_KEY_FILE = 'forum-root.key'

export function defaultRootKeyPath (dataDir: string): string {
  return join(dataDir, ROOT_KEY_FILE)
}

export async function loadRootKey (path: string): Promise<RootKey> {
  return await loadPublisherKey(path)
}
