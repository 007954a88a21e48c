import type { FastifyInstance } from 'fastify'
import type { EquivocationDecision, HashmeshNodeApi } from '../../node/interface.js'
import { actorOf } from '../actor.js'
import type { RouteAuth } from '../routeAuth.js'
import { decisionBodySchema, publisherParamsSchema } from '../schemas.js'

/**
 * Listing is a read; deciding changes what this node accepts from a publisher from then on, so it
 * takes the admin token like publishing, and is recorded in the audit log under the actor.
 */
export function registerEquivocationRoutes (app: FastifyInstance, node: HashmeshNodeApi, auth: RouteAuth): void {
  app.get('/v1/equivocations', { onRequest: auth.read }, async () => ({ equivocations: await node.equivocations() }))

  app.post<{ Params: { publisher: string }, Body: { decision: EquivocationDecision } }>('/v1/equivocations/:publisher/decision', {
    onRequest: auth.admin,
    schema: { params: publisherParamsSchema, body: decisionBodySchema }
  }, async request => await node.decideEquivocation(request.params.publisher, request.body.decision, actorOf(request)))
}
