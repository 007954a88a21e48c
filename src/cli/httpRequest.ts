import type { IncomingMessage } from 'node:http'

/** A node's answer to one call: its status and its body as text. */
export interface HttpAnswer {
  status: number
  text: string
}

export interface HttpCall {
  method: string
  headers: Record<string, string>
  body?: Uint8Array | string
  signal: AbortSignal
  /** The answer is refused past this size: whatever listens at the URL may not be a node. */
  maxAnswerBytes: number
}

/** The answer was larger than the caller allows; `status` is what the server had answered. */
export class AnswerTooLargeError extends Error {
  readonly status: number

  constructor (status: number, maxBytes: number) {
    super(`answer larger than ${maxBytes} bytes`)
    this.status = status
  }
}

async function collect (res: IncomingMessage, maxBytes: number): Promise<HttpAnswer> {
  const pieces: Buffer[] = []
  let bytes = 0
  for await (const piece of res as AsyncIterable<Buffer>) {
    bytes += piece.length
    if (bytes > maxBytes) {
      res.destroy()
      throw new AnswerTooLargeError(res.statusCode ?? 0, maxBytes)
    }
    pieces.push(piece)
  }
  return { status: res.statusCode ?? 0, text: Buffer.concat(pieces).toString('utf8') }
}

/**
 * One request over node:http or node:https, not fetch: Node 20 compiles its bundled fetch on first
 * use, which cost a client command about 100 ms of CPU, more than the rest of a lookup. Rejects
 * with the socket's own error (its `code` says ECONNREFUSED, ENOTFOUND…) or the signal's abort.
 */
export async function sendRequest (url: string, call: HttpCall): Promise<HttpAnswer> {
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http')
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: call.method, headers: call.headers, signal: call.signal }, resolve)
    req.on('error', reject)
    req.end(call.body)
  })
  return await collect(res, call.maxAnswerBytes)
}
