import type { FastifyInstance } from 'fastify'
import type { ContentLookupQuery, HashmeshNodeApi } from '../../node/interface.js'
import { LOOKUP_BODY_LIMIT } from '../limits.js'
import { optionalInteger } from '../querystring.js'
import type { RouteAuth } from '../routeAuth.js'
import { lookupBodySchema, lookupParamsSchema, lookupQuerystringSchema } from '../schemas.js'

interface Params { type: string, value: string }

/**
 * Reads (auth.read): the read or admin token, or nobody when config opens reads. An answer carries
 * this node's verdict (`match`) besides the entries, so an upload service needs only this call. A
 * PDQ lookup returns every listed stored hash within maxDistance (default 31), with distances.
 */
export function registerLookupRoutes (app: FastifyInstance, node: HashmeshNodeApi, auth: RouteAuth): void {
  // With contentId, a match is recorded in the match log and the answer carries its matchId.
  app.get<{ Params: Params, Querystring: { maxDistance?: string, contentId?: string } }>('/v1/lookup/:type/:value', {
    onRequest: auth.read,
    schema: { params: lookupParamsSchema, querystring: lookupQuerystringSchema }
  }, async request => {
    const maxDistance = optionalInteger(request.query.maxDistance)
    const { contentId } = request.query
    return await node.lookup(request.params.type, request.params.value, {
      ...(maxDistance === undefined ? {} : { maxDistance }),
      ...(contentId === undefined ? {} : { contentId })
    })
  })

  // Summaries unless `matches` is asked for: a batch is how uploads are checked, and the full rows
  // (batch ids, times, reasons) cost a range read per hash found that checking never needs.
  app.post<{ Body: { queries: ContentLookupQuery[], matches?: boolean } }>('/v1/lookup', {
    bodyLimit: LOOKUP_BODY_LIMIT,
    onRequest: auth.read,
    schema: { body: lookupBodySchema }
  }, async request => {
    const { queries, matches } = request.body
    return { results: matches === true ? await node.lookupMany(queries) : await node.summarise(queries) }
  })
}
