import type { FastifyInstance } from 'fastify'
import type { WatchItemInput, WatchNodeApi } from '../../node/watchApi.js'
import { ApiError } from '../apiError.js'
import { WATCH_BODY_LIMIT } from '../limits.js'
import { optionalInteger } from '../querystring.js'
import type { RouteAuth } from '../routeAuth.js'
import { watchBodySchema, watchParamsSchema, watchQuerySchema } from '../schemas.js'

/**
 * The watch list is the platform's own content: every route takes the admin token, and nothing
 * here is logged (fastify's request logging is off; refusals log the code and URL only, and an id
 * in a URL is the platform's own, never a hash). An id with a slash is sent percent-encoded.
 */
export function registerWatchRoutes (app: FastifyInstance, node: WatchNodeApi, auth: RouteAuth): void {
  app.post<{ Body: { items: WatchItemInput[] } }>('/v1/watch', {
    onRequest: auth.admin,
    bodyLimit: WATCH_BODY_LIMIT,
    schema: { body: watchBodySchema }
  }, async request => await node.watchAdd(request.body.items))

  app.get<{ Querystring: { after?: string, limit?: string } }>('/v1/watch', {
    onRequest: auth.admin,
    schema: { querystring: watchQuerySchema }
  }, async request => {
    const { after } = request.query
    const limit = optionalInteger(request.query.limit)
    return await node.watchList({ ...(after === undefined ? {} : { after }), ...(limit === undefined ? {} : { limit }) })
  })

  app.get<{ Params: { id: string } }>('/v1/watch/:id', {
    onRequest: auth.admin,
    schema: { params: watchParamsSchema }
  }, async request => {
    const item = await node.watchGet(request.params.id)
    if (item === undefined) throw new ApiError('NOT_FOUND', 'no watched item has this id')
    return item
  })

  app.delete<{ Params: { id: string } }>('/v1/watch/:id', {
    onRequest: auth.admin,
    schema: { params: watchParamsSchema }
  }, async request => {
    if (!await node.watchRemove(request.params.id)) throw new ApiError('NOT_FOUND', 'no watched item has this id')
    return { removed: request.params.id }
  })
}
