import { open, rename, rm } from 'node:fs/promises'
import type { CliContext } from './context.js'
import { CliError } from './errors.js'
import { type NodeTarget, REQUEST_TIMEOUT_MS, refusedToken, responseError, transportReason } from './nodeClient.js'

/**
 * A streamed GET (the audit export), which NodeClient's JSON calls cannot carry: the body goes to
 * `write` piece by piece, each write awaited, so a large export never sits in memory. The timeout
 * is for silence, not for the whole download: it restarts with every piece.
 */
export async function download (target: NodeTarget, path: string, write: (piece: Uint8Array) => Promise<void>): Promise<number> {
  const headers: Record<string, string> = {}
  if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`
  const abort = new AbortController()
  let timer = setTimeout(() => { abort.abort() }, REQUEST_TIMEOUT_MS)
  const alive = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => { abort.abort() }, REQUEST_TIMEOUT_MS)
  }
  try {
    let res: Response
    try {
      res = await fetch(`${target.url}${path}`, { headers, signal: abort.signal })
    } catch (err) {
      throw new CliError('NODE_UNREACHABLE', `cannot reach the node at ${target.url}: ${transportReason(err, abort.signal.aborted)}`, { cause: err })
    }
    if (res.status === 401 && target.access !== undefined) throw refusedToken(target, target.access)
    if (!res.ok) throw responseError(res.status, await res.text())
    if (res.body === null) return 0
    let bytes = 0
    try {
      const body: AsyncIterable<Uint8Array> = res.body
      for await (const piece of body) {
        alive()
        bytes += piece.length
        await write(piece)
      }
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError('NODE_UNREACHABLE',
        `the node stopped sending after ${bytes} bytes: the export is incomplete (${transportReason(err, abort.signal.aborted)})`, { cause: err })
    }
    return bytes
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A streamed GET to stdout, or to FILE through FILE.partial renamed at the end, so FILE never holds
 * a cut-off export. Returns the bytes written to a file (undefined for stdout).
 */
export async function downloadTo (target: NodeTarget, path: string, out: string | undefined, ctx: CliContext): Promise<number | undefined> {
  if (out === undefined) {
    const text = new TextDecoder()
    await download(target, path, async piece => { ctx.terminal.out(text.decode(piece, { stream: true })) })
    ctx.terminal.out(text.decode())
    return undefined
  }
  const partial = `${out}.partial`
  const file = await open(partial, 'w')
  let bytes
  try {
    bytes = await download(target, path, async piece => { await file.write(piece) })
    await file.close()
  } catch (err) {
    await file.close().catch(() => {})
    await rm(partial, { force: true })
    throw err
  }
  await rename(partial, out)
  return bytes
}
