import type { FastifyInstance } from 'fastify'
import type { ForumNodeApi } from '../../node/forumApi.js'
import { MAX_FORUM_RECORD_BYTES } from '../../wire/limits.js'
import { actorOf } from '../actor.js'
import type { RouteAuth } from '../routeAuth.js'

/** The body is one record as hex: twice the record bound, and room for the JSON around it. */
const FORUM_RECORD_BODY_LIMIT = 2 * MAX_FORUM_RECORD_BYTES + 1024

/** Only bounded and shaped here; the node decodes the record and answers with a precise code. */
const forumRecordBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['record'],
  properties: {
    record: { type: 'string', minLength: 2, maxLength: 2 * MAX_FORUM_RECORD_BYTES, pattern: '^([0-9a-fA-F]{2})+$' }
  }
} as const

/**
 * Reading the forum is a read like status; submitting a record changes whom this node accepts
 * batches from and is audited, so it takes the admin token.
 */
export function registerForumRoutes (app: FastifyInstance, node: ForumNodeApi, auth: RouteAuth): void {
  app.get('/v1/forum', { onRequest: auth.read }, async () => await node.forum())

  app.post<{ Body: { record: string } }>('/v1/forum/records', {
    bodyLimit: FORUM_RECORD_BODY_LIMIT,
    onRequest: auth.admin,
    schema: { body: forumRecordBodySchema }
  }, async (request, reply) => {
    const actor = actorOf(request)
    const result = await node.submitForumRecord(Buffer.from(request.body.record, 'hex'), actor)
    // Submitting a record twice is harmless and says so: 200 with DUPLICATE, not an error.
    return await reply.code(result.code === 'ACCEPTED' ? 201 : 200).send(result)
  })
}
