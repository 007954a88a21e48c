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
  if (adminToken === '') throw new Error('admin token must not be empty')
  const expected = digest(adminToken)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const m = BEARER.exec(request.headers.authorization ?? '')
    if (m?.[1] !== undefined && timingSafeEqual(digest(m[1]), expected)) return
    void reply.header('www-authenticate', 'Bearer')
    throw new ApiError('UNAUTHORIZED', 'writes need Authorization: Bearer <admin token> (DIR/admin.token)')
  }
}
