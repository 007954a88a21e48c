import { toHex } from '../signals/hex.js'
import { contentHashes } from './contentHashes.js'
import { HashingError } from './errors.js'
import { decodeImage } from './imageDecoder.js'
import { DIHEDRAL_NAMES, pdqHash, type DihedralName } from './pdq/pdqHasher.js'
import { toolResize } from './pdq/toolResize.js'

export { PDQ_QUALITY_THRESHOLD } from './pdq/quality.js'

/**
 * core: PDQ of the full-resolution pixels (python-threatexchange, HMA, the Java port).
 * tool: what Meta's `pdq-photo-hasher` prints, which first squashes anything over 512 px to 512×512.
 */
export const PDQ_MODES = ['core', 'tool'] as const

export type PdqMode = typeof PDQ_MODES[number]

/**
 * 50 MP covers phone and DSLR photos. Core mode holds 11 bytes a pixel at the peak (two float32
 * full-size buffers, luma and blur scratch, plus the 8-bit RGB decode): about 550 MB at this bound.
 */
export const MAX_IMAGE_PIXELS = 50_000_000

export interface HashFileOptions {
  readonly mode?: PdqMode
  readonly dihedral?: boolean
  readonly maxPixels?: number
}

export const defaultHashFileOptions: Required<HashFileOptions> = { mode: 'core', dihedral: false, maxPixels: MAX_IMAGE_PIXELS }

export interface FileHashes {
  bytes: number
  /** Lowercase hex, as are all hashes here. */
  md5: string
  sha1: string
  sha256: string
  /** Present when the file decoded as an image; width and height are the decoded image's, before any tool-mode resize. */
  image?: { format: string, width: number, height: number }
  pdq?: { hash: string, quality: number, dihedral?: Record<DihedralName, string> }
}

function hexRecord (hashes: Record<DihedralName, Uint8Array>): Record<DihedralName, string> {
  return Object.fromEntries(DIHEDRAL_NAMES.map(n => [n, toHex(hashes[n])])) as Record<DihedralName, string>
}

/**
 * The exact hashes of any file, plus its PDQ when it is an image. Bytes that are not a decodable image
 * get exact hashes only (not an error); an image over `maxPixels` throws IMAGE_TOO_LARGE.
 */
export async function hashFile (bytes: Uint8Array, opts: HashFileOptions = {}): Promise<FileHashes> {
  const { mode, dihedral, maxPixels } = { ...defaultHashFileOptions, ...withoutUndefined(opts) }
  const exact = contentHashes(bytes)
  const hashes: FileHashes = { bytes: bytes.length, md5: toHex(exact.md5), sha1: toHex(exact.sha1), sha256: toHex(exact.sha256) }
  let decoded
  try {
    decoded = await decodeImage(bytes, { maxPixels })
  } catch (err) {
    if (err instanceof HashingError && err.code === 'UNSUPPORTED_IMAGE') return hashes
    throw err
  }
  const pdq = pdqHash(mode === 'tool' ? toolResize(decoded) : decoded, { dihedral })
  hashes.image = { format: decoded.format, width: decoded.width, height: decoded.height }
  hashes.pdq = { hash: toHex(pdq.hash), quality: pdq.quality }
  if (pdq.dihedral !== undefined) hashes.pdq.dihedral = hexRecord(pdq.dihedral)
  return hashes
}

/** Callers pass `{ mode: undefined }` when a flag is absent; that must not override the default. */
function withoutUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
