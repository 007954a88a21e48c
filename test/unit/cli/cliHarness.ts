import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { CliContext } from '../../../src/cli/context.js'
import { type RegisterCommand, runCli } from '../../../src/cli/program.js'
import type { Env } from '../../../src/config/env.js'
import type { HashmeshNode } from '../../../src/node/hashmeshNode.js'
import type { NodeApi } from '../../../src/node/interface.js'
import { LiveNode } from '../../helpers/liveNode.js'
import { type TestServerOptions, testServer } from '../api/testServer.js'

export interface Run { code: number, out: string, err: string }

/** Runs one `hashmesh` command line in-process, capturing what it prints and its exit code. */
export async function runCommand (commands: readonly RegisterCommand[], args: readonly string[], env: Env = {}): Promise<Run> {
  let out = ''
  let err = ''
  const ctx: CliContext = {
    env,
    terminal: { out: t => { out += t }, err: t => { err += t } },
    exitCode: 0,
    json: false,
    exitNow: code => { throw new Error(`exitNow(${code})`) }
  }
  const code = await runCli(['node', 'hashmesh', ...args], ctx, commands)
  return { code, out, err }
}

/** What a test's node runs with: its flags and config file (see LiveNode), and the server's options. */
export interface NodeServerOptions extends Omit<TestServerOptions, 'adminToken'> {
  flags?: Parameters<typeof LiveNode.start>[0]
  configFile?: Record<string, unknown>
}

/** The HTTP API over a fresh real node on a free loopback port, and a temp dir, for one test. */
export class NodeServer {
  readonly live: LiveNode
  readonly url: string
  readonly dir: string
  private readonly app: FastifyInstance

  private constructor (live: LiveNode, app: FastifyInstance, dir: string) {
    this.live = live
    this.app = app
    this.dir = dir
    this.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }

  get node (): HashmeshNode { return this.live.node }

  /** Reads are open unless `options` says otherwise, as most command tests are not about tokens. */
  static async start (adminToken: string, options: NodeServerOptions = {}): Promise<NodeServer> {
    const { flags, configFile, ...serverOptions } = options
    const live = await LiveNode.start(flags, configFile)
    return await NodeServer.over(live, live.node, adminToken, serverOptions)
  }

  /** The API over `node` (the live node, or a wrapper of it that fails on purpose). */
  static async over (live: LiveNode, node: NodeApi, adminToken: string, options: Omit<TestServerOptions, 'adminToken'> = {}): Promise<NodeServer> {
    const app = testServer(node, { ...options, adminToken })
    await app.listen({ host: '127.0.0.1', port: 0 })
    return new NodeServer(live, app, await mkdtemp(join(tmpdir(), 'hashmesh-cli-')))
  }

  async close (): Promise<void> {
    await this.app.close()
    await this.live.stop()
    await rm(this.dir, { recursive: true, force: true })
  }
}
