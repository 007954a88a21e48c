import { open, readFile, stat } from 'node:fs/promises'
import { HashmeshError } from '../errors.js'

export type SecretFileErrorCode = 'INSECURE_PERMISSIONS' | 'BAD_SECRET_FILE' | 'SECRET_FILE_EXISTS'

export class SecretFileError extends HashmeshError<SecretFileErrorCode> {}

/** Creates a file readable by its owner only. Refuses to overwrite: losing a signing key is not undoable. */
export async function writeSecretFile (path: string, contents: string): Promise<void> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SecretFileError('SECRET_FILE_EXISTS', `${path} already exists; refusing to overwrite`)
    throw err
  }
  try {
    await handle.chmod(0o600)
    await handle.writeFile(contents)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Reads a secret file, refusing one that group or others can read (as ssh does for its keys). */
export async function readSecretFile (path: string): Promise<string> {
  const info = await stat(path)
  if ((info.mode & 0o077) !== 0) {
    throw new SecretFileError('INSECURE_PERMISSIONS',
      `${path} is readable by group or others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`)
  }
  return (await readFile(path, 'utf8')).trim()
}

export async function fileExists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
