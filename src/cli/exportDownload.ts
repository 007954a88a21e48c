import { CliError, NodeResponseError } from './errors.js'
import { type NodeTarget, REQUEST_TIMEOUT_MS, refusedToken } from './nodeClient.js'

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
      throw unreachable(target, err, abort.signal.aborted)
    }
    if (res.status === 401 && target.access !== undefined) throw refusedToken(target, target.access)
    if (!res.ok) throw responseError(res.status, await res.text())
    if (res.body === null) return 0
    let bytes = 0
    try {
      for await (const piece of res.body) {
        alive()
        bytes += piece.length
        await write(piece)
      }
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError('NODE_UNREACHABLE', `the node stopped sending after ${bytes} bytes: the export is incomplete (${reason(err, abort.signal.aborted)})`, { cause: err })
    }
    return bytes
  } finally {
    clearTimeout(timer)
  }
}

function reason (err: unknown, timedOut: boolean): string {
  if (timedOut) return `nothing for ${REQUEST_TIMEOUT_MS / 1000} s`
  const cause = (err as { cause?: { code?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  return err instanceof Error ? err.message : String(err)
}

function unreachable (target: NodeTarget, err: unknown, timedOut: boolean): CliError {
  return new CliError('NODE_UNREACHABLE', `cannot reach the node at ${target.url}: ${reason(err, timedOut)}`, { cause: err })
}

function responseError (status: number, text: string): NodeResponseError {
  let error: { code?: unknown, message?: unknown } | undefined
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error
  } catch {}
  if (typeof error?.code === 'string') return new NodeResponseError(status, error.code, `node: ${String(error.message)}`)
  return new NodeResponseError(status, `HTTP_${status}`, `node answered HTTP ${status}`)
}
