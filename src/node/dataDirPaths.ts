import { join, resolve } from 'node:path'

/**
 * Where everything a node keeps lives. Scripts rely on these names (node.json especially). Apart
 * from dataDir.ts, which loads keys, so that a client command can find a token without loading libp2p.
 */
export function dataDirPaths (dir: string) {
  const root = resolve(dir)
  return {
    root,
    publisherKey: join(root, 'publisher.key'),
    peerKey: join(root, 'peer.key'),
    adminToken: join(root, 'admin.token'),
    readToken: join(root, 'read.token'),
    db: join(root, 'db'),
    nodeInfo: join(root, 'node.json'),
    /** One 0600 file per webhook secret (hook_<id>.secret); the directory is 0700. */
    hookSecrets: join(root, 'hooks')
  }
}

export type DataDirPaths = ReturnType<typeof dataDirPaths>
