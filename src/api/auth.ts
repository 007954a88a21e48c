import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from './apiError.js'

const BEARER = /^Bearer +(\S+) *$/i

/** Hashing first gives equal-length buffers, so neither the bytes nor the length of the token leak. */
function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/**
 * An onRequest hook for write routes: `Authorization: Bearer <admin token>`. Runs before the body is
 * read, so an unauthenticated client cannot make the node parse megabytes.
 */
export function requireAdminToken (adminToken: string) {
  return requireToken([adminToken], 'writes and administration need Authorization: Bearer <admin token> (DIR/admin.token)')
}

/** Reads take the read token (DIR/read.token, for upload services) or the admin token. */
export function requireReadToken (tokens: readonly string[]) {
  return requireToken(tokens, 'reads need Authorization: Bearer <read token> (DIR/read.token) or the admin token, unless http.openReads is set')
}

/** A scraper is told the switch that lets it in without a token, besides the tokens that do. */
export function requireMetricsToken (tokens: readonly string[]) {
  return requireToken(tokens,
    'GET /metrics needs Authorization: Bearer <read token> (DIR/read.token) or the admin token, unless http.openMetrics or http.openReads is set')
}

function requireToken (tokens: readonly string[], refusal: string) {
  if (tokens.length === 0 || tokens.some(t => t === '')) throw new Error('tokens must not be empty')
  const expected = tokens.map(digest)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const m = BEARER.exec(request.headers.authorization ?? '')
    if (m?.[1] !== undefined) {
      const given = digest(m[1])
      // Every token compared, so the time taken says nothing about which one matched.
      if (expected.map(e => timingSafeEqual(given, e)).includes(true)) return
    }
    void reply.header('www-authenticate', 'Bearer')
    throw new ApiError('UNAUTHORIZED', refusal)
  }
}
