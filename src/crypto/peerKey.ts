import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { toHex } from '../signals/hex.js'
import { SecretFileError, fileExists, readSecretFile, writeSecretFile } from './secretFile.js'

/** The libp2p identity of this node (its peer id), stored as the libp2p protobuf key encoding in hex. */
export async function loadPeerKey (path: string): Promise<PrivateKey> {
  const hex = await readSecretFile(path)
  try {
    if (!/^[0-9a-f]+$/.test(hex)) throw new Error('not hex')
    return privateKeyFromProtobuf(Buffer.from(hex, 'hex'))
  } catch (err) {
    throw new SecretFileError('BAD_SECRET_FILE', `${path} does not hold a libp2p private key`, { cause: err })
  }
}

export async function loadOrCreatePeerKey (path: string): Promise<PrivateKey> {
  if (!await fileExists(path)) {
    const key = await generateKeyPair('Ed25519')
    await writeSecretFile(path, toHex(privateKeyToProtobuf(key)) + '\n')
  }
  return await loadPeerKey(path)
}
