import type { FastifyInstance, FastifyRequest } from 'fastify'
import { checkMaxDistance } from '../../lookup/maxDistance.js'
import type { HashmeshNodeApi, NodeMatchOptions, PdqMode } from '../../node/interface.js'
import { ApiError } from '../apiError.js'
import { mediaTypeOf } from '../mediaType.js'
import { optionalInteger } from '../querystring.js'
import type { RouteAuth } from '../routeAuth.js'
import { matchQuerystringSchema } from '../schemas.js'

/**
 * Uploads are raw bytes: what `curl --data-binary @file` sends. An image/* type promises an image.
 * Fastify tests this against the header as it parsed it (lowercase `type/subtype`, then any
 * `; name="value"` parameters), so it matches the media type up to the first parameter.
 */
const UPLOAD_TYPES = /^(?:application\/octet-stream|image\/[\w!#$%&'*+.^`|~-]+)(?:;|$)/

interface MatchQuerystring { maxDistance?: string, mode?: PdqMode, dihedral?: 'true' | 'false', contentId?: string }

function matchOptions (query: MatchQuerystring, contentType: string | undefined): NodeMatchOptions {
  const options: NodeMatchOptions = { image: mediaTypeOf(contentType)?.startsWith('image/') === true }
  const maxDistance = optionalInteger(query.maxDistance)
  if (maxDistance !== undefined) options.maxDistance = maxDistance
  if (query.mode !== undefined) options.mode = query.mode
  if (query.dihedral !== undefined) options.dihedral = query.dihedral === 'true'
  if (query.contentId !== undefined) options.contentId = query.contentId
  return options
}

/** Runs before schema validation, so it checks the text itself; the schema refuses what is not digits. */
function checkDistanceParam (query: MatchQuerystring): void {
  const text = query.maxDistance
  if (text !== undefined && /^[0-9]+$/.test(text)) checkMaxDistance(Number(text))
}

/**
 * POST /v1/match: the node hashes the uploaded file in memory (it is never stored or logged) and
 * answers as a lookup of its exact hashes and PDQ would, with the policy verdict in `match`. A read
 * (auth.read), checked before the upload is read; the node bounds how many uploads it hashes at
 * once and answers 503 BUSY past that. The body is the raw file, so the content id goes in the
 * query string (`?contentId=`): a match is then recorded in the match log, its id in `matchId`.
 */
export function registerMatchRoutes (app: FastifyInstance, node: HashmeshNodeApi, maxUploadBytes: number, auth: RouteAuth): void {
  void app.register(async scope => {
    // Only raw uploads here: a JSON or form body is a client mistake worth a clear 415.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(UPLOAD_TYPES, { parseAs: 'buffer', bodyLimit: maxUploadBytes }, (_request, body, done) => { done(null, body) })
    scope.post<{ Querystring: MatchQuerystring, Body: Buffer | undefined }>('/v1/match', {
      bodyLimit: maxUploadBytes,
      onRequest: auth.read,
      // Before the upload is read, let alone hashed: a bad distance must not cost an image's work.
      preParsing: async (request: FastifyRequest<{ Querystring: MatchQuerystring }>) => { checkDistanceParam(request.query) },
      schema: { querystring: matchQuerystringSchema }
    }, async request => {
      const file = request.body
      if (!Buffer.isBuffer(file) || file.length === 0) {
        throw new ApiError('INVALID_REQUEST', 'send the file as the request body, with Content-Type application/octet-stream or image/*')
      }
      return await node.match(file, matchOptions(request.query, request.headers['content-type']))
    })
  })
}
