import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Env } from '../config/env.js'
import { loadPublisherKey } from '../crypto/publisherKey.js'

/**
 * A forum root key is an Ed25519 seed in a file of its own, like a publisher key and read the same
 * way (mode 0600 required). It belongs with the forum's operator, not on any node: only its public
 * half goes in the nodes' config (`forum.roots`). So its default home is the operator's own config
 * directory, never a data directory that a node (and whoever can read that node's disk) holds.
 */
export interface RootKey {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

export const ROOT_KEY_FILE = 'forum-root.key'

/** Overrides the default path, for scripts and containers that keep the key on a mounted secret. */
export const ROOT_KEY_VAR = 'HASHMESH_FORUM_ROOT_KEY'

/** The path given, else $HASHMESH_FORUM_ROOT_KEY, else $XDG_CONFIG_HOME/hashmesh/forum-root.key, else ~/.config/hashmesh/forum-root.key. */
export function rootKeyPath (given: string | undefined, env: Env): string {
  const explicit = given ?? env[ROOT_KEY_VAR]
  if (explicit !== undefined && explicit !== '') return resolve(explicit)
  const configHome = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config')
  return resolve(configHome, 'hashmesh', ROOT_KEY_FILE)
}

export async function loadRootKey (path: string): Promise<RootKey> {
  return await loadPublisherKey(path)
}
