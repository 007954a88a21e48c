import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { routeAuth } from '../../../src/api/routeAuth.js'
import { buildHttpServer } from '../../../src/api/server.js'
import { silentLogger } from '../../../src/logger.js'
import type { NodeApi } from '../../../src/node/interface.js'

export interface TestServerOptions {
  adminToken: string
  /** Default: a fixed token nobody else uses. */
  readToken?: string
  /** Default true, as the tests of routes that are not about read auth expect. */
  openReads?: boolean
  /** Default false: /metrics follows openReads. */
  openMetrics?: boolean
  maxUploadBytes?: number
  registry?: Registry
}

export const TEST_READ_TOKEN = 'feed'.repeat(16)

/**
 * The HTTP server over a node (a real one, or one that only throws), built in one place for every
 * API and CLI test.
 */
export function testServer (node: NodeApi, options: TestServerOptions): FastifyInstance {
  const tokens = {
    adminToken: options.adminToken,
    readToken: options.readToken ?? TEST_READ_TOKEN,
    openReads: options.openReads ?? true,
    openMetrics: options.openMetrics ?? false
  }
  const deps = {
    node,
    auth: routeAuth(tokens),
    registry: options.registry ?? new Registry(),
    logger: silentLogger(),
    maxUploadBytes: options.maxUploadBytes ?? 1024 * 1024
  }
  return buildHttpServer(deps)
}
