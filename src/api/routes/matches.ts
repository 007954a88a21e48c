import type { FastifyInstance } from 'fastify'
import { ACTOR_PATTERN, APPEAL_NOTE_PATTERN, APPEAL_REASON_PATTERN } from '../../matches/matchInput.js'
import { MATCH_EXPORT_CONTENT_TYPES, MATCH_EXPORT_FORMATS, type MatchExportFormat } from '../../matches/matchExport.js'
import { MATCH_STATUSES } from '../../matches/matchQuery.js'
import { MATCH_ACTIONS } from '../../matches/matchRecord.js'
import type { AppealInput, MatchActionInput, MatchListQuery, MatchesNodeApi } from '../../node/matchesApi.js'
import { MAX_ACTOR_CHARS, MAX_APPEAL_NOTE_CHARS } from '../../store/matchRecords.js'
import { LABEL_PATTERN } from '../../wire/limits.js'
import { actorOf } from '../actor.js'
import { primed } from '../primedStream.js'
import type { RouteAuth } from '../routeAuth.js'
import { contentIdField } from '../schemas.js'

/**
 * The match log and appeals. Every route takes the admin token: the log names the platform's own
 * content and what its moderators did, which is no reader's business, and actions and appeals are
 * audited acts. Recording itself happens on the read paths (a lookup or upload with a contentId).
 */

/** Shapes only; the node checks the values again (real instants, until after since) and names the field. */
const instant = { type: 'string', minLength: 1, maxLength: 40 } as const
const matchId = { type: 'string', pattern: '^m_[0-9a-f]{28}$' } as const

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: instant,
    until: instant,
    status: { type: 'string', enum: MATCH_STATUSES },
    label: { type: 'string', maxLength: 64, pattern: LABEL_PATTERN.source },
    limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
    after: matchId
  }
} as const

const rangeQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { since: instant, until: instant }
} as const

const exportQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...rangeQuerySchema.properties, format: { type: 'string', enum: MATCH_EXPORT_FORMATS, default: 'csv' } }
} as const

const idParamsSchema = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: matchId } } as const

const actionBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'actor'],
  properties: {
    action: { type: 'string', enum: MATCH_ACTIONS },
    actor: { type: 'string', minLength: 1, maxLength: MAX_ACTOR_CHARS, pattern: ACTOR_PATTERN.source },
    at: instant
  }
} as const

const appealBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['contentId', 'outcome', 'reason'],
  properties: {
    contentId: contentIdField,
    outcome: { type: 'string', enum: ['upheld', 'rejected'] },
    reason: { type: 'string', maxLength: 32, pattern: APPEAL_REASON_PATTERN.source },
    note: { type: 'string', minLength: 1, maxLength: MAX_APPEAL_NOTE_CHARS, pattern: APPEAL_NOTE_PATTERN.source }
  }
} as const

export function registerMatchesRoutes (app: FastifyInstance, node: MatchesNodeApi, auth: RouteAuth): void {
  app.get<{ Querystring: MatchListQuery }>('/v1/matches', {
    onRequest: auth.admin,
    schema: { querystring: listQuerySchema }
  }, async request => await node.matches({ ...request.query }))

  app.get<{ Querystring: { since?: string, until?: string } }>('/v1/matches/stats', {
    onRequest: auth.admin,
    schema: { querystring: rangeQuerySchema }
  }, async request => await node.matchStats({ ...request.query }))

  app.get<{ Querystring: { since?: string, until?: string, format: MatchExportFormat } }>('/v1/matches/export', {
    onRequest: auth.admin,
    schema: { querystring: exportQuerySchema }
  }, async (request, reply) => {
    const { format, ...range } = request.query
    const body = await primed(node.matchExport(range, format))
    return await reply.type(MATCH_EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="matches.${format}"`)
      .send(body)
  })

  app.get<{ Params: { id: string } }>('/v1/matches/:id', {
    onRequest: auth.admin,
    schema: { params: idParamsSchema }
  }, async request => await node.matchRecord(request.params.id))

  app.post<{ Params: { id: string }, Body: MatchActionInput }>('/v1/matches/:id/action', {
    onRequest: auth.admin,
    schema: { params: idParamsSchema, body: actionBodySchema }
  }, async request => await node.matchAction(request.params.id, { ...request.body }, actorOf(request)))

  app.post<{ Body: AppealInput }>('/v1/appeals', {
    onRequest: auth.admin,
    schema: { body: appealBodySchema }
  }, async request => await node.appeal({ ...request.body }, actorOf(request)))
}
