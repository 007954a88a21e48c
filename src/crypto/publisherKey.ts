import { parseHexBytes, toHex } from '../signals/hex.js'
import { SECRET_KEY_BYTES, generateSecretKey, publicKeyOf } from './ed25519.js'
import { SecretFileError, fileExists, readSecretFile, writeSecretFile } from './secretFile.js'

/** The organisation's signing key. Separate from the libp2p peer key: one org may run several nodes. */
export interface PublisherKey {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

export async function loadPublisherKey (path: string): Promise<PublisherKey> {
  const secretKey = parseHexBytes(await readSecretFile(path), SECRET_KEY_BYTES)
  if (secretKey === undefined) throw new SecretFileError('BAD_SECRET_FILE', `${path} must hold a ${SECRET_KEY_BYTES}-byte Ed25519 seed as hex`)
  return { secretKey, publicKey: publicKeyOf(secretKey) }
}

export async function loadOrCreatePublisherKey (path: string): Promise<PublisherKey> {
  if (!await fileExists(path)) {
    await writeSecretFile(path, toHex(generateSecretKey()) + '\n')
  }
  return await loadPublisherKey(path)
}
