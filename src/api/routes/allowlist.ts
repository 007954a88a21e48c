import type { FastifyInstance } from 'fastify'
import type { AllowlistAddRequest, AllowlistNodeApi } from '../../node/allowlistApi.js'
import { actorOf } from '../actor.js'
import { ApiError } from '../apiError.js'
import type { RouteAuth } from '../routeAuth.js'
import { allowlistBodySchema, allowlistParamsSchema } from '../schemas.js'

interface Params { type: string, value: string }

/**
 * The allowlist is this node's own policy (hashes it never matches), so even reading it takes the
 * admin token: it tells what the node would let through. Edits are audited under the request's actor.
 */
export function registerAllowlistRoutes (app: FastifyInstance, node: AllowlistNodeApi, auth: RouteAuth): void {
  app.get('/v1/allowlist', { onRequest: auth.admin }, async () => ({ allowlist: await node.allowlist() }))

  app.post<{ Body: AllowlistAddRequest }>('/v1/allowlist', {
    onRequest: auth.admin,
    schema: { body: allowlistBodySchema }
  }, async (request, reply) => {
    const { type, value, note, author } = request.body
    const item = await node.allowlistAdd({ type, value, note, author }, actorOf(request))
    return await reply.code(201).send(item)
  })

  app.delete<{ Params: Params }>('/v1/allowlist/:type/:value', {
    onRequest: auth.admin,
    schema: { params: allowlistParamsSchema }
  }, async request => {
    const { type, value } = request.params
    if (!await node.allowlistRemove(type, value, actorOf(request))) throw new ApiError('NOT_FOUND', `${type} ${value} is not on the allowlist`)
    return { removed: { type, value: value.toLowerCase() } }
  })
}
