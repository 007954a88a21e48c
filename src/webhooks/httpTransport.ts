import { type IncomingMessage, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { DeliveryFailure, type DeliveryFailureCode, type HookResponse, type HookTransport } from './transport.js'

/**
 * Delivery over node:http and node:https, which never follow redirects (a 3xx is answered as the
 * status it is, and fails). No connection pooling: each attempt has its own socket, so dropping
 * one (timeout, cap, stop) touches nothing else. No dependency: undici would bring pooling and
 * redirect handling this does not want.
 */
export const httpTransport: HookTransport = async request => await new Promise<HookResponse>((resolve, reject) => {
  const url = new URL(request.url)
  const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined
  if (send === undefined) {
    reject(new DeliveryFailure('NETWORK', `refusing ${url.protocol} URL`))
    return
  }
  if (request.signal.aborted) {
    reject(new DeliveryFailure('ABORTED', 'the node is stopping'))
    return
  }
  let settled = false
  const finish = (outcome: { status: number } | { code: DeliveryFailureCode, message: string }): void => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    request.signal.removeEventListener('abort', onAbort)
    req.destroy()
    if ('status' in outcome) resolve(outcome)
    else reject(new DeliveryFailure(outcome.code, outcome.message))
  }
  const onAbort = (): void => { finish({ code: 'ABORTED', message: 'the node is stopping' }) }
  const req = send(url, {
    method: 'POST',
    headers: { ...request.headers, 'content-length': String(request.body.length) },
    agent: false
  }, res => { readCapped(res, request.maxResponseBytes, () => { finish({ status: res.statusCode ?? 0 }) }) })
  const timer = setTimeout(() => { finish({ code: 'TIMEOUT', message: `no complete answer within ${request.timeoutMs} ms` }) }, request.timeoutMs)
  request.signal.addEventListener('abort', onAbort, { once: true })
  req.on('error', err => { finish({ code: 'NETWORK', message: (err as NodeJS.ErrnoException).code ?? err.message }) })
  req.end(Buffer.from(request.body.buffer, request.body.byteOffset, request.body.length))
})

/** Reads and discards the body, calling `done` at its end or once `max` bytes came (the socket is then dropped by `done`). */
function readCapped (res: IncomingMessage, max: number, done: () => void): void {
  let read = 0
  res.on('data', (chunk: Buffer) => {
    read += chunk.length
    if (read >= max) done()
  })
  res.on('end', done)
  res.on('error', done)
}
