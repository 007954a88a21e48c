import { open } from 'node:fs/promises'
import type { Env } from '../config/env.js'
import { readSecretFile } from '../crypto/secretFile.js'
import type { DataDirPaths } from '../node/dataDirPaths.js'
import { CliError } from './errors.js'

/** The environment variable a client command takes its token from, so that it never shows in `ps`. */
export const TOKEN_VAR = 'HASHMESH_TOKEN'

/** A node's tokens are 64 hex characters; this leaves room for other bearer tokens and refuses a wrong file. */
export const MAX_TOKEN_CHARS = 1024

/** What a command needs from the node: `read` opens lookups and reports, `admin` writes and administers. */
export type Access = 'read' | 'admin'

/** How to hand a client command the right token, for the messages that refuse one. */
export const ADMIN_TOKEN_FIX = `pass the node's --data DIR, or its DIR/admin.token with --token-file FILE or $${TOKEN_VAR}`
export const READ_TOKEN_FIX =
  `pass the node's read token (DIR/read.token) or admin token with --token-file FILE or $${TOKEN_VAR}, or --data DIR holding read.token`

/** Where the token was found, for error messages that name the fix. */
export interface ClientToken {
  token: string
  source: string
}

export interface TokenOptions {
  token?: string
  tokenFile?: string
}

/** One line of visible ASCII: it travels in an HTTP header, where anything else is either refused or an injection. */
function checkedToken (text: string, source: string): ClientToken {
  const token = text.replace(/\r?\n$/, '')
  if (token.length > MAX_TOKEN_CHARS) throw new CliError('USAGE', `${source}: a token is at most ${MAX_TOKEN_CHARS} characters`)
  if (!/^[\x21-\x7e]+$/.test(token)) throw new CliError('USAGE', `${source}: a token is one line of printable ASCII without spaces`)
  return { token, source }
}

/**
 * Any mode is accepted: the operator named this file, and Docker and Kubernetes mount secrets 0444
 * or 0644. Read through one bounded handle, so a device or a huge file is not slurped.
 */
async function readTokenFile (path: string): Promise<ClientToken> {
  const source = `--token-file ${path}`
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    throw new CliError('USAGE', `${source}: ${(err as Error).message}`, { cause: err })
  }
  try {
    if (!(await handle.stat()).isFile()) throw new CliError('USAGE', `${source}: not a regular file`)
    // One byte past the longest valid content (a token and \r\n), so that anything longer shows.
    const buffer = Buffer.alloc(MAX_TOKEN_CHARS + 3)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return checkedToken(buffer.subarray(0, bytesRead).toString('latin1'), source)
  } finally {
    await handle.close()
  }
}

/** A token file the node wrote: its mode is checked as for keys, and only a missing or unreadable file means "none". */
async function readDataDirToken (path: string): Promise<ClientToken | undefined> {
  try {
    return checkedToken(await readSecretFile(path), path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EACCES') return undefined
    throw err
  }
}

/**
 * The token a client command sends: `--token`, `--token-file`, $HASHMESH_TOKEN, then the data dir's
 * admin.token if this user can read it (the operator's own shell), else its read.token (an upload
 * service's client dir). An admin command never falls back to read.token: it would only be refused.
 */
export async function findToken (opts: TokenOptions, env: Env, paths: () => Promise<DataDirPaths>, access: Access): Promise<ClientToken | undefined> {
  if (opts.token !== undefined) return checkedToken(opts.token, '--token')
  if (opts.tokenFile !== undefined) return await readTokenFile(opts.tokenFile)
  const fromEnv = env[TOKEN_VAR]
  if (fromEnv !== undefined && fromEnv !== '') return checkedToken(fromEnv, `$${TOKEN_VAR}`)
  const { adminToken, readToken } = await paths()
  return await readDataDirToken(adminToken) ?? (access === 'read' ? await readDataDirToken(readToken) : undefined)
}
