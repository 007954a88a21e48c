import type { FastifyInstance } from 'fastify'
import type { HookAddRequest, HooksNodeApi } from '../../node/hooksApi.js'
import { actorOf } from '../actor.js'
import { deadEventParamsSchema, deadQuerySchema, hookBodySchema, hookParamsSchema } from '../hookSchemas.js'
import { optionalInteger } from '../querystring.js'
import type { RouteAuth } from '../routeAuth.js'

/**
 * Webhooks are the node's own administration: every route takes the admin token, even listing
 * (it names the platform's receivers). No answer ever carries a secret. Edits and replays are
 * audited under the request's actor.
 */
export function registerHookRoutes (app: FastifyInstance, node: HooksNodeApi, auth: RouteAuth): void {
  app.get('/v1/hooks', { onRequest: auth.admin }, async () => ({ hooks: await node.hooks() }))

  app.post<{ Body: HookAddRequest }>('/v1/hooks', {
    onRequest: auth.admin,
    schema: { body: hookBodySchema }
  }, async (request, reply) => {
    const { url, events, secret } = request.body
    return await reply.code(201).send(await node.hookAdd({ url, events, secret }, actorOf(request)))
  })

  app.delete<{ Params: { id: string } }>('/v1/hooks/:id', {
    onRequest: auth.admin,
    schema: { params: hookParamsSchema }
  }, async request => ({ removed: await node.hookRemove(request.params.id, actorOf(request)) }))

  app.get<{ Querystring: { limit?: string, after?: string } }>('/v1/hooks/dead', {
    onRequest: auth.admin,
    schema: { querystring: deadQuerySchema }
  }, async request => {
    const limit = optionalInteger(request.query.limit)
    const { after } = request.query
    return await node.hooksDead({ ...(limit === undefined ? {} : { limit }), ...(after === undefined ? {} : { after }) })
  })

  app.post<{ Params: { eventId: string } }>('/v1/hooks/dead/:eventId/replay', {
    onRequest: auth.admin,
    schema: { params: deadEventParamsSchema }
  }, async request => await node.hooksReplay(request.params.eventId, actorOf(request)))

  app.post('/v1/hooks/dead/replay', { onRequest: auth.admin }, async request => await node.hooksReplay('all', actorOf(request)))
}
