import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'

export interface RequestMetrics {
  /** Requests answered, by route pattern, method and status code. */
  requests: Counter<'route' | 'method' | 'status'>
  /** Time from the request's arrival to the reply's end, by route pattern and method. */
  seconds: Histogram<'route' | 'method'>
}

/** The route label of requests no route matched: one series however many URLs clients invent. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * Methods named as they are; any other (Node parses some thirty) folds into one label, so an
 * unmatched request cannot add series with an unusual method either.
 */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createRequestMetrics (registry: Registry): RequestMetrics {
  return {
    requests: new Counter({
      name: 'hashmesh_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry]
    }),
    seconds: new Histogram({
      name: 'hashmesh_http_request_duration_seconds',
      help: 'HTTP request time from arrival to the end of the reply, by route pattern and method',
      labelNames: ['route', 'method'] as const,
      buckets: SECONDS_BUCKETS,
      registers: [registry]
    })
  }
}

/**
 * Counts and times every reply. The route label is the pattern the router matched (e.g.
 * /v1/lookup/:type/:value), never the URL, so clients cannot grow the number of series.
 */
export function meterRequests (app: FastifyInstance, metrics: RequestMetrics): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url
    const labels = route === undefined
      ? { route: UNMATCHED_ROUTE, method: KNOWN_METHODS.has(request.method) ? request.method : 'OTHER' }
      : { route, method: request.method }
    metrics.requests.inc({ ...labels, status: String(reply.statusCode) })
    metrics.seconds.observe(labels, reply.elapsedTime / 1000)
  })
}
