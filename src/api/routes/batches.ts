import type { FastifyInstance } from 'fastify'
import type { EntryInput, HashmeshNodeApi } from '../../node/interface.js'
import { requireAdminToken } from '../auth.js'
import { PUBLISH_BODY_LIMIT } from '../limits.js'
import { publishBodySchema } from '../schemas.js'

export function registerBatchRoutes (app: FastifyInstance, node: HashmeshNodeApi, adminToken: string): void {
  app.post<{ Body: { entries: EntryInput[] } }>('/v1/batches', {
    bodyLimit: PUBLISH_BODY_LIMIT,
    onRequest: requireAdminToken(adminToken),
    schema: { body: publishBodySchema }
  }, async (request, reply) => {
    const result = await node.publish(request.body.entries)
    return await reply.code(201).send(result)
  })
}
