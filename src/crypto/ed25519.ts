import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'

// noble's synchronous API needs a SHA-512; set once here so every importer gets sync sign/verify.
ed.hashes.sha512 = sha512

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
