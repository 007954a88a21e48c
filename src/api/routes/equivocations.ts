import type { FastifyInstance } from 'fastify'
import type { EquivocationDecision, HashmeshNodeApi } from '../../node/interface.js'
import { requireAdminToken } from '../auth.js'
import { decisionBodySchema, publisherParamsSchema } from '../schemas.js'

/**
 * Listing is open like other reads; deciding changes what this node accepts from a publisher from
 * then on, so it takes the admin token like publishing.
 */
export function registerEquivocationRoutes (app: FastifyInstance, node: HashmeshNodeApi, adminToken: string): void {
  app.get('/v1/equivocations', async () => ({ equivocations: await node.equivocations() }))

  app.post<{ Params: { publisher: string }, Body: { decision: EquivocationDecision } }>('/v1/equivocations/:publisher/decision', {
    onRequest: requireAdminToken(adminToken),
    schema: { params: publisherParamsSchema, body: decisionBodySchema }
  }, async request => await node.decideEquivocation(request.params.publisher, request.body.decision))
}
