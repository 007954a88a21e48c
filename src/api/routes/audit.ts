import type { FastifyInstance } from 'fastify'
import { AUDIT_DATE_PATTERN, PERIODS, type Period } from '../../audit/auditQuery.js'
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat, formatExport } from '../../audit/exportFormat.js'
import type { AuditNodeApi } from '../../node/auditApi.js'
import { optionalInteger } from '../querystring.js'
import { primed } from '../primedStream.js'
import type { RouteAuth } from '../routeAuth.js'
import { lookupParamsSchema } from '../schemas.js'

/**
 * Provenance, transparency and the export are reads: they show what peers shared and this node
 * decided, as lookups do. Verifying the store (a full scan, minutes on a large one) and the audit
 * log (who did what on this node) take the admin token.
 */

/** Dates are checked again by the node (real days, since before until); here only their shape. */
const dateField = { type: 'string', maxLength: 40, pattern: AUDIT_DATE_PATTERN.source } as const

const transparencyQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { since: dateField, until: dateField, period: { type: 'string', enum: PERIODS } }
} as const

const exportQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: dateField,
    until: dateField,
    publisher: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    format: { type: 'string', enum: EXPORT_FORMATS, default: 'csv' }
  }
} as const

/** The node checks the ranges (AuditError BAD_LIMIT); digits bound the size here. */
const auditLogQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { afterSeq: { type: 'string', pattern: '^[0-9]{1,16}$' }, limit: { type: 'string', pattern: '^[0-9]{1,5}$' } }
} as const

const verifyBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { expectHead: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } }
} as const

interface ExportQuerystring { since?: string, until?: string, publisher?: string, format: ExportFormat }

export function registerAuditRoutes (app: FastifyInstance, node: AuditNodeApi, auth: RouteAuth): void {
  app.get<{ Params: { type: string, value: string } }>('/v1/provenance/:type/:value', {
    onRequest: auth.read,
    schema: { params: lookupParamsSchema }
  }, async request => await node.provenance(request.params.type, request.params.value))

  app.get<{ Querystring: { since?: string, until?: string, period?: Period } }>('/v1/transparency', {
    onRequest: auth.read,
    schema: { querystring: transparencyQuerySchema }
  }, async request => await node.transparency({ ...request.query }))

  app.get<{ Querystring: ExportQuerystring }>('/v1/audit/export', {
    onRequest: auth.read,
    schema: { querystring: exportQuerySchema }
  }, async (request, reply) => {
    const { format, ...query } = request.query
    const body = await primed(formatExport(node.exportEntries(query), format))
    return await reply
      .type(EXPORT_CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="hashmesh-export.${format}"`)
      .send(body)
  })

  // The body is optional: a bare POST verifies without an expected head.
  app.post<{ Body: { expectHead?: string } | undefined }>('/v1/audit/verify', {
    onRequest: auth.admin,
    schema: { body: verifyBodySchema }
  }, async request => await node.auditVerify(request.body?.expectHead === undefined ? {} : { expectHead: request.body.expectHead }))

  app.get<{ Querystring: { afterSeq?: string, limit?: string } }>('/v1/audit/log', {
    onRequest: auth.admin,
    schema: { querystring: auditLogQuerySchema }
  }, async request => {
    const afterSeq = optionalInteger(request.query.afterSeq)
    const limit = optionalInteger(request.query.limit)
    return await node.auditLog({ ...(afterSeq === undefined ? {} : { afterSeq }), ...(limit === undefined ? {} : { limit }) })
  })
}
