import { md5, sha1 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'

export interface ContentHashes {
  readonly md5: Uint8Array
  readonly sha1: Uint8Array
  readonly sha256: Uint8Array
}

/** The exact-match digests of a file's bytes, as the signal registry's md5 / sha1 / sha256 types. */
export function contentHashes (bytes: Uint8Array): ContentHashes {
  return { md5: md5(bytes), sha1: sha1(bytes), sha256: sha256(bytes) }
}
