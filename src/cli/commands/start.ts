import type { AddressInfo } from 'node:net'
import type { Command } from 'commander'
import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import { routeAuth } from '../../api/routeAuth.js'
import { buildHttpServer } from '../../api/server.js'
import { CONFIG_FILE_VAR } from '../../config/env.js'
import { formatHostPort } from '../../config/hostPort.js'
import { loadConfig } from '../../config/loadConfig.js'
import { LOG_LEVELS } from '../../config/schema.js'
import { createLogger, type Logger } from '../../logger.js'
import { type HashmeshNode, createHashmeshNode } from '../../node/hashmeshNode.js'
import type { CliContext } from '../context.js'
import { EXIT } from '../exitCodes.js'
import { removeNodeInfo, writeNodeInfo } from '../nodeInfo.js'
import { collect, dataOption } from '../options.js'
import { firstShutdownSignal } from '../shutdown.js'
import { showCatchUpBar } from '../catchUpBar.js'

interface StartOptions {
  data?: string
  config?: string
  listen?: string[]
  announce?: string[]
  http?: string
  bootstrap?: string[]
  trust?: string[]
  forumRoot?: string[]
  network?: string
  logLevel?: string
  openReads?: boolean
  openMetrics?: boolean
}

/** Clients on this host cannot dial a wildcard address; node.json names the loopback one instead. */
const DIALABLE_HOST: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '::': '::1' }

function httpUrl (host: string, app: FastifyInstance): string {
  const { port } = app.server.address() as AddressInfo
  return `http://${formatHostPort(DIALABLE_HOST[host] ?? host, port)}`
}

async function flush (logger: Logger): Promise<void> {
  await new Promise<void>(resolve => { logger.flush(() => { resolve() }) })
}

/** Stops what started, in reverse order; runs on a failed start as well as on a signal. */
async function stopAll (parts: { app?: FastifyInstance, node?: HashmeshNode, nodeInfoPath?: string }): Promise<void> {
  await parts.app?.close()
  await parts.node?.stop()
  if (parts.nodeInfoPath !== undefined) await removeNodeInfo(parts.nodeInfoPath)
}

async function run (opts: StartOptions, ctx: CliContext): Promise<void> {
  const signal = firstShutdownSignal(second => {
    ctx.terminal.err(`hashmesh: ${second} during shutdown; exiting without cleanup\n`)
    ctx.exitNow(EXIT.FAILURE)
  })
  const config = await loadConfig({
    configFile: opts.config,
    env: ctx.env,
    flags: { dataDir: opts.data, network: opts.network, listen: opts.listen, announce: opts.announce, bootstrap: opts.bootstrap, trust: opts.trust,
      forumRoots: opts.forumRoot, http: opts.http, logLevel: opts.logLevel, openReads: opts.openReads, openMetrics: opts.openMetrics }
  })
  const logger = createLogger({ level: config.log.level })
  const registry = new Registry()
  const parts: Parameters<typeof stopAll>[0] = {}
  try {
    parts.node = await createHashmeshNode(config.node, { logger, registry })
    await parts.node.start()
    const { adminToken, readToken } = parts.node.dataDir
    const auth = routeAuth({ adminToken, readToken, openReads: config.http.openReads, openMetrics: config.http.openMetrics })
    parts.app = buildHttpServer({ node: parts.node, auth, registry, logger, maxUploadBytes: config.maxUploadBytes })
    await parts.app.listen({ host: config.http.host, port: config.http.port })
    const { paths } = parts.node.dataDir
    const info = { peerId: parts.node.peerId, multiaddrs: parts.node.multiaddrs(), http: httpUrl(config.http.host, parts.app),
      publisherKey: parts.node.publisherKey, network: config.node.network }
    parts.nodeInfoPath = paths.nodeInfo
    await writeNodeInfo(paths.nodeInfo, info)
    logger.info({ ...info, adminTokenPath: paths.adminToken, readTokenPath: paths.readToken, openReads: config.http.openReads,
      openMetrics: config.http.openMetrics, nodeInfoPath: paths.nodeInfo }, 'hashmesh node started')
  } catch (err) {
    await stopAll(parts).catch((stopErr: unknown) => { logger.error({ err: stopErr }, 'cleanup after a failed start failed') })
    await flush(logger)
    throw err
  }
  const hideBar = showCatchUpBar(parts.node, process.stderr)
  logger.info({ signal: await signal }, 'shutting down')
  hideBar()
  await stopAll(parts)
  logger.info('stopped')
  await flush(logger)
}

export function register (program: Command, ctx: CliContext): void {
  program.command('start')
    .description('run a node: libp2p gossip, the store and the HTTP API; JSON logs on stdout')
    .addOption(dataOption())
    .option('--config <file>', `config file, JSON or JSONC (default: $${CONFIG_FILE_VAR})`)
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', collect)
    .option('--announce <multiaddr>', 'address to announce to peers instead (repeatable)', collect)
    .option('--http <host:port>', 'HTTP API address (port 0 picks a free one)')
    .option('--bootstrap <multiaddr>', 'peer to connect to, with /p2p/<peer id> (repeatable)', collect)
    .option('--trust <pubkey>', 'hex publisher key whose batches to accept when no forum roots are configured (repeatable)', collect)
    .option('--forum-root <pubkey>', 'hex public key of a forum root whose credentials admit members (repeatable; config forum.roots)', collect)
    .option('--network <name>', 'network (forum) name')
    .option('--log-level <level>', LOG_LEVELS.join(', '))
    .option('--open-reads', 'serve lookups and reports without a token (config http.openReads)')
    .option('--open-metrics', 'serve GET /metrics without a token, other reads keep theirs (config http.openMetrics)')
    .action(async (opts: StartOptions) => { await run(opts, ctx) })
}
