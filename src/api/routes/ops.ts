import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { HashmeshNodeApi } from '../../node/interface.js'
import type { RouteAuth } from '../routeAuth.js'

/**
 * Status, metrics and liveness: what operators and their monitoring poll. Status and metrics are
 * reads (they name peers and publishers); metrics alone can be opened for a scraper on a trusted
 * network (auth.metrics); liveness says nothing and stays open for orchestrators.
 */
export function registerOpsRoutes (app: FastifyInstance, node: HashmeshNodeApi, registry: Registry, auth: RouteAuth): void {
  app.get('/v1/status', { onRequest: auth.read }, async () => await node.status())

  app.get('/metrics', { onRequest: auth.metrics }, async (_request, reply) => {
    const text = await registry.metrics()
    return await reply.type(registry.contentType).send(text)
  })

  app.get('/healthz', async () => ({ status: 'ok' }))
}
