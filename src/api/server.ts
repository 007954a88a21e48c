import { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController, fastify } from 'fastify'
import type { Registry } from 'prom-client'
import type { Logger } from '../logger.js'
import type { NodeApi } from '../node/interface.js'
import { ApiError } from './apiError.js'
import { answerClientError, refuseExpectation } from './clientErrors.js'
import { toHttpError } from './errorMapping.js'
import { boundJsonDepth } from './jsonBody.js'
import { DEFAULT_BODY_LIMIT, MAX_PARAM_CHARS } from './limits.js'
import { guardRequests } from './requestGuards.js'
import { createRequestMetrics, meterRequests } from './requestMetrics.js'
import type { RouteAuth } from './routeAuth.js'
import { registerAllowlistRoutes } from './routes/allowlist.js'
import { registerAuditRoutes } from './routes/audit.js'
import { registerBatchRoutes } from './routes/batches.js'
import { registerEquivocationRoutes } from './routes/equivocations.js'
import { registerEvidenceRoutes } from './routes/evidence.js'
import { registerForumRoutes } from './routes/forum.js'
import { registerHookRoutes } from './routes/hooks.js'
import { registerLookupRoutes } from './routes/lookup.js'
import { registerMatchRoutes } from './routes/match.js'
import { registerMatchesRoutes } from './routes/matches.js'
import { registerOpsRoutes } from './routes/ops.js'
import { registerWatchRoutes } from './routes/watch.js'

export interface HttpServerDeps {
  node: NodeApi
  /** Who may call what: the admin token for writes and administration, the read token (or nobody) for reads. */
  auth: RouteAuth
  /** Where the HTTP metrics register, beside the node's; served at /metrics. */
  registry: Registry
  logger: Logger
  /** Largest body POST /v1/match takes. */
  maxUploadBytes: number
}

/** A busy node frees a hashing slot in about the time one image takes; a second is plenty. */
const RETRY_AFTER_SECONDS = 1

/** Every error response fastify makes goes out here, in the shape toHttpError gives it. */
async function sendError (err: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { status, body } = toHttpError(err)
  if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed')
  // Refusals at debug: a misbehaving client must not be able to flood the log.
  else request.log.debug({ code: body.error.code, url: request.url.slice(0, 200) }, 'request refused')
  return await reply.code(status).send(body)
}

/** Builds the JSON API; the caller listens (and closes). */
export function buildHttpServer (deps: HttpServerDeps): FastifyInstance {
  // Typed as fastify's logger interface so that route modules take a plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger = deps.logger.child({ component: 'http' })
  const app = fastify({
    loggerInstance,
    // Requests Node's parser refuses would otherwise get fastify's own body, not the API's.
    clientErrorHandler: (err, socket) => { answerClientError(err, socket, loggerInstance) },
    // So would a bad or over-long URL, which the router refuses before any route runs.
    frameworkErrors: (err, request, reply) => { void sendError(err, request, reply) },
    // Both answered in the API's error shape by guardRequests instead.
    http: { requireHostHeader: false },
    return503OnClosing: false,
    // A lookup-heavy client would otherwise write two log lines per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    ajv: {
      customOptions: {
        // Fastify's defaults strip unknown properties and coerce types; a typo must be an error instead.
        removeAdditional: false,
        coerceTypes: false,
        allErrors: false
      }
    }
  })

  // A JSON API: a text/plain body is a client mistake worth a 415, not a string to validate.
  app.removeContentTypeParser('text/plain')
  boundJsonDepth(app)

  app.setErrorHandler(sendError)
  app.setNotFoundHandler(async (request, reply) => {
    const { status, body } = toHttpError(new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.slice(0, 200)}`))
    return await reply.code(status).send(body)
  })

  app.server.on('checkExpectation', refuseExpectation)

  // Before the routes, so that every one of them (and the not-found answer) is counted.
  meterRequests(app, createRequestMetrics(deps.registry))
  guardRequests(app)
  const { node, auth } = deps
  registerLookupRoutes(app, node, auth)
  registerMatchRoutes(app, node, deps.maxUploadBytes, auth)
  registerBatchRoutes(app, node, auth)
  registerEquivocationRoutes(app, node, auth)
  registerAllowlistRoutes(app, node, auth)
  registerForumRoutes(app, node, auth)
  registerAuditRoutes(app, node, auth)
  registerHookRoutes(app, node, auth)
  registerMatchesRoutes(app, node, auth)
  registerEvidenceRoutes(app, node, auth)
  registerWatchRoutes(app, node, auth)
  registerOpsRoutes(app, node, deps.registry, auth)
  return app
}
