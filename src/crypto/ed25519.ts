import { createHash } from 'node:crypto'
import * as ed from '@noble/ed25519'

/**
 * noble's synchronous API needs a SHA-512, and Ed25519 hashes the whole signed message with it: for a
 * 600 KiB batch body the pure-JS SHA-512 took 17 ms here against 1.2 ms for node's native one, most
 * of a verification (bench/ingest.ts prints both). The curve arithmetic stays noble's.
 */
export function nativeSha512 (message: Uint8Array): Uint8Array<ArrayBuffer> {
  const digest = createHash('sha512').update(message).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

ed.hashes.sha512 = nativeSha512

export const SECRET_KEY_BYTES = 32

export function generateSecretKey (): Uint8Array {
  return ed.utils.randomSecretKey()
}

export function publicKeyOf (secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey)
}

export function sign (message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey)
}

/**
 * Strict RFC 8032 verification (canonical encodings only, `zip215: false`), so that every
 * implementation of the format agrees on which signatures are valid. Never throws: malformed keys or
 * signatures are simply invalid.
 */
export function verify (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}
