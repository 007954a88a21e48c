import type { FastifyInstance } from 'fastify'
import { ApiError } from './apiError.js'

/**
 * Refusals Node's HTTP server and fastify would otherwise send with bodies of their own (or none):
 * an HTTP/1.1 request without Host, and a request on a kept-alive connection while the server
 * closes. Made here as API errors, so they get the one error shape. The server must be built
 * with `http.requireHostHeader` and `return503OnClosing` off, which leave these to this module.
 */
export function guardRequests (app: FastifyInstance): void {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async (request, reply) => {
    if (closing) throw new ApiError('SHUTTING_DOWN', 'the node is shutting down; try another node or retry once it is back')
    // RFC 9112 §3.2: a server must refuse an HTTP/1.1 request without a Host header, as Node would (closing too).
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      void reply.header('connection', 'close')
      throw new ApiError('BAD_REQUEST', 'an HTTP/1.1 request needs a Host header')
    }
  })
}
