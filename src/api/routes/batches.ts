import type { FastifyInstance } from 'fastify'
import type { EntryInput, HashmeshNodeApi } from '../../node/interface.js'
import { PUBLISH_BODY_LIMIT } from '../limits.js'
import type { RouteAuth } from '../routeAuth.js'
import { actorOf } from '../actor.js'
import { publishBodySchema } from '../schemas.js'

/** Signs and publishes hash actions and opinions alike as this node's publisher: admin only. */
export function registerBatchRoutes (app: FastifyInstance, node: HashmeshNodeApi, auth: RouteAuth): void {
  app.post<{ Body: { entries: EntryInput[] } }>('/v1/batches', {
    bodyLimit: PUBLISH_BODY_LIMIT,
    onRequest: auth.admin,
    schema: { body: publishBodySchema }
  }, async (request, reply) => {
    const result = await node.publish(request.body.entries, actorOf(request))
    return await reply.code(201).send(result)
  })
}
