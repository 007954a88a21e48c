import type { FastifyInstance } from 'fastify'
import type { HashmeshNodeApi } from '../../node/interface.js'
import { LOOKUP_BODY_LIMIT } from '../limits.js'
import { lookupBodySchema, lookupParamsSchema } from '../schemas.js'

interface Query { type: string, value: string }

/** Reads are open: the server binds loopback by default and a lookup reveals only what peers share. */
export function registerLookupRoutes (app: FastifyInstance, node: HashmeshNodeApi): void {
  app.get<{ Params: Query }>('/v1/lookup/:type/:value', { schema: { params: lookupParamsSchema } },
    async request => await node.lookup(request.params.type, request.params.value))

  app.post<{ Body: { queries: Query[] } }>('/v1/lookup', { bodyLimit: LOOKUP_BODY_LIMIT, schema: { body: lookupBodySchema } },
    async request => ({ results: await node.lookupMany(request.body.queries) }))
}
