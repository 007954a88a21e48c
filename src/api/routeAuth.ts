import type { onRequestHookHandler } from 'fastify'
import { requireAdminToken, requireReadToken } from './auth.js'

/**
 * The two doors of the API, passed to every route module: `admin` for anything that writes or
 * administers (the admin token), `read` for lookups and reports (the read or admin token, or
 * nobody when config opens reads).
 */
export interface RouteAuth {
  admin: onRequestHookHandler
  read: onRequestHookHandler
}

export interface RouteAuthOptions {
  adminToken: string
  readToken: string
  /** http.openReads: reads need no token (a loopback-only or proxied deployment). */
  openReads: boolean
}

const OPEN: onRequestHookHandler = async () => {}

export function routeAuth (options: RouteAuthOptions): RouteAuth {
  return {
    admin: requireAdminToken(options.adminToken),
    read: options.openReads ? OPEN : requireReadToken([options.readToken, options.adminToken])
  }
}
