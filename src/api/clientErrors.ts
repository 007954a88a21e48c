import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { ApiError } from './apiError.js'
import { toHttpError } from './errorMapping.js'

/** What Node's HTTP parser refused, as the API's own refusal. */
function refusalOf (err: NodeJS.ErrnoException): ApiError {
  if (err.code === 'HPE_HEADER_OVERFLOW') return new ApiError('HEADERS_TOO_LARGE', 'the request headers are too large')
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new ApiError('REQUEST_TIMEOUT', 'the request took too long to arrive')
  return new ApiError('BAD_REQUEST', 'malformed HTTP request')
}

/**
 * Requests Node cannot parse never reach fastify: they are answered here, on the raw socket, in
 * the API's error shape, and the connection is closed since its framing can no longer be trusted.
 */
export function answerClientError (err: NodeJS.ErrnoException, socket: Socket, log: FastifyBaseLogger): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const { status, body } = toHttpError(refusalOf(err))
  // At debug, as for refusals: junk on the port must not be able to flood the log.
  log.debug({ code: body.error.code, parserError: err.code }, 'request refused')
  const json = JSON.stringify(body)
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`)
  }
  socket.destroy()
}

/**
 * An `Expect` other than 100-continue (which Node handles itself): Node would answer 417 with an
 * empty body. Listening for `checkExpectation` makes the answer this one.
 */
export function refuseExpectation (_request: IncomingMessage, response: ServerResponse): void {
  const { status, body } = toHttpError(new ApiError('EXPECTATION_FAILED', 'the only Expect this server meets is 100-continue'))
  const json = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) })
  response.end(json)
}
