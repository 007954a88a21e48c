import type { onRequestAsyncHookHandler } from 'fastify'
import { requireAdminToken, requireMetricsToken, requireReadToken } from './auth.js'

/**
 * The doors of the API, passed to every route module: `admin` for anything that writes or
 * administers (the admin token), `read` for lookups and reports (the read or admin token, or
 * nobody when config opens reads), `metrics` for GET /metrics (a read, unless config opens it
 * alone for a scraper that holds no token).
 */
export interface RouteAuth {
  admin: onRequestAsyncHookHandler
  read: onRequestAsyncHookHandler
  metrics: onRequestAsyncHookHandler
}

export interface RouteAuthOptions {
  adminToken: string
  readToken: string
  /** http.openReads: reads need no token (a loopback-only or proxied deployment). */
  openReads: boolean
  /** http.openMetrics: /metrics needs no token, while every other read still does. Default false. */
  openMetrics?: boolean
}

const OPEN: onRequestAsyncHookHandler = async () => {}

export function routeAuth (options: RouteAuthOptions): RouteAuth {
  const readers = [options.readToken, options.adminToken]
  return {
    admin: requireAdminToken(options.adminToken),
    read: options.openReads ? OPEN : requireReadToken(readers),
    metrics: options.openReads || options.openMetrics === true ? OPEN : requireMetricsToken(readers)
  }
}
