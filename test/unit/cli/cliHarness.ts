import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { CliContext } from '../../../src/cli/context.js'
import { type RegisterCommand, runCli } from '../../../src/cli/program.js'
import type { Env } from '../../../src/config/env.js'
import { FakeNode } from '../api/fakeNode.js'
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

/** The HTTP API over a fresh FakeNode on a free loopback port, and a temp dir, for one test. */
export class FakeNodeServer {
  readonly node: FakeNode
  readonly url: string
  readonly dir: string
  private readonly app: FastifyInstance

  private constructor (node: FakeNode, app: FastifyInstance, dir: string) {
    this.node = node
    this.app = app
    this.dir = dir
    this.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  }

  /** Reads are open unless `options` says otherwise, as most command tests are not about tokens. */
  static async start (adminToken: string, options: Omit<TestServerOptions, 'adminToken'> = {}): Promise<FakeNodeServer> {
    const node = new FakeNode()
    const app = testServer(node, { ...options, adminToken })
    await app.listen({ host: '127.0.0.1', port: 0 })
    return new FakeNodeServer(node, app, await mkdtemp(join(tmpdir(), 'hashmesh-cli-')))
  }

  async close (): Promise<void> {
    await this.app.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}
