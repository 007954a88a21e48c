import type { FastifyRequest } from 'fastify'
import { ApiError } from './apiError.js'

/** Who an administrative act is recorded under when the client names nobody. */
export const DEFAULT_ACTOR = 'admin'

/** The name a client gives for the audit log: a person or a service, e.g. alice@ops-host. */
const ACTOR = /^[\x21-\x7e]{1,128}$/

/**
 * The actor of an admin request, from X-Hashmesh-Actor. The admin token authenticates; this only
 * names who used it, so the audit log can say more than "the token holder".
 */
export function actorOf (request: FastifyRequest): string {
  const given = request.headers['x-hashmesh-actor']
  if (given === undefined) return DEFAULT_ACTOR
  if (typeof given !== 'string' || !ACTOR.test(given)) {
    throw new ApiError('INVALID_REQUEST', 'X-Hashmesh-Actor must be 1-128 printable ASCII characters without spaces')
  }
  return given
}
