import type { FastifyInstance } from 'fastify'
import { MAX_CONTENT_ID_CHARS } from '../../evidence/evidenceBundle.js'
import { EvidenceError } from '../../evidence/evidenceError.js'
import type { EvidenceNodeApi, EvidenceQuery } from '../../node/evidenceApi.js'
import { actorOf } from '../actor.js'
import { MAX_TYPE_CHARS, MAX_VALUE_CHARS } from '../limits.js'
import type { RouteAuth } from '../routeAuth.js'

/**
 * A bundle gathers the node's audit records, the content ids it matched and the batches behind
 * them: what a regulator or law enforcement asks for, so it takes the admin token, and the node's
 * audit log records who made it. The body is sent exactly as built: its bytes are what the node signed.
 */

const evidenceQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    contentId: { type: 'string', minLength: 1, maxLength: MAX_CONTENT_ID_CHARS },
    type: { type: 'string', minLength: 1, maxLength: MAX_TYPE_CHARS },
    value: { type: 'string', minLength: 1, maxLength: MAX_VALUE_CHARS }
  }
} as const

interface EvidenceQuerystring { contentId?: string, type?: string, value?: string }

/** Exactly one of a content id, or a type with a value. */
export function evidenceQueryOf (q: EvidenceQuerystring): EvidenceQuery {
  const byHash = q.type !== undefined || q.value !== undefined
  if (q.contentId !== undefined && !byHash) return { contentId: q.contentId }
  if (q.contentId === undefined && q.type !== undefined && q.value !== undefined) return { type: q.type, value: q.value }
  throw new EvidenceError('BAD_EVIDENCE_QUERY', 'give contentId, or type and value (not both)')
}

export function registerEvidenceRoutes (app: FastifyInstance, node: EvidenceNodeApi, auth: RouteAuth): void {
  app.get<{ Querystring: EvidenceQuerystring }>('/v1/evidence', {
    onRequest: auth.admin,
    schema: { querystring: evidenceQuerySchema }
  }, async (request, reply) => {
    const bundle = await node.evidence(evidenceQueryOf(request.query), actorOf(request))
    return await reply.type('application/json; charset=utf-8').send(bundle)
  })
}
