import { readFile, rename, stat, writeFile } from 'node:fs/promises'
import { toHex } from '../signals/hex.js'
import { WireError } from '../wire/errors.js'
import { decodeKeyRotation, decodeSignedForumRecord } from '../wire/forumCodec.js'
import { MAX_FORUM_RECORD_BYTES, MAX_KEY_ROTATION_BYTES } from '../wire/limits.js'
import type { DecodedForumRecord, DecodedKeyRotation } from '../wire/types.js'
import { CliError } from './errors.js'

/**
 * Forum records and key rotations travel between people as small text files: the signed bytes as
 * hex and a newline, easy to mail, paste and check into a repository. Nothing in them is secret.
 */

/** Room past the hex for a trailing newline, CRLF or stray spaces from an editor. */
const FILE_SLACK_BYTES = 64

const HEX = /^(?:[0-9a-fA-F]{2})+$/

async function readHexFile (path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let text
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new CliError('BAD_INPUT', `${path}: not a regular file`)
    if (info.size > 2 * maxBytes + FILE_SLACK_BYTES) throw new CliError('BAD_INPUT', `${path}: ${info.size} bytes; too large to be ${what}`)
    text = (await readFile(path, 'utf8')).trim()
  } catch (err) {
    if (err instanceof CliError) throw err
    throw new CliError('BAD_INPUT', `cannot read ${path}: ${(err as Error).message}`, { cause: err })
  }
  if (!HEX.test(text)) throw new CliError('BAD_INPUT', `${path}: not ${what} (expected hex)`)
  return Buffer.from(text, 'hex')
}

/** The file's record, decoded with every bound checked; signatures are the node's to verify. */
export async function readForumRecordFile (path: string): Promise<DecodedForumRecord> {
  const bytes = await readHexFile(path, MAX_FORUM_RECORD_BYTES, 'a forum record')
  try {
    return decodeSignedForumRecord(bytes)
  } catch (err) {
    if (err instanceof WireError) throw new CliError('BAD_INPUT', `${path}: not a valid forum record: ${err.message}`, { cause: err })
    throw err
  }
}

export async function readKeyRotationFile (path: string): Promise<DecodedKeyRotation> {
  const bytes = await readHexFile(path, MAX_KEY_ROTATION_BYTES, 'a key rotation')
  try {
    return decodeKeyRotation(bytes)
  } catch (err) {
    if (err instanceof WireError) throw new CliError('BAD_INPUT', `${path}: not a valid key rotation: ${err.message}`, { cause: err })
    throw err
  }
}

/**
 * Never overwrites unless told to: a record file may be the only copy of what a root signed. An
 * overwrite goes through a temporary file and a rename, so the old file stays whole until the new one is.
 */
export async function writeHexFile (path: string, bytes: Uint8Array, overwrite = false): Promise<void> {
  const text = `${toHex(bytes)}\n`
  try {
    if (overwrite) {
      const tmp = `${path}.${process.pid}.tmp`
      await writeFile(tmp, text)
      await rename(tmp, path)
    } else {
      await writeFile(path, text, { flag: 'wx' })
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError('USAGE', `${path} already exists; refusing to overwrite it (choose another with --out, or --force)`)
    }
    throw new CliError('BAD_INPUT', `cannot write ${path}: ${(err as Error).message}`, { cause: err })
  }
}

/** The first 8 hex characters of a key: enough to tell files apart at a glance. */
export function shortKey (key: Uint8Array): string {
  return toHex(key).slice(0, 8)
}
