import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { HashmeshNodeApi } from '../../node/interface.js'

/** Status, metrics and liveness: what operators and their monitoring poll. */
export function registerOpsRoutes (app: FastifyInstance, node: HashmeshNodeApi, registry: Registry): void {
  app.get('/v1/status', async () => await node.status())

  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics()
    return await reply.type(registry.contentType).send(text)
  })

  app.get('/healthz', async () => ({ status: 'ok' }))
}
